/*
 * realloc.c - heap_realloc and heap_usable_size.
 *
 * Realloc stays in place when it can: shrinking splits off the tail, growing
 * takes in a free successor. Only then does it move, keeping the alignment
 * the block was allocated with. Any failure leaves the old block as it was.
 */
#include "internal.h"

static void *realloc_locked(struct heap *h, void *ptr, size_t n)
{
	struct block *b = mm_lookup(h, ptr, "realloc");
	struct block *next;
	unsigned align_log2;
	size_t need;
	void *q;

	if (!b || mm_request_size(n, &need) != 0)
		return NULL;
	align_log2 = (unsigned)(b->meta >> META_ALIGN_SHIFT);
	next = block_next(b);
	if (!block_intact(h->secret, next)) {
		mm_fault(h,
			 (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
					     .ptr = ptr,
					     .block = next,
					     .found = next->size},
			 "heap: header of block %p corrupted (size field %x; "
			 "previous block %p overflowed?)",
			 (const void *)next, next->size, (const void *)b);
		return NULL;
	}

	if (need <= block_size(b)) {
		mm_unmark_used(h, b);
		mm_split(h, b, need);
		mm_mark_used(h, b, n, align_log2);
		return ptr;
	}
	if (block_is_free(next) && block_size(b) + block_size(next) >= need &&
	    fl_remove(h, next) == 0) {
		mm_unmark_used(h, b);
		b->size = block_size(b) + block_size(next);
		mm_set_prev(h, block_next(b), b);
		mm_split(h, b, need);
		mm_mark_used(h, b, n, align_log2);
		return ptr;
	}

	q = mm_alloc_locked(h, n, (size_t)1 << align_log2);
	if (!q)
		return NULL;
	mm_copy(q, ptr, n < block_payload_size(b) ? n : block_payload_size(b));
	mm_free_locked(h, b);
	return q;
}

void *heap_realloc(struct heap *h, void *ptr, size_t size)
{
	uintptr_t irq;
	void *q;

	if (!heap_valid(h))
		return NULL;
	if (!ptr)
		return heap_alloc(h, size);
	if (size == 0) {
		heap_free(h, ptr);
		return NULL;
	}
	irq = spin_lock(&h->lock);
	q = realloc_locked(h, ptr, size);
	spin_unlock(&h->lock, irq);
	return q;
}

size_t heap_usable_size(struct heap *h, const void *ptr)
{
	uintptr_t irq;
	struct block *b;
	size_t n = 0;

	if (!ptr || !heap_valid(h))
		return 0;
	irq = spin_lock(&h->lock);
	b = mm_lookup(h, ptr, "usable_size");
	if (b)
		n = block_payload_size(b);
	spin_unlock(&h->lock, irq);
	return n;
}
