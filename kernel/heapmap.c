/*
 * heapmap.c - heapmap_build: from heap_walk to classified cells.
 *
 * Two walks: the first finds where each region starts and ends, which
 * fixes the cell size; the second adds every block's header and payload
 * bytes to the cells they fall in. heap_walk reports blocks only, so the
 * rest of a region is inferred: what lies before its first block (the
 * heap's control structure, in region 0, which heap_create puts at the very
 * start) and one header after its last block (the sentinel). A later
 * region's own small header, just before its first block, is not shown.
 */
#include "kernel/heapmap.h"

#include "kernel/string.h"

/* Bytes of each kind in each cell, filled by the second walk. */
static size_t tally[HEAPMAP_CELLS][HEAPMAP_KINDS];

/* What the first walk learns, by the heap's region index. */
struct extent {
	int seen;
	uintptr_t first; /* first block header */
	uintptr_t end;	 /* end of the last block's payload */
};

struct scan {
	struct heapmap *m;
	struct extent ext[HEAPMAP_MAX_REGIONS];
	size_t slot[HEAPMAP_MAX_REGIONS]; /* region index -> m->region[] */
	size_t header;			  /* bytes of one block header */
};

static int find_extents(const struct heap_block_info *b, void *ctx)
{
	struct scan *s = ctx;
	struct extent *e;

	if (b->region < 0 || b->region >= HEAPMAP_MAX_REGIONS)
		return 0;
	e = &s->ext[b->region];
	if (!e->seen) {
		e->seen = 1;
		e->first = (uintptr_t)b->block;
	}
	/* the walk goes in address order: the last block seen ends it */
	e->end = (uintptr_t)b->ptr + b->size;
	s->header = (uintptr_t)b->ptr - (uintptr_t)b->block;
	return 0;
}

/* Adds the bytes [from, to) of a region, as offsets into it, to its cells.
 * The cell's end is computed as room left in the cell, never as an address
 * past it: a region may end at the top of the address space. Bytes past
 * the region's cells are dropped: another CPU may have changed the heap
 * since the first walk measured it. */
static void add(const struct heapmap *m, const struct heapmap_region *r,
		size_t from, size_t to, enum heapmap_kind kind)
{
	size_t bpc = m->bytes_per_cell;

	if (to > r->bytes)
		to = r->bytes;
	while (from < to) {
		size_t room = bpc - from % bpc;
		size_t n = to - from < room ? to - from : room;

		tally[r->first_cell + from / bpc][kind] += n;
		from += n;
	}
}

static int add_block(const struct heap_block_info *b, void *ctx)
{
	const struct scan *s = ctx;
	const struct heapmap_region *r;
	size_t head, payload;
	enum heapmap_kind kind = b->quarantined ? HEAPMAP_QUARANTINED
				 : b->free	? HEAPMAP_FREE
				 : b->cached	? HEAPMAP_CACHED
				 : b->internal	? HEAPMAP_META
						: HEAPMAP_USED;

	if (b->region < 0 || b->region >= HEAPMAP_MAX_REGIONS)
		return 0;
	r = &s->m->region[s->slot[b->region]];
	head = (uintptr_t)b->block - r->lo;
	payload = (uintptr_t)b->ptr - r->lo;
	add(s->m, r, head, payload, HEAPMAP_META);
	add(s->m, r, payload, payload + b->size, kind);
	return 0;
}

/* Takes each region the walk saw, in address order. */
static void collect_regions(struct scan *s, uintptr_t heap_base)
{
	struct heapmap *m = s->m;

	for (int i = 0; i < HEAPMAP_MAX_REGIONS; i++) {
		const struct extent *e = &s->ext[i];
		struct heapmap_region r = {.index = i};
		size_t j;

		if (!e->seen)
			continue;
		r.lo = i == 0 ? heap_base : e->first;
		/* modulo the word: right even when the region ends at 4 GiB */
		r.bytes = (size_t)(e->end + s->header - r.lo);
		for (j = m->regions; j > 0 && m->region[j - 1].lo > r.lo; j--)
			m->region[j] = m->region[j - 1];
		m->region[j] = r;
		m->regions++;
		m->bytes += r.bytes;
	}
	for (size_t j = 0; j < m->regions; j++)
		s->slot[m->region[j].index] = j;
}

/*
 * Each region may waste most of its last cell and adds one gap cell, so
 * with n regions the bytes must fit in HEAPMAP_CELLS - 2n + 1 whole cells.
 * Cells are a multiple of HEAP_ALIGN, the heap's own grain.
 */
static void lay_out(struct heapmap *m)
{
	uint64_t usable = HEAPMAP_CELLS - 2 * m->regions + 1;
	uint64_t bpc = (m->bytes + usable - 1) / usable;
	size_t cell = 0;

	bpc = (bpc + HEAP_ALIGN - 1) / HEAP_ALIGN * HEAP_ALIGN;
	m->bytes_per_cell = bpc ? (size_t)bpc : HEAP_ALIGN;
	for (size_t j = 0; j < m->regions; j++) {
		struct heapmap_region *r = &m->region[j];

		if (j > 0)
			m->cell[cell++].kind = HEAPMAP_GAP;
		r->first_cell = cell;
		r->cells = r->bytes / m->bytes_per_cell +
			   (r->bytes % m->bytes_per_cell != 0);
		cell += r->cells;
	}
	m->cells = cell;
}

static void classify(struct heapmap_cell *c, const size_t *t)
{
	size_t total = 0, best = 0, next = 0;

	c->kind = c->second = HEAPMAP_BLANK;
	for (int k = HEAPMAP_USED; k < HEAPMAP_KINDS; k++) {
		total += t[k];
		if (t[k] > best) {
			next = best;
			c->second = c->kind;
			best = t[k];
			c->kind = (uint8_t)k;
		} else if (t[k] > next) {
			next = t[k];
			c->second = (uint8_t)k;
		}
	}
	c->mixed = best < total - total / 4;
}

int heapmap_build(struct heap *h, struct heapmap *m)
{
	static struct scan s;

	memset(m, 0, sizeof(*m));
	memset(&s, 0, sizeof(s));
	memset(tally, 0, sizeof(tally));
	s.m = m;
	heap_get_stats(h, &m->stats);
	if (heap_walk(h, find_extents, &s) != 0)
		return -1;
	m->unmapped = m->stats.regions > HEAPMAP_MAX_REGIONS
			  ? m->stats.regions - HEAPMAP_MAX_REGIONS
			  : 0;
	collect_regions(&s, (uintptr_t)h);
	lay_out(m);
	if (heap_walk(h, add_block, &s) != 0)
		return -1;
	for (size_t j = 0; j < m->regions; j++) {
		const struct heapmap_region *r = &m->region[j];
		const struct extent *e = &s.ext[r->index];

		/* what heap_walk does not show: see the top of the file */
		add(m, r, 0, e->first - r->lo, HEAPMAP_META);
		add(m, r, r->bytes - s.header, r->bytes, HEAPMAP_META);
		for (size_t c = r->first_cell; c < r->first_cell + r->cells;
		     c++)
			classify(&m->cell[c], tally[c]);
	}
	return 0;
}

uintptr_t heapmap_cell_addr(const struct heapmap *m, size_t cell)
{
	for (size_t j = 0; j < m->regions; j++) {
		const struct heapmap_region *r = &m->region[j];

		if (cell < r->first_cell)
			return r->lo; /* the gap before region j */
		if (cell < r->first_cell + r->cells)
			return r->lo +
			       (cell - r->first_cell) * m->bytes_per_cell;
	}
	return 0;
}
