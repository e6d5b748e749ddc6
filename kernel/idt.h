/*
 * idt.h - the interrupt table, for the one interrupt the kernel takes.
 *
 * The kernel runs with interrupts masked, except inside a nap (apic.h),
 * where a CPU halts until its local APIC timer wakes it. Every vector from
 * 32 up has a handler, so that a stray interrupt during a nap is ignored
 * instead of resetting the machine. The CPU exceptions (0-31) panic with
 * their name and where they happened (kernel/exceptions.c); the page
 * fault and the NMI of the TLB shootdown are kernel/vm/'s.
 */
#ifndef KERNEL_IDT_H
#define KERNEL_IDT_H

#include <stdint.h>

#define IDT_FIRST_INTERRUPT 32

/* What the CPU pushes for an interrupt or exception in ring 0 (no stack
 * switch: no esp or ss). GCC's interrupt attribute hands it over. */
struct interrupt_frame {
	uint32_t ip, cs, flags;
};
typedef void (*idt_handler)(struct interrupt_frame *frame);
/* The type of an exception's error code, as GCC's interrupt attribute
 * wants it. */
typedef unsigned int idt_word __attribute__((mode(__word__)));
typedef void (*idt_error_handler)(struct interrupt_frame *frame,
				  idt_word error);

/* Fills the table; the boot CPU calls it once, before idt_load(). */
void idt_init(void);
void idt_set(uint8_t vector, idt_handler handler);
void idt_set_error(uint8_t vector, idt_error_handler handler);
/* A task gate: the exception switches to the task of that TSS selector. */
void idt_set_task(uint8_t vector, uint16_t tss_selector);
/* Points this CPU at the table (each CPU has its own IDTR). */
void idt_load(void);

#endif
