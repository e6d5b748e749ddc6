/*
 * strip.c - classifying every byte of the arena, one pixel at a time.
 */
#include "tools/heapviz/strip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[STRIP_CLASSES] = {
    [STRIP_GAP] = "gap",   [STRIP_META] = "meta",
    [STRIP_USED] = "used", [STRIP_SLACK] = "slack",
    [STRIP_FREE] = "free", [STRIP_QUARANTINED] = "quarantined",
};

const char *strip_class_name(unsigned cls)
{
	return cls < STRIP_CLASSES ? class_names[cls] : "?";
}

/*
 * Pixel i covers offsets [ceil(i*range/width), ceil((i+1)*range/width)),
 * so offset o lies in pixel floor(o*width/range): every byte is in exactly
 * one pixel and pixels differ in size by at most one byte.
 */
struct map {
	uintptr_t lo;
	uint64_t range;
	unsigned width;
	uint64_t (*bytes)[STRIP_CLASSES];
	unsigned char *edge;
};

static uint64_t pixel_start(const struct map *m, unsigned i)
{
	return ((uint64_t)i * m->range + m->width - 1) / m->width;
}

static unsigned pixel_of(const struct map *m, uintptr_t a)
{
	return (unsigned)((uint64_t)(a - m->lo) * m->width / m->range);
}

/* Reclassify [a, b) from one class to another, pixel by pixel. */
static void move_span(struct map *m, uintptr_t a, uintptr_t b, unsigned from,
		      unsigned to)
{
	unsigned i;

	if (a >= b)
		return;
	for (i = pixel_of(m, a); i <= pixel_of(m, b - 1); i++) {
		uint64_t lo = pixel_start(m, i), hi = pixel_start(m, i + 1);
		uint64_t s = a - m->lo, e = b - m->lo, n;

		if (s < lo)
			s = lo;
		if (e > hi)
			e = hi;
		n = e - s;
		m->bytes[i][from] -= n;
		m->bytes[i][to] += n;
	}
}

/* Everything inside a region starts as metadata and only payloads are
 * moved out of it: what is left is block headers, the control structure,
 * region headers and sentinels. */
static int visit(const struct heap_block_info *b, void *ctx)
{
	struct map *m = ctx;
	uintptr_t pay = (uintptr_t)b->ptr;
	uintptr_t end = pay + b->size;
	uintptr_t mark = pay + (uintptr_t)(m->range / m->width / 2);

	/* Half a pixel into the payload: that pixel is mostly this block's
	 * own (when the block spans a pixel and a half), so the edge shows
	 * in the block's colour, not its neighbour's. */
	m->edge[pixel_of(m, mark < end ? mark : end - 1)] = 1;
	if (b->quarantined) {
		move_span(m, pay, end, STRIP_META, STRIP_QUARANTINED);
	} else if (b->free) {
		move_span(m, pay, end, STRIP_META, STRIP_FREE);
	} else {
		move_span(m, pay, pay + b->requested, STRIP_META, STRIP_USED);
		move_span(m, pay + b->requested, end, STRIP_META, STRIP_SLACK);
	}
	return 0;
}

int strip_take(const struct replay *r, unsigned width, unsigned char *px)
{
	struct map m = {.lo = r->whole.lo,
			.range = r->whole.hi - r->whole.lo,
			.width = width};
	unsigned i, c, best;
	int rc;

	m.bytes = calloc(width, sizeof *m.bytes);
	m.edge = calloc(width, 1);
	if (!m.bytes || !m.edge) {
		fprintf(stderr, "heapviz: out of memory for a strip\n");
		exit(1);
	}
	for (i = 0; i < width; i++)
		m.bytes[i][STRIP_GAP] =
		    pixel_start(&m, i + 1) - pixel_start(&m, i);
	for (i = 0; i < r->cfg.regions; i++)
		move_span(&m, r->region[i].lo, r->region[i].hi, STRIP_GAP,
			  STRIP_META);
	rc = heap_walk(r->heap, visit, &m);
	for (i = 0; i < width; i++) {
		/* Ties go to the later class: free over used, so that a
		 * hole is never hidden. */
		best = 0;
		for (c = 1; c < STRIP_CLASSES; c++)
			if (m.bytes[i][c] >= m.bytes[i][best])
				best = c;
		px[i] = (unsigned char)(best | (m.edge[i] ? STRIP_EDGE : 0));
	}
	free(m.bytes);
	free(m.edge);
	return rc ? -1 : 0;
}

int strip_stats(const struct replay *r, struct strip_stats *st)
{
	struct heap_stats hs;

	heap_get_stats(r->heap, &hs);
	memset(st, 0, sizeof *st);
	st->step = r->steps;
	st->used = hs.bytes_used;
	st->requested = hs.bytes_requested;
	st->free = hs.bytes_free;
	st->largest_free = hs.largest_free;
	st->overhead = hs.bytes_overhead;
	st->used_blocks = hs.used_blocks;
	st->free_blocks = hs.free_blocks;
	st->failed = r->failed;
	st->moved = r->moved;
	st->fragmentation = hs.bytes_free ? 1.0 - (double)hs.largest_free /
						      (double)hs.bytes_free
					  : 0.0;
	return heap_check(r->heap);
}
