/*
 * freelist.c - segregated free lists found through two-level bitmaps.
 *
 * Free blocks are filed by size class (fl, sl) into doubly linked lists.
 * fl_map has a bit per first level with any non-empty list; sl_map[fl] a
 * bit per non-empty list in it. Finding a block that fits is two bit scans,
 * whatever the number of free blocks.
 */
#include "bitops.h"
#include "internal.h"

void mm_fl_class(size_t size, unsigned *fl, unsigned *sl)
{
	if (size < SMALL_LIMIT) {
		*fl = 0;
		*sl = (unsigned)(size >> ALIGN_LOG2);
	} else {
		unsigned f = bit_fls(size);

		*fl = f - FL_SHIFT + 1;
		*sl = (unsigned)(size >> (f - SL_LOG2)) ^ SL_COUNT;
	}
}

void mm_fl_insert(struct heap *h, struct block *b)
{
	unsigned fl, sl;
	struct block *head;

	MM_ASSERT(mm_heap_locked(h), "the free lists change under the lock");
	MM_ASSERT(block_is_listed(b) && block_intact(h->secret, b),
		  "only a free block, sealed as free, goes on a free list");
	MM_ASSERT(block_size(b) >= MIN_BLOCK && block_size(b) % HEAP_ALIGN == 0,
		  "a free block is whole and aligned: its links fit");
	if (h->relist)
		return; /* mm_relist() will file it: its header says free */
	mm_fl_class(block_size(b), &fl, &sl);
	head = h->lists[fl][sl];
	block_links(b)->next = head;
	block_links(b)->prev = NULL;
	if (head)
		block_links(head)->prev = b;
	h->lists[fl][sl] = b;
	h->fl_map |= (uintptr_t)1 << fl;
	h->sl_map[fl] |= (uint32_t)1 << sl;
	h->stats.free_blocks++;
	h->stats.bytes_free += block_payload_size(b);
}

/*
 * Unlink b, after checking that its neighbours in the list point back at it
 * (a write into a free block's payload shows up here, before any pointer
 * read from it is written through). Returns 0, or -1 after reporting.
 */
int mm_fl_remove(struct heap *h, struct block *b)
{
	struct free_links *l = block_links(b);
	struct block *next = l->next, *prev = l->prev;
	unsigned fl, sl;

	MM_ASSERT(mm_heap_locked(h), "the free lists change under the lock");
	if (h->relist)
		return 0; /* the lists are rebuilt before they are read */
	mm_fl_class(block_size(b), &fl, &sl);
	if (!mm_link_ok(h, next) || !mm_link_ok(h, prev) ||
	    (next && block_links(next)->prev != b) ||
	    (prev ? block_links(prev)->next != b : h->lists[fl][sl] != b)) {
		/* a free block's payload was written: in checking mode that
		 * is known to be a use after free, in fast mode it may also be
		 * a stray write from elsewhere */
		int bad_next = !mm_link_ok(h, next) ||
			       (next && block_links(next)->prev != b);
		struct heap_fault f = {
		    .kind = mm_checking(h) ? HEAP_FAULT_USE_AFTER_FREE
					   : HEAP_FAULT_CORRUPTED,
		    .ptr = block_payload(b),
		    .block = b,
		    .found = (uintptr_t)(bad_next ? next : prev),
		    .offset = bad_next ? 0 : sizeof(struct block *)};

		mm_fault(h, f,
			 "heap: free-list links of free block %B overwritten "
			 "(next link %p, prev link %p; written after free?)",
			 b, (const void *)next, (const void *)prev);
		/* no link in this list can be trusted now: drop every list and
		 * file the free blocks again from their headers (mm_relist),
		 * so that allocation goes on. b is off its list, as asked. */
		h->relist = 1;
		return 0;
	}
	if (next)
		block_links(next)->prev = prev;
	if (prev) {
		block_links(prev)->next = next;
	} else {
		h->lists[fl][sl] = next;
		if (!next) {
			h->sl_map[fl] &= ~((uint32_t)1 << sl);
			if (!h->sl_map[fl])
				h->fl_map &= ~((uintptr_t)1 << fl);
		}
	}
	MM_ASSERT(h->stats.free_blocks > 0 &&
		      h->stats.bytes_free >= block_payload_size(b),
		  "the free counts include every block on a list");
	h->stats.free_blocks--;
	h->stats.bytes_free -= block_payload_size(b);
	return 0;
}

