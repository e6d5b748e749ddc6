/*
 * smp_stress.h - what the SMP stress (smp_stress.c) and its table
 * (smp_stress_table.c) share: each CPU's counts.
 */
#ifndef KERNEL_SMP_STRESS_H
#define KERNEL_SMP_STRESS_H

#include <stdint.h>

#include "kernel/cpu_map.h"
#include "kernel/tests/smp_handoff.h"
#include "tests/common/rng.h"
#include "mm/heap.h"

#define STRESS_SLOTS 64

enum op {
	OP_ALLOC,
	OP_CALLOC,
	OP_ALIGNED,
	OP_REALLOC,
	OP_FREE,
	OP_REMOTE, /* a free of a block another CPU allocated */
	OP_KINDS
};

/* One per CPU, each on its own cache lines: CPUs share only the heap. */
struct stress_cpu {
	unsigned long ops[OP_KINDS];
	unsigned long nulls; /* out of memory: allowed, counted */
	unsigned long naps;  /* after a slow heap call: see SLOW_US */
	/* calls the caches cannot serve (smp_stress.c: CACHE_LIMIT) */
	unsigned long bypass;
	struct heap_cache_stats cache0, cache1; /* at the start, at the end */
	uint64_t ticks;
	uint64_t call_start, call_ticks; /* the last heap call's duration */
	struct rng rng;
	uint32_t seq;
	int failed;
	char detail[160];
	struct stamped slot[STRESS_SLOTS]; /* p NULL: empty */
} __attribute__((aligned(64)));

extern struct stress_cpu per_cpu[SMP_MAX_CPUS];

/* Heap calls the CPU made. */
static inline unsigned long total_ops(const struct stress_cpu *c)
{
	unsigned long t = 0;

	for (int k = 0; k < OP_KINDS; k++)
		t += c->ops[k];
	return t;
}

/* The table of what each CPU did, and the heap lock's counts between the
 * two stats (smp_stress_table.c). */
void smp_stress_table(size_t cpus, const struct heap_stats *before,
		      const struct heap_stats *after);

#endif
