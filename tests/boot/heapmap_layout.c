/*
 * heapmap_layout.c - kernel/heapmap.c on the host, over heaps this test
 * lays out itself: two regions with a hole between them, the first one
 * added being the higher, and a quarantine; then one region with per-CPU
 * (here per-thread) caches. Under QEMU the kernel's heap has one region,
 * so this is where the layout of several is checked.
 *
 *   heapmap-layout            (run by tests/boot/run-heapmap-tests.sh)
 *
 * Prints each map as the kernel prints it on serial, then one line per
 * behaviour, "ok - heapmap layout-NAME" or "FAIL - heapmap layout-NAME
 * (why)"; exits 1 when any failed.
 */
#include <stdio.h>

#include "host/mm_host.h"
#include "kernel/heapmap.h"

#define KIB	   1024u
#define LOW_BYTES  (32 * KIB)
#define HOLE_BYTES (16 * KIB)
#define HIGH_BYTES (48 * KIB)
#define TINY_COUNT 64

static _Alignas(
    HEAP_ALIGN) unsigned char arena[LOW_BYTES + HOLE_BYTES + HIGH_BYTES];
static struct heapmap map;
static int failures;

static void check(int ok, const char *name, const char *why)
{
	if (ok) {
		printf("ok - heapmap layout-%s\n", name);
	} else {
		printf("FAIL - heapmap layout-%s (%s)\n", name, why);
		failures++;
	}
}

static char symbol(const struct heapmap_cell *c)
{
	static const char kinds[HEAPMAP_KINDS] = {
	    [HEAPMAP_BLANK] = ' ',  [HEAPMAP_GAP] = '|',
	    [HEAPMAP_USED] = '#',   [HEAPMAP_FREE] = '.',
	    [HEAPMAP_META] = 'H',   [HEAPMAP_QUARANTINED] = 'q',
	    [HEAPMAP_CACHED] = 'c',
	};

	return c->mixed ? '+' : kinds[c->kind];
}

static void print_map(const char *title)
{
	printf("  map: %s, %zu cells of %zu bytes\n", title, map.cells,
	       map.bytes_per_cell);
	for (size_t row = 0; row * HEAPMAP_COLS < map.cells; row++) {
		printf("  0x%08lx ", (unsigned long)heapmap_cell_addr(
					 &map, row * HEAPMAP_COLS));
		for (size_t i = row * HEAPMAP_COLS;
		     i < (row + 1) * HEAPMAP_COLS && i < map.cells; i++)
			putchar(symbol(&map.cell[i]));
		putchar('\n');
	}
}

/* The cell that shows address a, or HEAPMAP_CELLS when none does. */
static size_t cell_of(const void *a)
{
	uintptr_t p = (uintptr_t)a;

	for (size_t j = 0; j < map.regions; j++) {
		const struct heapmap_region *r = &map.region[j];

		if (p >= r->lo && p - r->lo < r->bytes)
			return r->first_cell + (p - r->lo) / map.bytes_per_cell;
	}
	return HEAPMAP_CELLS;
}

/* Every cell lying wholly inside [p, p + n) shows kind, unmixed. */
static int inside_is(const void *p, size_t n, enum heapmap_kind kind)
{
	size_t first = cell_of(p) + 1;
	size_t last = cell_of((const unsigned char *)p + n - 1);
	int seen = 0;

	for (size_t c = first; c < last; c++, seen = 1)
		if (map.cell[c].kind != kind || map.cell[c].mixed)
			return 0;
	return seen;
}

static void check_layout(void)
{
	const struct heapmap_region *lo = &map.region[0], *hi = &map.region[1];
	size_t gaps = 0, blanks_ok = 1;

	for (size_t c = 0; c < map.cells; c++)
		gaps += map.cell[c].kind == HEAPMAP_GAP;
	for (size_t c = map.cells; c < HEAPMAP_CELLS; c++)
		blanks_ok &= map.cell[c].kind == HEAPMAP_BLANK;
	/* an added region's own header, before its first block, is not
	 * shown (kernel/heapmap.c): it starts a little into its memory */
	check(map.regions == 2 && lo->lo >= (uintptr_t)arena &&
		  lo->lo < (uintptr_t)arena + LOW_BYTES / 16 &&
		  hi->lo == (uintptr_t)arena + LOW_BYTES + HOLE_BYTES,
	      "regions-in-address-order",
	      "want the added low region first, then the first region");
	check(lo->first_cell == 0 && gaps == 1 &&
		  map.cell[lo->cells].kind == HEAPMAP_GAP &&
		  hi->first_cell == lo->cells + 1,
	      "one-gap-cell-between-regions",
	      "want region, one gap cell, region");
	/* cells are whole multiples of HEAP_ALIGN: at 64 bytes a cell that
	 * rounding alone may leave a tenth of the map blank */
	check(map.cells <= HEAPMAP_CELLS &&
		  map.cells >= HEAPMAP_CELLS * 3 / 4 && blanks_ok &&
		  map.bytes_per_cell % HEAP_ALIGN == 0,
	      "fills-most-of-the-map",
	      "want 75-100% of the cells used, the rest blank");
	check(map.cell[hi->first_cell].kind == HEAPMAP_META &&
		  !map.cell[hi->first_cell].mixed &&
		  map.cell[lo->first_cell].kind != HEAPMAP_META,
	      "control-structure-is-metadata",
	      "want the first region to start with metadata, the added one "
	      "not");
}

