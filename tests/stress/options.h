/*
 * options.h - the command line the stress programs share:
 *
 *   -w WORKERS   threads or processes           -n OPS    ops per worker
 *   -m MIB       heap size in MiB               -s SEED   first worker's seed
 *   -c           the heap has per-thread caches (HEAP_CACHES)
 *   -b           bare: no host hooks (no mm_host_init): the lock spins and
 *                yields without futexes, and the caches are shards
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
	int caches; /* -c */
	int bare;   /* -b */
};

struct heap;

/* heap_create_flags() with what the options ask for, after mm_host_init()
 * unless bare; exits (stress_cannot) if it fails. */
struct heap *options_heap(const struct options *o, void *mem);

/* Defaults come in *o; exits with a usage message on a bad argument. */
void options_parse(int argc, char **argv, struct options *o,
		   unsigned max_workers);

/* Seconds on the monotonic clock. */
/* How many caches the heap may make at most: none without -c; with it, one
 * per worker (a cache given back is claimed again by the next newcomer),
 * or, bare, every shard. */
unsigned options_max_caches(const struct options *o);

/* A few words for the result line: caches or not, hooks or not, and how
 * many caches were made, from the heap's own blocks left at the end. */
const char *options_describe(const struct options *o, size_t own_blocks);

double now_seconds(void);

#endif
