/*
 * cache_ops.h - the lock-free paths of the per-CPU caches (cache.h draws
 * them), inline so that heap_alloc and heap_free are one function each on
 * a hit. What they leave to the heap, under its lock, is in cache.c.
 * Nothing outside mm/ includes this.
 */
#ifndef MM_CACHE_OPS_H
#define MM_CACHE_OPS_H

#include "internal.h"

/* cache.c: the cold side, each taking the heap's lock */
struct mm_cache *mm_cache_of_slow(struct heap *h, struct mm_local *l);
void mm_cache_drain(struct heap *h, struct mm_cache *c);
struct block *mm_cache_refill(struct heap *h, struct mm_cache *c,
			      struct cache_bin *bin, unsigned k);
void mm_cache_head_damaged(struct heap *h, struct mm_cache *c,
			   struct cache_bin *bin, unsigned k);
int mm_cache_overflow(struct heap *h, struct mm_cache *c, struct cache_bin *bin,
		      unsigned k);

static inline uintptr_t cached_meta(const struct heap *h, const struct block *b)
{
	return meta_make(block_key(h->secret, b), META_CACHED);
}

/* A link read from a payload names a cached block of exactly `size`. */
static inline int entry_ok(const struct heap *h, const struct block *b,
			   size_t size)
{
	uintptr_t a = (uintptr_t)b;

	return (a & (HEAP_ALIGN - 1)) == 0 && mm_region_of(h, a) &&
	       b->size == size && block_meta(b) == cached_meta(h, b);
}

static inline unsigned count_of(const atomic_uint *n)
{
	return atomic_load_explicit(n, memory_order_relaxed);
}

static inline void set_count(atomic_uint *n, unsigned v)
{
	atomic_store_explicit(n, v, memory_order_relaxed);
}

static inline void add_requested(struct mm_cache *c, intptr_t n)
{
	atomic_store_explicit(
	    &c->requested,
	    atomic_load_explicit(&c->requested, memory_order_relaxed) + n,
	    memory_order_relaxed);
}

static inline size_t payload_of(unsigned k)
{
	return cache_class_size(k) - HDR_SIZE;
}

/* This CPU's cache in h, found or claimed; NULL when it cannot have one
 * (no local or cpu_id hook, or no memory for it). Interrupts masked. */
static inline struct mm_cache *cache_of(struct heap *h)
{
	struct mm_local *l = mm_hooks.local ? mm_hooks.local() : NULL;

	/* a call from inside one of the heap's callbacks goes the locked
	 * way, which refuses it if it came from the lock's holder */
	if (!l || atomic_load_explicit(&h->in_callback, memory_order_relaxed))
		return NULL;
	if (MM_LIKELY(l->slot[0].heap == h && l->slot[0].secret == h->secret))
		return l->slot[0].cache;
	return mm_cache_of_slow(h, l);
}

static inline void drain_if_asked(struct heap *h, struct mm_cache *c)
{
	if (c->drained !=
	    atomic_load_explicit(&h->drain_gen, memory_order_relaxed))
		mm_cache_drain(h, c);
}

static MM_INLINE void *mm_cache_alloc(struct heap *h, size_t n)
{
	size_t need = round_up(n, HEAP_ALIGN) + HDR_SIZE;
	uintptr_t irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	struct mm_cache *c;
	struct cache_bin *bin;
	struct block *b;
	uintptr_t key;
	unsigned k;
	void *p = NULL;

	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	k = cache_class(need);
	c = cache_of(h);
	if (!c)
		goto out;
	drain_if_asked(h, c);
	bin = &c->bins[k];
	b = bin->head;
	if (MM_LIKELY(b != NULL))
		c->st.alloc_hits++;
	else if (!(b = mm_cache_refill(h, c, bin, k)))
		goto out;
	/* entry_ok() spelled out, to compute the key once */
	key = block_key(h->secret, b);
	if (((uintptr_t)b & (HEAP_ALIGN - 1)) != 0 ||
	    !mm_region_of(h, (uintptr_t)b) || b->size != need ||
	    block_meta(b) != meta_make(key, META_CACHED)) {
		mm_cache_head_damaged(h, c, bin, k);
		goto out;
	}
	bin->head = *cached_next(b);
	set_count(&bin->count, count_of(&bin->count) - 1);
	block_set_meta(
	    b, meta_make(key, meta_used(need - HDR_SIZE - n, ALIGN_LOG2)));
	add_requested(c, (intptr_t)n);
	p = block_payload(b);
	ann_alloc(p, n);
out:
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq);
	return p;
}

/*
 * ptr is a block a caller holds: aligned, in a region, and its header and
 * meta verify. No lock: only its holder changes those words. NULL for
 * anything else; the locked path then says what is wrong.
 */
static inline struct block *owned_block(const struct heap *h, const void *ptr,
					uintptr_t *data, uintptr_t *keyp)
{
	uintptr_t a = (uintptr_t)ptr, key, m;
	struct block *b;

	if ((a & (HEAP_ALIGN - 1)) != 0 || a < HDR_SIZE)
		return NULL;
	b = block_from_payload(ptr);
	if (!mm_region_of(h, (uintptr_t)b) || (b->size & BLOCK_FLAGS) != 0)
		return NULL;
	key = block_key(h->secret, b);
	if (b->check != hash_finish(key ^ b->size))
		return NULL;
	m = block_meta(b);
	*data = m & META_DATA_MASK;
	if (m != meta_make(key, *data) || !meta_is_callers(*data))
		return NULL;
	*keyp = key;
	return b;
}

static MM_INLINE int mm_cache_free(struct heap *h, void *ptr)
{
	uintptr_t data, key, irq;
	struct block *b = owned_block(h, ptr, &data, &key);
	struct mm_cache *c;
	struct cache_bin *bin;
	size_t size;
	unsigned k;
	int done = 0;

	if (!b || (size = b->size) > CACHE_MAX_BLOCK)
		return 0;
	irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	c = cache_of(h);
	if (!c)
		goto out;
	drain_if_asked(h, c);
	k = cache_class(size);
	bin = &c->bins[k];
	if (count_of(&bin->count) >= bin->batch &&
	    !mm_cache_overflow(h, c, bin, k))
		goto out;
	ann_free(ptr, mm_usable(h, b));
	*cached_next(b) = bin->head;
	bin->head = b;
	set_count(&bin->count, count_of(&bin->count) + 1);
	block_set_meta(b, meta_make(key, META_CACHED));
	add_requested(c, -(intptr_t)(size - HDR_SIZE - meta_slack(data)));
	c->st.free_hits++;
	done = 1;
out:
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq);
	return done;
}

#endif
