/*
 * alloc.c - heap_alloc, heap_calloc, heap_aligned_alloc, and the block
 * operations that allocation, free and realloc share.
 */
#include "bitops.h"
#include "cache_ops.h"
#include "internal.h"

int mm_request_size(const struct heap *h, size_t n, size_t *block_bytes)
{
	size_t payload;

	if (n > MAX_REQUEST)
		return -1;
	payload = round_up(n + (mm_checking(h) ? HEAP_REDZONE : 0), HEAP_ALIGN);
	if (payload < MIN_PAYLOAD)
		payload = MIN_PAYLOAD;
	*block_bytes = payload + HDR_SIZE;
	return 0;
}

/*
 * Point n back at prev, where it named was. prev is not part of n's check
 * (operations on either side of n may rewrite it, under the lock), so
 * nothing is resealed - and damage to it would be overwritten unseen: a
 * header that is not as it must be is reported first.
 */
void mm_set_prev(struct heap *h, struct block *n, const struct block *was,
		 struct block *prev)
{
	MM_ASSERT(mm_heap_locked(h), "prev links change under the lock");
	if (!mm_header_sound(h, n) || n->prev != was)
		mm_report_header(h, n, NULL);
	n->prev = prev;
}

/* blocks (with payload and requested bytes in all) left the heap (add) or
 * came back: every block out, a caller's, cached or the heap's own. */
void mm_account_out(struct heap *h, size_t blocks, size_t payload,
		    size_t requested, int add)
{
	struct heap_stats *s = &h->stats;

	MM_ASSERT(mm_heap_locked(h), "the counts change under the lock");
	/* not bytes_requested: what callers asked for through a cache is
	 * counted by that cache, so the heap's own share may dip below 0 */
	MM_ASSERT(add || (s->used_blocks >= blocks && s->bytes_used >= payload),
		  "only what went out comes back: the counts never go below 0");
	if (add) {
		s->used_blocks += blocks;
		s->bytes_used += payload;
		s->bytes_requested += requested;
		if (s->bytes_used > s->peak_used)
			s->peak_used = s->bytes_used;
	} else {
		s->used_blocks -= blocks;
		s->bytes_used -= payload;
		s->bytes_requested -= requested;
	}
}

void mm_mark_used(struct heap *h, struct block *b, size_t requested,
		  unsigned align_log2)
{
	size_t size = block_size(b);

	MM_ASSERT(size >= MIN_BLOCK && size - HDR_SIZE >= requested,
		  "a block handed out holds what was asked for");
	MM_ASSERT(size - HDR_SIZE - requested <= META_SLACK_MASK,
		  "a longer tail was split off: the slack fits meta's field");
	b->size = size;
	block_seal(h->secret, b);
	MM_ASSERT_NOTE(if (h->unsealed == b) h->unsealed = NULL);
	block_set_meta(
	    b, meta_make(block_key(h->secret, b),
			 meta_used(size - HDR_SIZE - requested, align_log2)));
	mm_account_out(h, 1, size - HDR_SIZE, requested, 1);
}

/* Only the statistics: b (a used block) stops being counted as in use,
 * before it is resized or freed. Its header is not touched. */
void mm_uncount_used(struct heap *h, struct block *b)
{
	mm_account_out(h, 1, block_payload_size(b), mm_requested(h, b), 0);
}

void mm_mark_free(struct heap *h, struct block *b, size_t size)
{
	b->size = size | BLOCK_FREE;
	block_set_meta(b, 0);
	block_seal(h->secret, b);
}

/*
 * Shrink b to size bytes when the rest is big enough to be a block of its
 * own. The rest becomes a free block (merged with a free successor, which
 * only a shrinking realloc can have) and goes on its list. b itself is left
 * unsealed: the caller marks it used (with MM_ASSERTS, mm_heap_unlock
 * checks that it did). In checking mode the rest is poisoned
 * unless it already was (it came out of a free block).
 */
