/*
 * replay.h - running a trace against an allocator.
 *
 * Three loops over the same ops, for three questions:
 *   replay_checked  is it right? Every byte of every block is stamped
 *                   (tests/common/stamp.h) and verified at realloc and
 *                   free; pointers must be aligned; the heap must check
 *                   clean. Untimed, and the source of the footprint
 *                   (fragmentation).
 *   replay_timed    how fast? Only a tag word per block is written and
 *                   read back, as a program touches what it allocates.
 *   replay_latency  how slow at worst? The cycle counter around each call.
 * Any wrong answer ends the program with a message naming the op.
 */
#ifndef TESTS_BENCH_REPLAY_H
#define TESTS_BENCH_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "tests/bench/allocators.h"
#include "tests/bench/trace.h"

struct replay {
	const struct allocator *a;
	const struct trace *t;
	void **ptrs; /* slot -> block, NULL when free */
};

/* A fresh heap with the trace's untimed setup already run. */
void replay_open(struct replay *r, const struct allocator *a,
		 const struct trace *t);
/* The first `limit` timed ops (all when limit is 0); nanoseconds taken. */
uint64_t replay_timed(struct replay *r, size_t limit);
/* Free whatever is still live (untimed) and the replay's own memory. */
void replay_close(struct replay *r);

struct checked {
	size_t footprint; /* highest end of a block handed out, from the
			     region start; 0 when the allocator has no region */
	size_t ops;
};
void replay_checked(const struct allocator *a, const struct trace *t,
		    struct checked *out);

/* Cycles per timed call, by kind of call; arrays sized for the trace. */
struct latency {
	uint64_t *alloc, *realloc, *free; /* alloc: malloc, calloc, aligned */
	size_t nalloc, nrealloc, nfree;
};
void latency_init(struct latency *l, const struct trace *t);
void latency_release(struct latency *l);
/* After replay_open: time each of the timed ops on its own. */
void replay_latency(struct replay *r, struct latency *l);

const char *op_name(enum op_kind kind);

#endif
