/*
 * heapmap_demo.c - heapmap=: the maps drawn after the verdict.
 *
 * The demo fills the heap to its last byte in three bands, so that one map
 * shows three scales at once: tiny blocks, half of whose memory is headers;
 * small blocks of mixed sizes, many to a cell; large blocks of one to six
 * cells each. Freeing every other block then leaves about half the heap
 * free, but in holes no larger than one block (fragmentation near 100%);
 * freeing the rest lets the heap merge it all back into one free block,
 * once the per-CPU cache has given back what it kept, and give back the
 * regions it grew for the fill (heap_trim).
 */
#include "kernel/heapmap.h"

#include "kernel/kprintf.h"
#include "tests/common/rng.h"
#include "kernel/timer.h"
#include "kernel/vm/heap_growth.h"
#include "kernel/vm/vm.h"

/* Between phases: long enough to look at, unless QEMU exits right after
 * (then `make run` must not be held up by more than a blink). */
#define PAUSE_MS	 3000u
#define PAUSE_EXITING_MS 300u

#define TINY_BYTES  16u
#define SMALL_BYTES 512u
#define LARGE_CELLS 6u
#define PAGE_BYTES  4096u

/* The first word of every demo block links to the block taken after it:
 * a full heap leaves no room for a separate list. */
struct link {
	struct link *next;
};

struct fill {
	struct link *first, *last;
	size_t blocks[3]; /* tiny, small, large (with the last crumbs) */
};

static struct heapmap map;
static struct rng rng = {0x2545f491u};

/* the same demo every boot */
static uint32_t next_random(void)
{
	return (uint32_t)rng_next(&rng);
}

static int push(struct heap *h, struct fill *f, size_t band, size_t bytes)
{
	struct link *l = heap_alloc(h, bytes);

	if (!l)
		return 0;
	l->next = NULL;
	if (f->last)
		f->last->next = l;
	else
		f->first = l;
	f->last = l;
	f->blocks[band]++;
	return 1;
}

/* Takes blocks of min..max bytes until about goal bytes (headers counted)
 * are taken, or the heap has no room for the next one. */
static size_t take(struct heap *h, struct fill *f, size_t band, size_t goal,
		   size_t min, size_t max)
{
	size_t taken = 0;

	while (taken < goal) {
		size_t n = min + next_random() % (max - min + 1);

		if (!push(h, f, band, n))
			break;
		taken += n + HEAP_ALIGN; /* about one header */
	}
	return taken;
}

/*
 * The heap grows as it fills: what it will hold is what it has free now
 * and what the free frames can add (less a sixteenth for the page tables,
 * guard pages and region headers that growth costs).
 */
static size_t room(struct heap *h)
{
	struct heap_stats s;
	struct vm_stats v;

	heap_get_stats(h, &s);
	vm_get_stats(&v);
	return s.bytes_free + v.frames_free / 16 * 15 * PAGE_BYTES;
}

static void fill(struct heap *h, struct fill *f)
{
	size_t all = room(h), cell, large;

	cell = all / HEAPMAP_CELLS;
	if (cell < SMALL_BYTES)
		cell = SMALL_BYTES;
	/* large, but below the size that gets memory of its own, off the
	 * map (HEAP_LARGE_MIN) */
	large = LARGE_CELLS * cell;
	if (large >= HEAP_LARGE_MIN)
		large = HEAP_LARGE_MIN - HEAP_ALIGN;
	if (cell > large)
		cell = large;
	take(h, f, 0, all / 12, TINY_BYTES, TINY_BYTES);
	take(h, f, 1, all / 6, TINY_BYTES, SMALL_BYTES);
	take(h, f, 2, all, cell, large);
	/* the crumbs: every hole left, down to the smallest block */
	for (size_t n = cell; n >= TINY_BYTES; n /= 2)
		while (push(h, f, 2, n))
			;
	kprintf("heapmap: demo: %zu tiny blocks (%u bytes), %zu small "
		"(%u-%u), %zu large (%zu-%zu) fill the heap\n",
		f->blocks[0], TINY_BYTES, f->blocks[1], TINY_BYTES, SMALL_BYTES,
		f->blocks[2], cell, large);
}

/* Keeps the oldest block, frees the one after it, and so on, so that the
 * last blocks freed are the large ones at the top of the heap: those are
 * the ones a quarantine (heap=quarantine) still holds, big enough to see.
 * The kept blocks stay chained. A link is read before its block is freed,
 * which may poison it (checking mode). */
static void free_every_other(struct heap *h, struct link *first)
{
	for (struct link *keep = first; keep && keep->next; keep = keep->next) {
		struct link *drop = keep->next;

		keep->next = drop->next;
		heap_free(h, drop);
	}
}

static void free_all(struct heap *h, struct link *first)
{
	while (first) {
		struct link *next = first->next;

		heap_free(h, first);
		first = next;
	}
}

void heapmap_show(struct heap *h, const char *title)
{
	if (heapmap_build(h, &map) != 0) {
		kprintf("heapmap: the heap walk stopped (damaged heap); "
			"no map\n");
		return;
	}
	heapmap_draw_vga(&map, title);
	heapmap_print(&map, title);
}

void heapmap_run(struct heap *h, enum heapmap_mode mode, int exiting)
{
	uint32_t pause_us = 1000u * (exiting ? PAUSE_EXITING_MS : PAUSE_MS);
	struct fill f = {0};

	if (mode == HEAPMAP_NONE)
		return;
	if (mode == HEAPMAP_FINAL) {
		heapmap_show(h, "after the self-tests");
		return;
	}
	/* heapmap=filled and heapmap=fragmented draw only where they stop */
	fill(h, &f);
	if (mode != HEAPMAP_FRAGMENTED)
		heapmap_show(h, "demo 1/3: the heap filled");
	if (mode == HEAPMAP_FILLED)
		return;
	if (mode == HEAPMAP_PHASES)
		timer_udelay(pause_us);
	free_every_other(h, f.first);
	heapmap_show(h, "demo 2/3: every other block freed");
	if (mode == HEAPMAP_FRAGMENTED)
		return;
	timer_udelay(pause_us);
	free_all(h, f.first);
	/* what this CPU's cache and the depot still hold would cut the free
	 * memory up; other CPUs' caches go back at their next call */
	heap_drain_caches(h);
	/* and what the fill made it grow goes back (the other CPUs are
	 * stopped: no one else is in the heap) */
	heap_trim(h);
	heapmap_show(h, "demo 3/3: the rest freed and merged");
}
