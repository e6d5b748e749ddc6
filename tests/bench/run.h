/*
 * run.h - the three measurements of `make bench`, and their results.
 *
 * Each runs the allocators interleaved: repetition r visits them in an
 * order rotated by r, so that a slow patch of the machine (another process,
 * a frequency change) lands on all of them alike, and medians absorb it.
 */
#ifndef TESTS_BENCH_RUN_H
#define TESTS_BENCH_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "tests/bench/allocators.h"
#include "tests/bench/trace.h"

#define MAX_REPS       31
#define LATENCY_REPS   3
#define SCALING_POINTS 3

/* The allocators of the main table, and of the scaling run: the
 * first-fit reference is only in the second, mm-cached only in the first. */
#define TABLE_ALLOCS   7
#define SCALING_ALLOCS 4
extern const int table_allocs[TABLE_ALLOCS];
extern const int scaling_allocs[SCALING_ALLOCS];

struct bench_opts {
	unsigned reps;
	double scale; /* multiplies every workload's timed ops */
	uint64_t seed;
	const char *only; /* run this workload only, or NULL */
	int latency, scaling;
	int cached_tid; /* see allocators_init() */
};

/* ns per op over the repetitions */
struct spread {
	double median, min, max;
};

struct wl_result {
	const char *name, *what;
	size_t ops, peak_live;
	int ran[ALLOC_COUNT];
	struct spread ns[ALLOC_COUNT];
	size_t footprint[ALLOC_COUNT];
};

enum { CALL_ALLOC, CALL_REALLOC, CALL_FREE, CALLS };

/*
 * Cycles, the timer's overhead subtracted. The trace is the same every
 * run, so each call is timed LATENCY_REPS times and its cost taken as the
 * least of them: an interrupt or a preemption lands on a different call
 * each run and drops out, while a cost the allocator pays every time (a
 * long search, a merge cascade) stays. max_raw is the plain maximum (the
 * median over the runs), host noise included.
 */
struct lat_stats {
	size_t count;
	uint64_t p50, p99, p999, max, max_raw;
};

struct lat_result {
	const char *name;
	int ran[ALLOC_COUNT];
	struct lat_stats call[ALLOC_COUNT][CALLS];
};

struct scale_result {
	size_t holes;
	size_t ops[ALLOC_COUNT];
	struct spread ns[ALLOC_COUNT];
};

/* Check every allocator on t, then time them: the main table's row. */
void run_workload(const struct trace *t, const char *what,
		  const struct bench_opts *o, struct wl_result *out);
void run_latency(const struct trace *t, struct lat_result *out);
void run_scaling(const struct bench_opts *o,
		 struct scale_result out[SCALING_POINTS]);

extern const size_t scaling_holes[SCALING_POINTS];
extern uint64_t timer_overhead; /* cycles, measured at start */

#endif