void mm_split(struct heap *h, struct block *b, size_t size, int rest_poisoned)
{
	size_t total = block_size(b);
	struct block *next = block_next(b);
	struct block *rest = (struct block *)((uintptr_t)b + size);
	size_t rest_size = total - size;
	uintptr_t poison_to = (uintptr_t)next;
	struct block *was = b; /* what next names now */

	MM_ASSERT(size >= MIN_BLOCK && size <= total && size % HEAP_ALIGN == 0,
		  "a split keeps a whole, aligned block inside b");
	MM_ASSERT_NOTE(h->unsealed = b);
	if (rest_size < MIN_BLOCK)
		return;
	b->size = size | (b->size & BLOCK_FLAGS);
	/* a free successor is merged into the rest: all of its header first,
	 * since absorbing it would erase damage unseen */
	if (block_is_listed(next) &&
	    (!mm_header_sound(h, next) || next->prev != b)) {
		mm_report_header(h, next, NULL);
	} else if (block_is_listed(next) && mm_fl_remove(h, next) == 0) {
		rest_size += block_size(next);
		poison_to = (uintptr_t)block_payload(next) + LINKS_SIZE;
		was = next;
		next = block_next(next);
	}
	rest->prev = b;
	mm_mark_free(h, rest, rest_size);
	mm_set_prev(h, next, was, rest);
	mm_fl_insert(h, rest);
	if (mm_checking(h) && !rest_poisoned) {
		uintptr_t from = (uintptr_t)block_payload(rest) + LINKS_SIZE;

		mm_fill((void *)from, HEAP_FREE_BYTE, poison_to - from);
	}
}

/*
 * Over-allocate, then cut a free block off the front so that the payload
 * lands on the boundary. The front piece must be empty or a whole block.
 */
static void *alloc_aligned_locked(struct heap *h, size_t n, size_t need,
				  size_t align)
{
	struct block *b = mm_fl_take(h, need + align + MIN_BLOCK);
	uintptr_t start, p;
	size_t gap;

	if (!b)
		return NULL;
	start = (uintptr_t)b;
	p = round_up(start + HDR_SIZE, align);
	while (p - HDR_SIZE - start != 0 && p - HDR_SIZE - start < MIN_BLOCK)
		p += align;
	gap = p - HDR_SIZE - start;
	MM_ASSERT(
	    p % align == 0 && (gap == 0 || gap >= MIN_BLOCK) &&
		gap + need <= block_size(b),
	    "the payload lands on the boundary, the piece before it is "
	    "empty or a whole block, and the rest still holds the request");
	mm_verify_reused(h, b, p + need + LINKS_SIZE);
	if (gap) {
		struct block *a = block_from_payload((void *)p);

		a->size = block_size(b) - gap;
		a->prev = b;
		block_set_meta(a, 0);
		block_seal(h->secret, a);
		mm_set_prev(h, block_next(a), b, a);
		mm_mark_free(h, b, gap);
		mm_fl_insert(h, b);
		b = a;
	}
	mm_split(h, b, need, 1);
	mm_mark_used(h, b, n, bit_ffs(align));
	return block_payload(b);
}

static void *alloc_once(struct heap *h, size_t n, size_t need, size_t align)
{
	struct block *b;

	if (align > HEAP_ALIGN)
		return alloc_aligned_locked(h, n, need, align);
	b = mm_fl_take(h, need);
	if (!b)
		return NULL;
	mm_verify_reused(h, b, (uintptr_t)b + need + HDR_SIZE + LINKS_SIZE);
	mm_split(h, b, need, 1);
	mm_mark_used(h, b, n, ALIGN_LOG2);
	return block_payload(b);
}

/*
 * Out of memory only because blocks wait elsewhere: the quarantine's, and
 * the caches' (the depot and this CPU's cache now, every other cache at
 * its next call), go back, and the heap merges them.
 */
static int give_back_waiting(struct heap *h)
{
	int any = 0;

	if (h->q_count) {
		mm_quarantine_flush(h);
		any = 1;
	}
	if (h->cached) {
		atomic_fetch_add_explicit(&h->drain_gen, 1,
					  memory_order_relaxed);
		any |= h->depot_blocks != 0;
		mm_depot_give_back(h);
		struct mm_cache *c = mm_cache_mine(h);

		if (c && mm_cache_give_back(h, c))
			any = 1;
		if (!mm_hooks.local && mm_shards_give_back(h))
			any = 1;
	}
	return any;
}

