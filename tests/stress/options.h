/*
 * options.h - the command line the stress programs share:
 *
 *   -w WORKERS   threads or processes           -n OPS    ops per worker
 *   -m MIB       heap size in MiB               -s SEED   first worker's seed
 *
 * Without -s the seed comes from the clock and is printed: the schedule of
 * a concurrent run never repeats, but each worker's sequence of operations
 * and sizes does.
 */
#ifndef TESTS_STRESS_OPTIONS_H
#define TESTS_STRESS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

struct options {
	unsigned workers;
	size_t ops;
	size_t heap_bytes;
	uint64_t seed;
};

/* Defaults come in *o; exits with a usage message on a bad argument. */
void options_parse(int argc, char **argv, struct options *o,
		   unsigned max_workers);

/* Seconds on the monotonic clock. */
double now_seconds(void);

#endif
