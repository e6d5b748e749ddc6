/*
 * cpu_map.h - the processors a firmware table lists.
 *
 * Filled by acpi.c (the MADT) or mptable.c (the MP configuration table),
 * read by smp.c to start the processors.
 */
#ifndef KERNEL_CPU_MAP_H
#define KERNEL_CPU_MAP_H

#include <stddef.h>
#include <stdint.h>

/* More are listed (and counted in ignored) but not started. */
#define SMP_MAX_CPUS 16

#define LAPIC_DEFAULT_BASE 0xFEE00000u

struct cpu_map {
	const char *source; /* "ACPI MADT", "MP table" */
	uintptr_t table;    /* physical address of that table */
	uintptr_t lapic_base;
	size_t count; /* enabled CPUs, in the table's order */
	uint32_t apic_id[SMP_MAX_CPUS];
	size_t disabled; /* listed but not usable (the enabled flag clear) */
	size_t ignored;	 /* usable, but past SMP_MAX_CPUS or x2APIC-only */
};

/* Each returns 0 with *out filled, or -1 when the table is absent or bad
 * (after printing why). */
int acpi_find_cpus(struct cpu_map *out);
int mptable_find_cpus(struct cpu_map *out);

#endif