/* What the walk shows of a cached heap: its blocks in caches, the
 * caches' own memory. */
struct cached_walk {
	size_t cached, cached_ok, internal, internal_ok;
};

static int tally_cached(const struct heap_block_info *b, void *ctx)
{
	struct cached_walk *w = ctx;
	const struct heapmap_cell *c = &map.cell[cell_of(b->ptr)];

	if (b->cached) {
		w->cached++;
		w->cached_ok +=
		    c->kind == HEAPMAP_CACHED || c->second == HEAPMAP_CACHED;
	} else if (b->internal) {
		w->internal++;
		w->internal_ok += inside_is(b->ptr, b->size, HEAPMAP_META);
	}
	return 0;
}

static int check_cached(void)
{
	struct cached_walk w = {0};
	struct heap *h = heap_create_flags(arena, sizeof arena, HEAP_CACHES);
	void *small[TINY_COUNT];

	if (!h) {
		printf("FAIL - heapmap layout-cached-heap (no heap)\n");
		return 1;
	}
	for (int i = 0; i < TINY_COUNT; i++)
		small[i] = heap_alloc(h, 48);
	for (int i = 0; i < TINY_COUNT; i++)
		heap_free(h, small[i]);
	if (heapmap_build(h, &map) != 0) {
		printf("FAIL - heapmap layout-cached-heap (walk)\n");
		return 1;
	}
	print_map("with a thread's cache");
	heap_walk(h, tally_cached, &w);
	/* a 48-byte block and its header share a cell or two: cached must be
	 * the kind, or the runner-up of a mixed cell, where each one lies */
	check(w.cached > 0 && w.cached_ok == w.cached,
	      "cached-blocks-are-cached",
	      "each block in the thread's cache shows as cached");
	check(w.internal > 0 && w.internal_ok == w.internal,
	      "cache-memory-is-metadata",
	      "the cache's own memory shows as metadata, unmixed");
	heap_destroy(h);
	return 0;
}

int main(void)
{
	struct heap *h;
	void *big, *gone, *tiny[TINY_COUNT];
	int mixed_meta = 0;

	mm_host_init();
	h = heap_create_flags(arena + LOW_BYTES + HOLE_BYTES, HIGH_BYTES,
			      HEAP_QUARANTINE);
	if (!h || heap_add_region(h, arena, LOW_BYTES) != 0) {
		printf("FAIL - heapmap layout-heap (could not lay it out)\n");
		return 1;
	}
	big = heap_alloc(h, 12 * KIB);
	gone = heap_alloc(h, 12 * KIB);
	for (int i = 0; i < TINY_COUNT; i++)
		tiny[i] = heap_alloc(h, 16);
	for (int i = 0; i < TINY_COUNT; i += 2)
		heap_free(h, tiny[i]);
	heap_free(h, gone);
	if (!big || !gone || heapmap_build(h, &map) != 0) {
		printf("FAIL - heapmap layout-heap (allocation or walk)\n");
		return 1;
	}
	print_map("with a quarantine");
	check_layout();
	check(inside_is(big, 12 * KIB, HEAPMAP_USED), "used-block-is-used",
	      "a block in use shows as used");
	check(inside_is(gone, 12 * KIB, HEAPMAP_QUARANTINED),
	      "quarantined-block-is-quarantined",
	      "a block in the quarantine shows as quarantined");
	for (int i = 0; i < TINY_COUNT; i++) {
		const struct heapmap_cell *c = &map.cell[cell_of(tiny[i])];

		mixed_meta |= c->mixed && c->kind == HEAPMAP_META;
	}
	check(mixed_meta, "tiny-blocks-are-mixed-headers",
	      "16-byte blocks, every other freed: headers cover the most, "
	      "under three quarters");

	heap_flush_quarantine(h);
	if (heapmap_build(h, &map) != 0) {
		printf("FAIL - heapmap layout-heap (walk after the flush)\n");
		return 1;
	}
	print_map("the quarantine flushed");
	check(inside_is(gone, 12 * KIB, HEAPMAP_FREE), "flushed-block-is-free",
	      "a block out of the quarantine shows as free");
	if (check_cached() != 0)
		return 1;
	return failures != 0;
}
