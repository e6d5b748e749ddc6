/*
 * framemap.h - a map of physical memory, one cell per run of frames,
 * beside the heap map: what each frame is used for (the kernel image, page
 * tables, the heap's pages, kernel space such as stacks), free, or not RAM
 * at all. Uses come from the page tables themselves (vm_walk_frames): a
 * frame in use that no page table maps is shown apart - it would be one
 * that was lost.
 */
#ifndef KERNEL_FRAMEMAP_H
#define KERNEL_FRAMEMAP_H

#include <stddef.h>
#include <stdint.h>

#define FRAMEMAP_COLS  80
#define FRAMEMAP_ROWS  18
#define FRAMEMAP_CELLS (FRAMEMAP_COLS * FRAMEMAP_ROWS)

enum framemap_kind {
	FRAMEMAP_NONE,	 /* not RAM (holes, firmware, loader data) */
	FRAMEMAP_FREE,	 /* free frames */
	FRAMEMAP_KERNEL, /* the kernel image */
	FRAMEMAP_TABLES, /* page tables and the directory */
	FRAMEMAP_HEAP,	 /* pages of the system heap */
	FRAMEMAP_KSPACE, /* kernel space: stacks, other kernel pages */
	FRAMEMAP_LOST,	 /* in use, but mapped by no page table */
	FRAMEMAP_KINDS
};

struct framemap {
	uintptr_t frames_per_cell;
	size_t cells;
	size_t count[FRAMEMAP_KINDS];  /* frames of each kind */
	uint8_t cell[FRAMEMAP_CELLS];  /* the most common kind */
	uint8_t mixed[FRAMEMAP_CELLS]; /* under 3/4 of the cell */
};

/* Fills m from the frame allocator and the page tables. */
void framemap_build(struct framemap *m);
/* On serial, as text ("framemap: ..." lines), and on the VGA screen. */
void framemap_print(const struct framemap *m);
void framemap_draw_vga(const struct framemap *m);

#endif
