/*
 * replay.h - a heap over host memory, and a trace played against it.
 *
 * The heap's regions are cut from one arena, with a gap between regions so
 * that a picture of the arena shows where one region ends:
 *
 *   arena.lo                                                   arena.hi
 *   | region 0           | gap | region 1           | gap | ... |
 *
 * Every address in a picture is an offset into the arena.
 */
#ifndef HEAPVIZ_REPLAY_H
#define HEAPVIZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "mm/heap.h"
#include "tools/heapviz/trace.h"

#define REPLAY_MAX_REGIONS 8

struct replay_config {
	size_t heap_bytes; /* summed over the regions */
	unsigned regions;
	unsigned flags; /* heap_create_flags(): HEAP_CHECKING, ... */
};

struct replay_span {
	uintptr_t lo, hi;
};

struct replay {
	struct replay_config cfg;
	unsigned char *arena;
	struct replay_span whole;
	struct replay_span region[REPLAY_MAX_REGIONS];
	struct heap *heap;
	void **ptr;	   /* by id: the block, or NULL */
	unsigned char *st; /* by id: enum in replay.c */
	uint32_t ids;
	size_t steps;  /* operations replayed so far */
	size_t failed; /* allocations that returned NULL */
	size_t moved;  /* reallocs that had to move the block */
};

/* 0, or -1 after saying why on stderr. */
int replay_open(struct replay *r, const struct replay_config *cfg,
		uint32_t ids);
void replay_close(struct replay *r);

/* Apply one operation (not a picture). 0, or -1 when the trace is wrong. */
int replay_step(struct replay *r, const struct trace_op *op,
		const char *trace_name);

/* How many allocations of size bytes a fresh heap of cfg takes before the
 * first one fails: what "fill the heap" means for the scenarios. */
size_t replay_capacity(const struct replay_config *cfg, size_t size);

#endif
