/*
 * tss.h - each CPU's own small GDT with two task-state segments, so that a
 * double fault runs on a stack of its own.
 *
 * A kernel stack that overflows into its guard page cannot take the page
 * fault (the CPU has nowhere to push it), which becomes a double fault,
 * which - on the same stack - would become a triple fault and a reset.
 * Vector 8 is therefore a task gate: the CPU saves the broken state in
 * this CPU's TSS and loads its double-fault TSS, with a fresh stack, from
 * which the report is printed. The gate names one selector for every CPU;
 * each CPU's own GDT puts its own TSS behind it.
 */
#ifndef KERNEL_TSS_H
#define KERNEL_TSS_H

#include <stdint.h>

#define TSS_SELECTOR	     0x18 /* this CPU's task (ltr) */
#define TSS_DOUBLE_FAULT_SEL 0x20 /* its double-fault task (the gate) */

/*
 * Switches this CPU to its own GDT (the flat segments, then its two TSSs)
 * and loads its task register. entry runs in the double-fault task, on a
 * stack of its own, with the page directory cr3; it must not return.
 */
void tss_load(unsigned cpu, void (*entry)(void), uint32_t cr3);

/* What the double-faulting task was doing: its esp and eip, as the task
 * switch saved them in this CPU's TSS. */
void tss_interrupted(unsigned cpu, uint32_t *esp, uint32_t *eip);

#endif
