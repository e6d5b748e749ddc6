/*
 * scenario.h - built-in traces, generated from a seed.
 *
 *   fill-free-alternate  fill the heap with equal blocks, free every other
 *                        one (fragmentation: half the heap free, none of it
 *                        in one piece), then the rest (each free merges with
 *                        both neighbours until one free block is left)
 *   mixed                random sizes, alignments and reallocs: ramp up,
 *                        steady state, then drain
 *   realloc-growth       buffers that grow by realloc between small pinned
 *                        blocks: in place while they can, moving when not
 */
#ifndef HEAPVIZ_SCENARIO_H
#define HEAPVIZ_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include "tools/heapviz/replay.h"
#include "tools/heapviz/trace.h"

struct scenario_params {
	uint64_t seed;
	size_t ops;   /* mixed: operations before the drain; 0 = default */
	size_t block; /* fill-free-alternate: block size; 0 = heap / 64 */
	struct replay_config cfg; /* the heap it will run on */
};

/* 0, or -1 for an unknown name. */
int scenario_make(const char *name, const struct scenario_params *p,
		  struct trace *t);
/* Regions the scenario is best seen with (the --regions default). */
unsigned scenario_regions(const char *name);
void scenario_list(FILE *f);

#endif
