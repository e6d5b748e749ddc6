/*
 * strip.h - one picture of the heap: what lies at each pixel of the arena.
 *
 * The arena's address range is cut into `width` equal slices, one per
 * pixel. Each slice gets the class that covers most of its bytes; the
 * first pixel of each block also gets an edge mark, so that two
 * neighbouring used blocks still show as two:
 *
 *   bytes   |hdr| payload: requested      | slack |hdr| free ...         |
 *   pixels  | E used | used | used | used | slack | E free | free | free |
 *             ^ edge: half a pixel into the payload, so it lands on a
 *               pixel that is mostly the block's own
 */
#ifndef HEAPVIZ_STRIP_H
#define HEAPVIZ_STRIP_H

#include <stddef.h>
#include <stdint.h>

#include "tools/heapviz/replay.h"

enum strip_class {
	STRIP_GAP,   /* between regions: not heap memory */
	STRIP_META,  /* headers, sentinels, the heap's control structure */
	STRIP_USED,  /* payload the caller asked for */
	STRIP_SLACK, /* payload beyond it: rounding, red zone in checking */
	STRIP_FREE,  /* payload of free blocks */
	STRIP_QUARANTINED, /* freed, held back from reuse (quarantine mode) */
	STRIP_CLASSES
};

/* A pixel is its class, or'ed with STRIP_EDGE. */
#define STRIP_EDGE 0x8u

struct strip_stats {
	size_t step;
	size_t used, requested, free, largest_free, overhead;
	size_t used_blocks, free_blocks;
	size_t failed;	      /* allocations refused so far */
	size_t moved;	      /* reallocs that moved so far */
	double fragmentation; /* 1 - largest_free / free; 0 when none free */
};

const char *strip_class_name(unsigned cls);

/* Classify the arena of r into px[0 .. width). 0, or -1 if heap_walk
 * stopped early (the heap reported damage). */
int strip_take(const struct replay *r, unsigned width, unsigned char *px);

/* Statistics of r now, and heap_check()'s count of problems. */
int strip_stats(const struct replay *r, struct strip_stats *st);

#endif
