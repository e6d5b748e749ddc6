/*
 * idt.h - the interrupt table, for the one interrupt the kernel takes.
 *
 * The kernel runs with interrupts masked, except inside a nap (apic.h),
 * where a CPU halts until its local APIC timer wakes it. Every vector from
 * 32 up has a handler, so that a stray interrupt during a nap is ignored
 * instead of resetting the machine. The CPU exception vectors (0-31) stay
 * empty: a fault still ends in a triple fault, which QEMU reports and the
 * boot tests catch.
 */
#ifndef KERNEL_IDT_H
#define KERNEL_IDT_H

#include <stdint.h>

#define IDT_FIRST_INTERRUPT 32

struct interrupt_frame;
typedef void (*idt_handler)(struct interrupt_frame *frame);

/* Fills the table; the boot CPU calls it once, before idt_load(). */
void idt_init(void);
void idt_set(uint8_t vector, idt_handler handler);
/* Points this CPU at the table (each CPU has its own IDTR). */
void idt_load(void);

#endif
