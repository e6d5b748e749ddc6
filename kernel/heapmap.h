/*
 * heapmap.h - a map of a heap: one cell per fixed slice of its memory.
 *
 * heapmap_build() walks the heap (heap_walk) and sorts every byte of every
 * region into a kind: payload in use, payload free, payload quarantined,
 * payload cached (freed into a CPU's cache or the depot: neither in use nor
 * free to the heap), or metadata (block headers, the end sentinel, the
 * caches' own memory, and in the first region the heap's control
 * structure). A cell shows the kind that covers most of its
 * bytes; when that is under three quarters of them - the cell holds pieces
 * of several blocks of different kinds - the cell is "mixed" and also names
 * the runner-up.
 *
 * Regions are laid out in address order, each from a fresh cell, with one
 * gap cell between two regions:
 *
 *   cell  0    1    2         k    k+1  k+2        m   m+1 ... CELLS-1
 *       | region 0 ......... | gap | region 1 ... | blank ........ |
 *         ^ the control structure  ^ the region's first block header
 *
 * The same cells are drawn twice (heapmap_draw.c): in colour on the VGA
 * screen and as text on serial, so that `make run` shows the map too.
 */
#ifndef KERNEL_HEAPMAP_H
#define KERNEL_HEAPMAP_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/cmdline.h"
#include "mm/heap.h"

#define HEAPMAP_COLS	    80
#define HEAPMAP_ROWS	    18
#define HEAPMAP_CELLS	    (HEAPMAP_COLS * HEAPMAP_ROWS)
#define HEAPMAP_MAX_REGIONS 32

enum heapmap_kind {
	HEAPMAP_BLANK,	     /* past the last region: nothing to show */
	HEAPMAP_GAP,	     /* between two regions: not the heap's memory */
	HEAPMAP_USED,	     /* payload of blocks in use */
	HEAPMAP_FREE,	     /* payload of free blocks */
	HEAPMAP_META,	     /* headers, sentinels, the control structure,
				the caches themselves */
	HEAPMAP_QUARANTINED, /* payload freed, not yet reusable */
	HEAPMAP_CACHED,	     /* payload freed into a per-CPU cache */
	HEAPMAP_KINDS	     /* number of kinds, not a kind */
};

struct heapmap_cell {
	uint8_t kind;	/* covers the most bytes of the cell */
	uint8_t second; /* covers the next most, or HEAPMAP_BLANK */
	uint8_t mixed;	/* kind covers under three quarters of the cell */
};

struct heapmap_region {
	int index;	   /* the heap's number for it (heap_walk's region) */
	uintptr_t lo;	   /* first byte of the region */
	size_t bytes;	   /* through the end of its sentinel */
	size_t first_cell; /* where it starts on the map */
	size_t cells;
};

struct heapmap {
	size_t bytes_per_cell;
	size_t cells;	 /* cells the regions and gaps take; then blank */
	size_t regions;	 /* on the map */
	size_t unmapped; /* regions past HEAPMAP_MAX_REGIONS, left off */
	uint64_t bytes;	 /* of every region on the map */
	struct heapmap_region region[HEAPMAP_MAX_REGIONS];
	struct heapmap_cell cell[HEAPMAP_CELLS];
	struct heap_stats stats;
};

/* Fills m from h. 0, or -1 when the walk stopped: a damaged header, which
 * the heap has reported through its fault handler. */
int heapmap_build(struct heap *h, struct heapmap *m);

/* The address of the first byte a cell covers (the next region's first
 * byte for a gap cell); 0 for a blank cell. */
uintptr_t heapmap_cell_addr(const struct heapmap *m, size_t cell);

/* heapmap_draw.c: the whole VGA screen but its last two rows, which the
 * console keeps for what the kernel prints afterwards; and the text map on
 * serial only, ending in "heapmap: drawn (title)". */
void heapmap_draw_vga(const struct heapmap *m, const char *title);
void heapmap_print(const struct heapmap *m, const char *title);

/* heapmap_demo.c: build the map of h and draw it both ways. */
void heapmap_show(struct heap *h, const char *title);

/* After the verdict: the demo phases heapmap= asks for, each drawn, then
 * the final map. exiting: the kernel leaves QEMU next, so nobody needs
 * long pauses between the phases. */
void heapmap_run(struct heap *h, enum heapmap_mode mode, int exiting);

#endif