/* Head of the first non-empty list at class (fl, sl) or above, or NULL. */
static struct block *first_at_or_above(const struct heap *h, unsigned fl,
				       unsigned sl)
{
	uint32_t slmap;

	if (fl >= FL_COUNT)
		return NULL;
	slmap = h->sl_map[fl] & (~(uint32_t)0 << sl);
	if (!slmap) {
		uintptr_t flmap = h->fl_map & (~(uintptr_t)0 << (fl + 1));

		if (!flmap)
			return NULL;
		fl = bit_ffs(flmap);
		slmap = h->sl_map[fl];
	}
	MM_ASSERT(slmap != 0 && h->lists[fl][bit_ffs(slmap)] != NULL,
		  "a bit set in the maps names a list that is not empty");
	return h->lists[fl][bit_ffs(slmap)];
}

/*
 * Near the top of the heap the rounded-up class can be empty while the
 * request's own class holds a block that fits (the largest free block,
 * say). A few entries of that list are worth a look; a bounded number, so
 * that allocation stays constant-time.
 */
#define FIT_SCAN 8

static struct block *fit_in_own_class(const struct heap *h, size_t size)
{
	struct block *b;
	unsigned fl, sl, n;

	mm_fl_class(size, &fl, &sl);
	if (fl >= FL_COUNT)
		return NULL;
	for (b = h->lists[fl][sl], n = 0; b && n < FIT_SCAN; n++) {
		if (!mm_header_sound(h, b))
			return b; /* mm_fl_take reports it */
		if (block_size(b) >= size)
			return b;
		b = block_links(b)->next;
		if (!mm_link_ok(h, b))
			return NULL;
	}
	return NULL;
}

/*
 * Take a free block of at least size bytes off its list, or NULL. The size
 * is first rounded up to the next class boundary, so that any block in the
 * class found is big enough: no list is searched, only a head taken.
 */
struct block *mm_fl_take(struct heap *h, size_t size)
{
	size_t rounded = size;
	unsigned fl, sl;
	struct block *b;

	MM_ASSERT(mm_heap_locked(h), "the free lists change under the lock");
	/* no block is between list and use here, so rebuilding is safe */
	if (h->relist)
		mm_relist(h);

	if (size >= SMALL_LIMIT)
		rounded += ((size_t)1 << (bit_fls(size) - SL_LOG2)) - 1;
	mm_fl_class(rounded, &fl, &sl);
	b = first_at_or_above(h, fl, sl);
	/* a much larger block would be split and leave a hole: a block from
	 * the request's own class, if one of the first few fits, wastes less
	 * (measured: peak footprint on the mixed benchmark 1.38 -> 1.18) */
	if (size >= SMALL_LIMIT && (!b || block_size(b) - size > size / 4)) {
		struct block *own = fit_in_own_class(h, size);

		if (own)
			b = own;
	}
	if (!b)
		return NULL;

	if (!mm_header_sound(h, b)) {
		mm_report_header(h, b, NULL);
		return NULL;
	}
	/* its extent is sound, so it can still be handed out; a prev link
	 * that names no block is reported here, where it is seen, not left
	 * to a merge that may never come */
	{
		struct region *r = mm_region_of(h, (uintptr_t)b);

		if (!r || !mm_prev_ok(h, r, b))
			mm_report_header(h, b, NULL);
		/* a purged region's pages come back before it is used */
		else if (r->purged && mm_commit_region(h, r) != 0)
			return NULL;
	}
	if (!block_is_listed(b)) {
		mm_fault(h,
			 (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
					     .block = b},
			 "heap: free list holds block %B, which is not free",
			 b);
		return NULL;
	}
	if (mm_fl_remove(h, b) != 0)
		return NULL;
	MM_ASSERT(block_size(b) >= size,
		  "a block taken holds the request: its class was rounded up, "
		  "or its size compared");
	return b;
}

/*
 * Rebuild every free list from the blocks' own headers, after a list was
 * found damaged. Called between operations (mm_heap_unlock) or where no block
 * is half taken (mm_fl_take). A region is followed only as far as its headers
 * verify and tile it; heap_check reports whatever lies past damage.
 */
void mm_relist(struct heap *h)
{
	const struct region *r;

	h->relist = 0;
	h->fl_map = 0;
	mm_fill(h->sl_map, 0, sizeof h->sl_map);
	mm_fill(h->lists, 0, sizeof h->lists);
	h->stats.free_blocks = 0;
	h->stats.bytes_free = 0;
	for (r = h->regions; r; r = r->next) {
		struct block *c;

		for (c = r->first; c != r->sentinel; c = block_next(c)) {
			if (!mm_block_fits(h, r, c))
				break;
			if (block_is_listed(c))
				mm_fl_insert(h, c);
		}
	}
}
