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

void fl_class(size_t size, unsigned *fl, unsigned *sl)
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

void fl_insert(struct heap *h, struct block *b)
{
	unsigned fl, sl;
	struct block *head;

	fl_class(block_size(b), &fl, &sl);
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
int fl_remove(struct heap *h, struct block *b)
{
	struct free_links *l = block_links(b);
	struct block *next = l->next, *prev = l->prev;
	unsigned fl, sl;

	fl_class(block_size(b), &fl, &sl);
	if (!mm_link_plausible(h, next) || !mm_link_plausible(h, prev) ||
	    (next && block_links(next)->prev != b) ||
	    (prev ? block_links(prev)->next != b : h->lists[fl][sl] != b)) {
		mm_fault(h,
			 (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
					     .block = b,
					     .found = (uintptr_t)next},
			 "heap: free-list links of block %p corrupted (next "
			 "%p, prev %p; written after free?)",
			 (const void *)b, (const void *)next,
			 (const void *)prev);
		return -1;
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
	h->stats.free_blocks--;
	h->stats.bytes_free -= block_payload_size(b);
	return 0;
}

/*
 * Take a free block of at least size bytes off its list, or NULL. The size
 * is first rounded up to the next class boundary, so that any block in the
 * class found is big enough: no list is ever searched.
 */
struct block *fl_take(struct heap *h, size_t size)
{
	unsigned fl, sl;
	uint32_t slmap;
	struct block *b;

	if (size >= SMALL_LIMIT)
		size += ((size_t)1 << (bit_fls(size) - SL_LOG2)) - 1;
	fl_class(size, &fl, &sl);
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
	sl = bit_ffs(slmap);
	b = h->lists[fl][sl];

	if (!block_intact(h->secret, b) || !block_is_free(b)) {
		mm_fault(h,
			 (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
					     .block = b,
					     .found = b->size},
			 "heap: free block %p corrupted (size field %x; "
			 "previous block overflowed?)",
			 (const void *)b, b->size);
		return NULL;
	}
	if (fl_remove(h, b) != 0)
		return NULL;
	return b;
}
