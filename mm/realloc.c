/*
 * realloc.c - heap_realloc and heap_usable_size.
 *
 * Realloc stays in place when it can: shrinking splits off the tail, growing
 * takes in a free successor. Only then does it move, keeping the alignment
 * the block was allocated with. Any failure leaves the old block as it was.
 */
#include "internal.h"

/* Checking mode: the bytes past the old size are new, then the red zone. */
static void *resized(struct heap *h, struct block *b, size_t old, size_t n)
{
	ann_resize(block_payload(b), old, n);
	if (mm_checking(h))
		mm_fill_new(b, old < n ? old : n, n);
	return block_payload(b);
}

static void *realloc_locked(struct heap *h, void *ptr, size_t n)
{
	struct block *b = mm_lookup(h, ptr, "realloc");
	struct block *next;
	unsigned align_log2;
	size_t need, old;
	void *q;

	if (!b || mm_request_size(h, n, &need) != 0)
		return NULL;
	if (mm_checking(h))
		mm_canary_verify(h, b);
	old = mm_usable(h, b);
	align_log2 = (unsigned)(b->meta >> META_ALIGN_SHIFT);
	next = block_next(b);
	if (!block_intact(h->secret, next)) {
		mm_report_header(h, next, ptr);
		return NULL;
	}

	if (need <= block_size(b)) {
		mm_unmark_used(h, b);
		mm_split(h, b, need, 0);
		mm_mark_used(h, b, n, align_log2);
		return resized(h, b, old, n);
	}
	if (block_is_listed(next) && block_size(b) + block_size(next) >= need) {
		if (mm_checking(h))
			mm_poison_verify(
			    h, next,
			    (uintptr_t)block_payload(next) + LINKS_SIZE,
			    (uintptr_t)b + need + HDR_SIZE + LINKS_SIZE <
				    block_end(next)
				? (uintptr_t)b + need + HDR_SIZE + LINKS_SIZE
				: block_end(next));
		if (fl_remove(h, next) == 0) {
			mm_unmark_used(h, b);
			b->size = block_size(b) + block_size(next);
			mm_set_prev(h, block_next(b), b);
			mm_split(h, b, need, 1);
			mm_mark_used(h, b, n, align_log2);
			return resized(h, b, old, n);
		}
	}

	q = mm_alloc_locked(h, n, (size_t)1 << align_log2);
	if (!q)
		return NULL;
	mm_copy(q, ptr, n < old ? n : old);
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
	irq = heap_lock(h);
	q = realloc_locked(h, ptr, size);
	heap_unlock(h, irq);
	return q;
}

size_t heap_usable_size(struct heap *h, const void *ptr)
{
	uintptr_t irq;
	struct block *b;
	size_t n = 0;

	if (!ptr || !heap_valid(h))
		return 0;
	irq = heap_lock(h);
	b = mm_lookup(h, ptr, "usable_size");
	if (b)
		n = mm_usable(h, b);
	heap_unlock(h, irq);
	return n;
}
