/*
 * worker.h - one thread's or one process's share of a stress run.
 *
 * A worker keeps its live blocks in a table of slots and, op by op, picks a
 * slot at random: an empty slot gets a new block (alloc, calloc,
 * aligned_alloc or realloc of NULL), a full one is freed or resized (realloc,
 * sometimes to 0). Sizes are mostly 0..4 KiB, a few up to 64 KiB. With
 * WORKER_SLOTS slots about two thirds are live at any time.
 *
 * Every block is stamped over its whole usable size with the owner and a
 * sequence number, and verified before it is resized or freed and at the
 * end, when the worker frees everything it still holds. The first problem
 * ends the program (stress_fail) with a message naming the owner.
 */
#ifndef TESTS_STRESS_WORKER_H
#define TESTS_STRESS_WORKER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/heap.h"
#include "tests/stress/span.h"

#define WORKER_SLOTS 512u

struct worker {
	struct heap *heap;
	unsigned owner;	  /* stamped into every block; names it in messages */
	const char *kind; /* "thread" or "process", for messages */
	uint64_t seed;
	size_t ops; /* operations of the mix to run */

	/* Optional (NULL): the life of every block, on the shared clock.
	 * log must have room for ops spans: each op makes at most one. */
	struct span *log;
	atomic_uint *clock;

	/* Results. */
	size_t calls;  /* heap calls made, each takes the heap's lock once */
	size_t logged; /* spans written to log */
};

void worker_run(struct worker *w);

#endif
