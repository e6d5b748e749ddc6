/*
 * frame.h - the physical frame allocator: which 4 KiB frames of RAM are
 * free, handed out one at a time in constant time or as aligned runs.
 *
 * Addresses are physical. The kernel has no PAE, so every frame lies below
 * 4 GiB; ranges are given in uint64_t because the memory map is 64-bit.
 * Frame 0 is never handed out, so 0 can mean "none".
 *
 * No lock inside: the caller (the VM layer) serializes every call. The
 * storage is static, so the allocator works before paging and before any
 * heap exists. Layout and costs: docs/vm.md, "Physical frames".
 */
#ifndef KERNEL_VM_FRAME_H
#define KERNEL_VM_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE  4096u
#define FRAME_SHIFT 12
#define FRAME_MAX   ((uint32_t)1 << 20) /* 4 GiB of frames: no PAE */

/* Counted in frames, but for runs: successful frame_alloc_run calls.
 * used is total - free and includes reserved frames; allocs and frees
 * count a run of n as n. */
struct frame_stats {
	size_t total, free, used, peak_used, allocs, frees, runs;
};

/* Forget everything: no frame is RAM, every counter is 0. */
void frame_init(void);

/* [start, end), rounded inward to whole frames and clipped below 4 GiB,
 * is usable RAM and becomes free. Frame 0 and frames already known are
 * skipped. Returns the number of frames added. */
size_t frame_add(uint64_t start, uint64_t end);

/* The free frames of [start, end), rounded outward, become used and are
 * never handed out (the kernel image, early page tables...). Frames not
 * yet added are not remembered: add first, then reserve. A reserved
 * frame may later be given back with frame_free. */
void frame_reserve(uint64_t start, uint64_t end);

/* A free frame's physical address (not necessarily the lowest), or 0. */
uintptr_t frame_alloc(void);

/* n contiguous free frames, the first aligned to align bytes (a power of
 * two >= FRAME_SIZE, or 0 for FRAME_SIZE); 0 when there is no such run
 * (or n is 0). Any other align panics. Linear in the frames scanned. */
uintptr_t frame_alloc_run(size_t n, size_t align);

/* Give back one frame, or n from pa. Panics, naming the frame, on an
 * address that is not 4 KiB aligned, a frame that is not RAM, and a frame
 * already free; a run is checked whole before any frame changes. */
void frame_free(uintptr_t pa);
void frame_free_run(uintptr_t pa, size_t n);

/* For the frame holding pa: 1 if frame_add made it known / if it is free. */
int frame_is_ram(uintptr_t pa);
int frame_is_free(uintptr_t pa);

void frame_get_stats(struct frame_stats *out);

/* The number of broken invariants (0 when sound): every summary bit
 * matches the word below it, only RAM is free, frame 0 is not RAM, and
 * the counts match the bitmaps. Reads all 260 KiB: not for hot paths. */
int frame_check(void);

#endif
