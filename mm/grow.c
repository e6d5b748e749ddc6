/*
 * grow.c - a heap that asks its environment for memory, and gives back
 * what it no longer needs (mm/heap.h, struct heap_growth).
 *
 * Growth adds a region, like heap_add_region: the same layout, the same
 * checks. Giving back is by whole regions: a region that has become one
 * free block is purged (its pages, but for the header page and the
 * sentinel's, handed to the purge hook) when the heap keeps enough free
 * memory elsewhere, and committed again before the next block is taken
 * from it. Regions are never unlinked: other CPUs follow the list without
 * the lock.
 */
#include "bitops.h"
#include "internal.h"

#define GROW_MIN_DEFAULT ((size_t)1 << 20)
#define GROW_MAX_DEFAULT ((size_t)64 << 20)
#define PAGE_DEFAULT	 ((size_t)4096)

int heap_set_growth(struct heap *h, const struct heap_growth *g)
{
	struct heap_growth set = {0};
	uintptr_t irq;

	if (!mm_heap_valid(h))
		return -1;
	if (g) {
		set = *g;
		if (!set.page)
			set.page = PAGE_DEFAULT;
		if (set.page < HEAP_ALIGN || (set.page & (set.page - 1)) != 0 ||
		    (set.large_min && set.large_min < set.page))
			return -1;
		if (!set.grow_min)
			set.grow_min = GROW_MIN_DEFAULT;
		if (!set.grow_max)
			set.grow_max = GROW_MAX_DEFAULT;
		if (set.grow_max < set.grow_min)
			set.grow_max = set.grow_min;
		if (!set.keep)
			set.keep = set.grow_min;
	}
	if (mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return -1;
	h->growth = set;
	mm_heap_unlock(h, irq);
	return 0;
}

/* x rounded up to a multiple of page, or 0 when that wraps. */
static size_t page_up(size_t x, size_t page)
{
	return x > (size_t)-1 - page ? 0 : (size_t)round_up(x, page);
}

/*
 * No free block holds need bytes (a whole block, header included) at align:
 * ask for a region that does. 0 when one was added.
 */
int mm_grow(struct heap *h, size_t need, size_t align)
{
	const struct heap_growth *g = &h->growth;
	size_t want, step, bytes;
	uintptr_t mem;

	MM_ASSERT(mm_heap_locked(h), "a heap grows under its lock");
	if (!g->grow)
		return -1;
	/* the region's own header, the sentinel, and room to align in */
	want = need + REGION_HDR_SIZE + HDR_SIZE + MIN_BLOCK;
	if (align > HEAP_ALIGN)
		want += align + MIN_BLOCK;
	if (want < need)
		return -1;
	step = h->bytes_total / 4;
	if (step > g->grow_max)
		step = g->grow_max;
	if (step < g->grow_min)
		step = g->grow_min;
	bytes = page_up(want > step ? want : step, g->page);
	if (!bytes)
		return -1;
	mem = (uintptr_t)g->grow(bytes, g->ctx);
	if (!mem)
		return -1;
	if ((mem & (HEAP_ALIGN - 1)) != 0 || bytes > UINTPTR_MAX - mem ||
	    mm_add_region(h, mem, mem, mem + bytes, 1) != 0) {
		/* not memory a region can be made of: it overlaps one */
		if (g->release)
			g->release((void *)mem, bytes, g->ctx);
		return -1;
	}
	h->regions->grown = bytes;
	h->stats.regions_grown++;
	return 0;
}

/*
 * Grown regions that are one free block go back whole, through release.
 * The list is changed under the lock, but other CPUs read it without: the
 * caller makes sure none is in the heap (heap.h).
 */
size_t heap_trim(struct heap *h)
{
	const struct heap_growth *g = &h->growth;
	struct region **link, *r;
	size_t given = 0;
	uintptr_t irq;

	if (!mm_heap_valid(h) || mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return 0;
	for (link = &h->regions; g->release && (r = *link) != NULL;) {
		struct block *b = r->first;

		if (!r->grown || !block_is_listed(b) ||
		    !block_is_sentinel(block_next(b)) ||
		    mm_fl_remove(h, b) != 0) {
			link = &r->next;
			continue;
		}
		*link = r->next;
		/* indices stay 0..regions-1, in the order they were made */
		for (struct region *o = h->regions; o; o = o->next)
			if (o->index > r->index)
				o->index--;
		h->stats.regions--;
		h->stats.bytes_purged -= r->purged;
		h->bytes_total -=
		    (size_t)((uintptr_t)r->sentinel + HDR_SIZE - r->base);
		given += r->grown;
		g->release((void *)r->base, r->grown, g->ctx);
	}
	mm_heap_unlock(h, irq);
	return given;
}

/* The whole pages of a region's only free block, past its header and
 * links, before the sentinel. */
static void purgeable(const struct heap *h, const struct region *r,
		      uintptr_t *from, uintptr_t *to)
{
	uintptr_t page = h->growth.page;

	*from = round_up((uintptr_t)block_payload(r->first) + LINKS_SIZE, page);
	*to = round_down((uintptr_t)r->sentinel, page);
	if (*to < *from)
		*to = *from;
}

/*
 * b has just become a free block, merged and listed. When it is all of its
 * region and the heap keeps `keep` free bytes besides it (so that a
 * program that frees and allocates around one boundary does not purge
 * each time), its pages go back.
 */
void mm_maybe_purge(struct heap *h, struct block *b)
{
	const struct heap_growth *g = &h->growth;
	size_t payload = block_payload_size(b);
	size_t resident;
	uintptr_t from, to;
	struct region *r;

	if (!g->purge || b->prev || !block_is_sentinel(block_next(b)))
		return;
	r = mm_region_of(h, (uintptr_t)b);
	if (!r || r->purged || r->first != b)
		return;
	resident = h->stats.bytes_free - h->stats.bytes_purged;
	if (resident < payload || resident - payload < g->keep)
		return;
	purgeable(h, r, &from, &to);
	if (to - from < g->page)
		return;
	g->purge((void *)from, (size_t)(to - from), g->ctx);
	r->purged = (size_t)(to - from);
	h->stats.bytes_purged += r->purged;
}

/*
 * A block is about to be taken from purged region r: its pages must be
 * there again. In checking mode they must also read as poison again (the
 * environment may give them back zeroed). 0, or -1 when they cannot be.
 */
int mm_commit_region(struct heap *h, struct region *r)
{
	const struct heap_growth *g = &h->growth;
	uintptr_t from, to;

	purgeable(h, r, &from, &to);
	if (g->commit && g->commit((void *)from, (size_t)(to - from), g->ctx))
		return -1;
	if (mm_checking(h))
		mm_fill((void *)from, HEAP_FREE_BYTE, (size_t)(to - from));
	h->stats.bytes_purged -= r->purged;
	r->purged = 0;
	return 0;
}

/*
 * Free memory inside regions that stay in use. Where purged pages come
 * back by themselves (no commit hook) and nothing reads free memory (not
 * the checking mode), the pages inside large free blocks can go back
 * without any record of it: a block taken later just finds zeros there.
 * Every SWEEP_DEBT bytes freed, the free blocks of at least SWEEP_MIN
 * bytes are purged - a bounded walk of the top free lists, paid for by the
 * frees that made them.
 */
#define SWEEP_DEBT ((size_t)16 << 20)
#define SWEEP_MIN  ((size_t)1 << 20)
#define SWEEP_MAX  64 /* blocks purged a sweep */

void mm_purge_sweep(struct heap *h, size_t freed)
{
	const struct heap_growth *g = &h->growth;
	unsigned fl, sl, done = 0;

	h->purge_debt += freed;
	if (h->purge_debt < SWEEP_DEBT || g->commit || mm_checking(h))
		return;
	h->purge_debt = 0;
	mm_fl_class(SWEEP_MIN, &fl, &sl);
	for (; fl < FL_COUNT && done < SWEEP_MAX; fl++) {
		for (sl = 0; sl < SL_COUNT && done < SWEEP_MAX; sl++) {
			struct block *b = h->lists[fl][sl];

			for (; b && done < SWEEP_MAX && mm_link_ok(h, b);
			     b = block_links(b)->next, done++) {
				uintptr_t from = round_up(
				    (uintptr_t)block_payload(b) + LINKS_SIZE,
				    g->page);
				uintptr_t to =
				    round_down(block_end(b), g->page);

				if (to > from)
					g->purge((void *)from,
						 (size_t)(to - from), g->ctx);
			}
		}
	}
}