void *mm_alloc_locked(struct heap *h, size_t n, size_t align)
{
	size_t need;
	void *p;

	MM_ASSERT(mm_heap_locked(h), "a locked operation holds the lock");
	if (mm_request_size(h, n, &need) != 0)
		return NULL;
	p = NULL;
	/* large blocks: memory of their own, but for the checking modes,
	 * which keep every block where they can see it - unless the memory
	 * of its own has a guard page, which sees better */
	if (h->growth.large_min && n >= h->growth.large_min &&
	    align <= h->growth.page && (!mm_checking(h) || h->growth.guarded))
		p = mm_large_alloc(h, n, align);
	if (!p)
		p = alloc_once(h, n, need, align);
	/* more memory before the blocks that wait elsewhere: draining every
	 * cache (or the quarantine) on each growth would cost more */
	if (!p && mm_grow(h, need, align) == 0)
		p = alloc_once(h, n, need, align);
	/* what waited may free whole regions, whose pages the purge hook
	 * hands back to the environment: growth may now find them */
	if (!p && give_back_waiting(h)) {
		p = alloc_once(h, n, need, align);
		if (!p && mm_grow(h, need, align) == 0)
			p = alloc_once(h, n, need, align);
	}
	if (!p && h->cached)
		h->starved++;
	if (p) {
		ann_alloc(p, n);
		if (mm_checking(h))
			mm_fill_new(block_from_payload(p), 0, n);
	}
	return p;
}

/*
 * fn(h, ptr, n, align) under the lock; again, after the other CPUs' caches
 * gave back (they do at their next call: mm_wait_for_caches), if it failed
 * for want of memory while caches were on, up to CACHE_WAIT_TRIES times.
 * A failure for any other reason (a fault) is never tried again.
 */
void *mm_locked_retrying(struct heap *h, mm_locked_fn fn, void *ptr, size_t n,
			 size_t align, const void *caller)
{
	for (unsigned tries = 1;; tries++) {
		uintptr_t irq;
		unsigned starved;
		void *p;

		if (mm_heap_lock(h, &irq, caller) != 0)
			return NULL;
		starved = h->starved;
		p = fn(h, ptr, n, align);
		starved = h->starved != starved;
		mm_heap_unlock(h, irq);
		if (p || !starved || tries == CACHE_WAIT_TRIES ||
		    !mm_wait_for_caches(h, caller))
			return p;
	}
}

static void *alloc_op(struct heap *h, void *ptr, size_t n, size_t align)
{
	(void)ptr;
	return mm_alloc_locked(h, n, align);
}

/* Apart, so that heap_alloc itself stays small for its cache hits. */
static MM_NOINLINE void *alloc_with_lock(struct heap *h, size_t size,
					 const void *caller)
{
	return mm_locked_retrying(h, alloc_op, NULL, size, HEAP_ALIGN, caller);
}

void *heap_alloc_from(struct heap *h, size_t size, const void *caller)
{
	void *p;

	if (!mm_heap_valid(h))
		return NULL;
	if (h->cached && size <= h->cache_max &&
	    (p = mm_hooks.local ? mm_cache_alloc(h, size, caller)
				: mm_shard_alloc(h, size, caller)) != NULL)
		return p;
	return alloc_with_lock(h, size, caller);
}

void *heap_alloc(struct heap *h, size_t size)
{
	return heap_alloc_from(h, size, HEAP_CALLER());
}

void *heap_aligned_alloc_from(struct heap *h, size_t align, size_t size,
			      const void *caller)
{
	if (!mm_heap_valid(h) || align == 0 || (align & (align - 1)) != 0 ||
	    align > HEAP_MAX_ALIGN)
		return NULL;
	if (align <= HEAP_ALIGN)
		return heap_alloc_from(h, size, caller);
	return mm_locked_retrying(h, alloc_op, NULL, size, align, caller);
}

void *heap_aligned_alloc(struct heap *h, size_t align, size_t size)
{
	return heap_aligned_alloc_from(h, align, size, HEAP_CALLER());
}

void *heap_calloc_from(struct heap *h, size_t nmemb, size_t size,
		       const void *caller)
{
	void *p;

	if (size != 0 && nmemb > (size_t)-1 / size)
		return NULL;
	p = heap_alloc_from(h, nmemb * size, caller);
	/* the block is ours alone now: no need to hold the lock to clear it */
	if (p)
		mm_fill(p, 0, nmemb * size);
	return p;
}

void *heap_calloc(struct heap *h, size_t nmemb, size_t size)
{
	return heap_calloc_from(h, nmemb, size, HEAP_CALLER());
}
