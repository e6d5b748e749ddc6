/*
 * workloads.h - the benchmark's workloads, each a trace generator.
 *
 * Every generator is deterministic in its seed and its two sizes, so a run
 * can be reproduced exactly and every allocator replays the same calls.
 */
#ifndef TESTS_BENCH_WORKLOADS_H
#define TESTS_BENCH_WORKLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "tests/bench/trace.h"

struct workload {
	const char *name;
	const char *what; /* one line for the table's legend */
	/* ops: timed operations; param: the workload's own size (live set,
	 * holes or growing objects) */
	void (*generate)(struct trace *t, uint64_t seed, size_t ops,
			 size_t param);
	size_t ops;
	size_t param;
};

extern const struct workload workloads[];
extern const size_t workload_count;

const struct workload *workload_find(const char *name);

/* The fragmented heap on its own, for the scaling curve: `holes` free
 * blocks that no later request fits, then `ops` timed allocs and frees. */
void workload_holes(struct trace *t, uint64_t seed, size_t ops, size_t holes);

#endif
