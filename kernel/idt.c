/*
 * idt.c - see idt.h.
 */
#include "kernel/idt.h"

#include "kernel/gdt.h"

#define IDT_ENTRIES	  256
#define GATE_INTERRUPT_32 0x8E /* present, ring 0, 32-bit interrupt gate */
#define GATE_TASK	  0x85 /* present, ring 0, task gate */

struct gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_high;
} __attribute__((packed));

_Static_assert(sizeof(struct gate) == 8, "an IDT gate is 8 bytes");

static struct gate idt[IDT_ENTRIES] __attribute__((aligned(8)));

/* Nothing to acknowledge: the PIC is masked (and its spurious IRQs need
 * no EOI), and the APIC's spurious vector needs none either. */
__attribute__((interrupt)) static void ignore(struct interrupt_frame *frame)
{
	(void)frame;
}

static void set_gate(uint8_t vector, uintptr_t a)
{
	idt[vector] = (struct gate){
	    .offset_low = (uint16_t)a,
	    .selector = GDT_KERNEL_CODE,
	    .type = GATE_INTERRUPT_32,
	    .offset_high = (uint16_t)(a >> 16),
	};
}

void idt_set(uint8_t vector, idt_handler handler)
{
	set_gate(vector, (uintptr_t)handler);
}

void idt_set_error(uint8_t vector, idt_error_handler handler)
{
	set_gate(vector, (uintptr_t)handler);
}

void idt_set_task(uint8_t vector, uint16_t tss_selector)
{
	idt[vector] =
	    (struct gate){.selector = tss_selector, .type = GATE_TASK};
}

void idt_init(void)
{
	for (unsigned v = IDT_FIRST_INTERRUPT; v < IDT_ENTRIES; v++)
		idt_set((uint8_t)v, ignore);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed))
	desc = {sizeof(idt) - 1, (uint32_t)(uintptr_t)idt};

	__asm__ volatile("lidt %0" : : "m"(desc));
}
