/*
 * tss.c - see tss.h. Layouts from the Intel SDM, vol. 3, 7.2 (task
 * management): the 32-bit TSS, and its descriptor in the GDT.
 */
#include "kernel/tss.h"

#include <stddef.h>

#include "kernel/cpu_map.h"
#include "kernel/gdt.h"
#include "kernel/panic.h"

#define DF_STACK_BYTES	4096
#define TSS_AVAILABLE	0x89u /* present, ring 0, 32-bit TSS, not busy */
#define EFLAGS_RESERVED 0x2u  /* bit 1 always reads as 1 */

struct tss {
	uint16_t link, r0;
	uint32_t esp0;
	uint16_t ss0, r1;
	uint32_t esp1;
	uint16_t ss1, r2;
	uint32_t esp2;
	uint16_t ss2, r3;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
	uint16_t trap, iomap;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "a 32-bit TSS is 104 bytes");

static struct {
	uint64_t gdt[5];
	struct tss task, double_fault;
	_Alignas(16) unsigned char stack[DF_STACK_BYTES];
} cpus[SMP_MAX_CPUS];

static uint64_t tss_descriptor(const struct tss *t)
{
	uint64_t base = (uint32_t)(uintptr_t)t, limit = sizeof(*t) - 1;

	return (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 |
	       (uint64_t)TSS_AVAILABLE << 40 | ((limit >> 16) & 0xF) << 48 |
	       (base >> 24) << 56;
}

void tss_load(unsigned cpu, void (*entry)(void), uint32_t cr3)
{
	struct tss *df;
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc;

	if (cpu >= SMP_MAX_CPUS)
		panic("tss: cpu %u past SMP_MAX_CPUS", cpu);
	df = &cpus[cpu].double_fault;
	*df = (struct tss){
	    .cr3 = cr3,
	    .eip = (uint32_t)(uintptr_t)entry,
	    .eflags = EFLAGS_RESERVED, /* interrupts masked */
	    .esp = (uint32_t)(uintptr_t)(cpus[cpu].stack + DF_STACK_BYTES),
	    .cs = GDT_KERNEL_CODE,
	    .ss = GDT_KERNEL_DATA,
	    .ds = GDT_KERNEL_DATA,
	    .es = GDT_KERNEL_DATA,
	    .fs = GDT_KERNEL_DATA,
	    .gs = GDT_KERNEL_DATA,
	    .iomap = sizeof(struct tss), /* no I/O bitmap */
	};
	cpus[cpu].task = (struct tss){.iomap = sizeof(struct tss)};
	for (size_t i = 0; i < GDT_ENTRIES; i++)
		cpus[cpu].gdt[i] = gdt_table[i];
	cpus[cpu].gdt[TSS_SELECTOR >> 3] = tss_descriptor(&cpus[cpu].task);
	cpus[cpu].gdt[TSS_DOUBLE_FAULT_SEL >> 3] = tss_descriptor(df);
	desc.limit = sizeof(cpus[cpu].gdt) - 1;
	desc.base = (uint32_t)(uintptr_t)cpus[cpu].gdt;
	/* the segment registers keep their selectors: the flat entries are
	 * the same at the same places */
	__asm__ volatile("lgdt %0\n\t"
			 "ltr %w1"
			 :
			 : "m"(desc), "r"(TSS_SELECTOR)
			 : "memory");
}

void tss_interrupted(unsigned cpu, uint32_t *esp, uint32_t *eip)
{
	*esp = cpu < SMP_MAX_CPUS ? cpus[cpu].task.esp : 0;
	*eip = cpu < SMP_MAX_CPUS ? cpus[cpu].task.eip : 0;
}
