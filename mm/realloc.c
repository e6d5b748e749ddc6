/*
 * realloc.c - heap_realloc and heap_usable_size.
 *
 * Realloc stays in place when it can: shrinking splits off the tail, growing
 * takes in a free successor. Only then does it move, keeping the alignment
 * the block was allocated with. Any failure leaves the old block as it was.
 */
#include "cache_ops.h"
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
	struct large *l = h->large ? mm_large_find(h, ptr) : NULL;
	struct block *b;
	struct block *next;
	unsigned align_log2;
	size_t need, old;
	void *q;

	if (l)
		return mm_request_size(h, n, &need) == 0
			   ? mm_large_realloc(h, l, n)
			   : NULL;
	b = mm_lookup(h, ptr, MM_REALLOC);
	if (!b || mm_request_size(h, n, &need) != 0)
		return NULL;
	if (mm_checking(h))
		mm_canary_verify(h, b);
	old = mm_usable(h, b);
	align_log2 = meta_align_log2(mm_meta(h, b));
	next = block_next(b);
	/* all of next, prev link included: a realloc in place may not touch
	 * it, and damage there must not wait for a merge to be seen */
	if (!mm_header_sound(h, next) || next->prev != b) {
		mm_report_header(h, next, ptr);
		return NULL;
	}

	if (need <= block_size(b)) {
		mm_uncount_used(h, b);
		mm_split(h, b, need, 0);
		mm_mark_used(h, b, n, align_log2);
		return resized(h, b, old, n);
	}
	if (block_is_listed(next) && block_size(b) + block_size(next) >= need) {
		mm_verify_reused(h, next,
				 (uintptr_t)b + need + HDR_SIZE + LINKS_SIZE);
		if (mm_fl_remove(h, next) == 0) {
			mm_uncount_used(h, b);
			b->size = block_size(b) + block_size(next);
			mm_set_prev(h, block_next(b), next, b);
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

static void *realloc_op(struct heap *h, void *ptr, size_t n, size_t align)
{
	(void)align;
	return realloc_locked(h, ptr, n);
}

/*
 * HEAP_CACHES: a small block that stays in its class changes without the
 * lock, only its meta; otherwise it moves, through the caches. NULL with
 * *done 0: take the locked path.
 */
static void *realloc_cached(struct heap *h, void *ptr, size_t n, int *done,
			    const void *caller)
{
	uintptr_t data;
	struct block *b = mm_owned_block(h, ptr, &data);
	size_t old, payload;
	unsigned k;
	void *q;

	*done = 0;
	if (!b || meta_align_log2(data) != ALIGN_LOG2 ||
	    (payload = block_payload_size(b)) > h->cache_max)
		return NULL;
	old = payload - meta_slack(data);
	k = cache_class_of(n);
	if (cache_class_payload(k) == payload) {
		uintptr_t irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
		struct mm_cache *c = mm_cache_mine(h);

		if (c) {
			block_set_meta(
			    b, meta_make(block_key(h->secret, b),
					 meta_used(payload - n, ALIGN_LOG2)));
			add_requested(c, (intptr_t)n - (intptr_t)old);
			*done = 1;
		}
		if (mm_hooks.irq_restore)
			mm_hooks.irq_restore(irq);
		if (*done)
			ann_resize(ptr, old, n);
		return *done ? ptr : NULL;
	}
	q = heap_alloc_from(h, n, caller);
	if (!q)
		return NULL;
	/* the caller may have used all it was told it had, not only what it
	 * asked for */
	old = mm_usable(h, b);
	mm_copy(q, ptr, n < old ? n : old);
	heap_free_from(h, ptr, caller);
	*done = 1;
	return q;
}

void *heap_realloc_from(struct heap *h, void *ptr, size_t size,
			const void *caller)
{
	int done;

	if (!mm_heap_valid(h))
		return NULL;
	if (!ptr)
		return heap_alloc_from(h, size, caller);
	if (size == 0) {
		heap_free_from(h, ptr, caller);
		return NULL;
	}
	if (h->cached && size <= h->cache_max) {
		void *q = realloc_cached(h, ptr, size, &done, caller);

		if (done)
			return q;
	}
	/* ptr is untouched when it fails for want of memory: it may be
	 * tried again */
	return mm_locked_retrying(h, realloc_op, ptr, size, 0, caller);
}

void *heap_realloc(struct heap *h, void *ptr, size_t size)
{
	return heap_realloc_from(h, ptr, size, HEAP_CALLER());
}

size_t heap_usable_size_from(struct heap *h, const void *ptr,
			     const void *caller)
{
	uintptr_t irq, data;
	struct block *b;
	struct large *l;
	size_t n = 0;

	if (!ptr || !mm_heap_valid(h))
		return 0;
	/* with caches, as fast as a free: the holder of a block alone changes
	 * its check and meta, so no lock is needed to read them (its prev
	 * link, which neighbours rewrite under the lock, is left to them) */
	if (h->cached && (b = mm_owned_block(h, ptr, &data)) != NULL &&
	    !MM_ANNOTATED)
		return block_payload_size(b);
	if (mm_heap_lock(h, &irq, caller) != 0)
		return 0;
	if (h->large && (l = mm_large_find(h, ptr)) != NULL) {
		n = mm_large_usable(h, l);
	} else {
		b = mm_lookup(h, ptr, MM_USABLE_SIZE);
		if (b)
			n = mm_usable(h, b);
	}
	mm_heap_unlock(h, irq);
	return n;
}

size_t heap_usable_size(struct heap *h, const void *ptr)
{
	return heap_usable_size_from(h, ptr, HEAP_CALLER());
}
