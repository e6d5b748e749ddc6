/*
 * gdt.c - see gdt.h.
 */
#include "kernel/gdt.h"

/* Base 0, limit 4 GiB (4 KiB granularity), present, ring 0. */
#define FLAT_CODE 0x00CF9A000000FFFFull
#define FLAT_DATA 0x00CF92000000FFFFull

__attribute__((aligned(8))) const uint64_t gdt_table[GDT_ENTRIES] = {
    0, /* the null descriptor the CPU requires */
    FLAT_CODE,
    FLAT_DATA,
};

void gdt_load(void)
{
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed))
	desc = {sizeof(gdt_table) - 1, (uint32_t)(uintptr_t)gdt_table};

	/* The far jump reloads CS; until then it keeps the loader's
	 * descriptor cached, which is why this works mid-function. */
	__asm__ volatile("lgdt %[desc]\n\t"
			 "ljmp %[code], $1f\n"
			 "1:\n\t"
			 "movw %[data], %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%fs\n\t"
			 "movw %%ax, %%gs\n\t"
			 "movw %%ax, %%ss"
			 :
			 : [desc] "m"(desc), [code] "i"(GDT_KERNEL_CODE),
			   [data] "i"(GDT_KERNEL_DATA)
			 : "eax", "memory");
}
