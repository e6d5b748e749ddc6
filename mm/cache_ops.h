/*
 * cache_ops.h - the lock-free paths of the per-CPU caches (cache.h draws
 * them), inline so that heap_alloc and heap_free are one function each on
 * a hit. A hit makes no call but the environment's local hook: anything
 * else - a first use, a drain asked for, an empty or full bin, a damaged
 * link - goes to cache.c's general path, which starts over with the lock
 * at hand when it needs it. Nothing outside mm/ includes this.
 */
#ifndef MM_CACHE_OPS_H
#define MM_CACHE_OPS_H

#include "internal.h"

/* cache.c: the general paths, taking the heap's lock when they must. 0 /
 * NULL: the caller takes the locked path. */
void *mm_cache_alloc_slow(struct heap *h, size_t n, const void *caller);
int mm_cache_free_slow(struct heap *h, void *ptr, const void *caller);

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
	return cache_class_payload(k);
}

/* c belongs to the calling CPU or thread (any, without CPU ids). */
static inline int cache_is_mine(const struct mm_cache *c)
{
	return !mm_hooks.cpu_id ||
	       atomic_load_explicit(&c->owner, memory_order_relaxed) ==
		   mm_hooks.cpu_id() + 1;
}

/*
 * This CPU's cache in h when it is ready for a hit: found in the first
 * slot, not asked to drain, and the heap not inside one of its callbacks
 * (a call from there goes the locked way, which refuses it when it came
 * from the lock's holder). NULL: the general path decides.
 */
static MM_INLINE struct mm_cache *ready_cache(struct heap *h,
					      struct mm_local *l)
{
	struct mm_cache *c;

	if (!MM_LIKELY(l && l->slot[0].heap == h &&
		       l->slot[0].secret == h->secret))
		return NULL;
	c = l->slot[0].cache;
	MM_ASSERT(cache_is_mine(c),
		  "a cache is used by the CPU or thread that owns it alone: "
		  "each has its own struct mm_local (hooks.h)");
	if (c->drained !=
		atomic_load_explicit(&h->drain_gen, memory_order_relaxed) ||
	    atomic_load_explicit(&h->in_callback, memory_order_relaxed))
		return NULL;
	return c;
}

/*
 * ptr is a block a caller holds: aligned, in a region, and its header and
 * meta verify. No lock: only its holder changes those words. NULL for
 * anything else; the locked path then says what is wrong.
 */
static MM_INLINE struct block *owned_block(const struct heap *h,
					   const void *ptr, uintptr_t *data,
					   uintptr_t *keyp)
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

/* Pop the head of bin k for n bytes; NULL when the bin is empty or its
 * head is not a cached block of the class (the general path says so). */
static MM_INLINE void *cache_pop(struct heap *h, struct mm_cache *c, unsigned k,
				 size_t n)
{
	struct cache_bin *bin = &c->bins[k];
	struct block *b = bin->head;
	size_t payload = payload_of(k);
	uintptr_t key;

	if (!b)
		return NULL;
	MM_ASSERT(count_of(&bin->count) > 0 &&
		      count_of(&bin->count) <= bin->batch,
		  "a bin's head holds what it counts, at most a batch");
	/* entry_ok() spelled out, to compute the key once */
	key = block_key(h->secret, b);
	if (((uintptr_t)b & (HEAP_ALIGN - 1)) != 0 ||
	    !mm_region_of(h, (uintptr_t)b) || b->size != payload + HDR_SIZE ||
	    block_meta(b) != meta_make(key, META_CACHED))
		return NULL;
	bin->head = *cached_next(b);
	set_count(&bin->count, count_of(&bin->count) - 1);
	block_set_meta(b, meta_make(key, meta_used(payload - n, ALIGN_LOG2)));
	add_requested(c, (intptr_t)n);
	c->st.alloc_hits++;
	ann_alloc(block_payload(b), n);
	return block_payload(b);
}

/* Push a block the caller held (its key and meta data verified) onto bin
 * k; 0 when the bin is full. */
static MM_INLINE int cache_push(struct heap *h, struct mm_cache *c,
				struct block *b, unsigned k, uintptr_t key,
				uintptr_t data)
{
	struct cache_bin *bin = &c->bins[k];
	size_t payload = payload_of(k);

	(void)h; /* only the annotations want it */
	if (count_of(&bin->count) >= bin->batch)
		return 0;
	ann_free(block_payload(b), mm_usable(h, b));
	*cached_next(b) = bin->head;
	bin->head = b;
	set_count(&bin->count, count_of(&bin->count) + 1);
	block_set_meta(b, meta_make(key, META_CACHED));
	add_requested(c, -(intptr_t)(payload - meta_slack(data)));
	c->st.free_hits++;
	return 1;
}

/* The class of a block a caller held, if it is one the cache takes. */
static MM_INLINE int cacheable(const struct heap *h, const struct block *b,
			       unsigned *k)
{
	size_t payload = block_payload_size(b);

	if (payload > h->cache_max)
		return 0;
	*k = cache_class_of(payload);
	return payload_of(*k) == payload;
}

static MM_INLINE void *mm_cache_alloc(struct heap *h, size_t n,
				      const void *caller)
{
	uintptr_t irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	struct mm_local *l = mm_hooks.local ? mm_hooks.local() : NULL;
	struct mm_cache *c = ready_cache(h, l);
	void *p = c ? cache_pop(h, c, cache_class_of(n), n) : NULL;

	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq);
	return p ? p : mm_cache_alloc_slow(h, n, caller);
}

static MM_INLINE int mm_cache_free(struct heap *h, void *ptr,
				   const void *caller)
{
	uintptr_t irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	struct mm_local *l = mm_hooks.local ? mm_hooks.local() : NULL;
	struct mm_cache *c = ready_cache(h, l);
	uintptr_t data, key;
	struct block *b;
	unsigned k;
	int done = 0;

	if (c && (b = owned_block(h, ptr, &data, &key)) != NULL &&
	    cacheable(h, b, &k))
		done = cache_push(h, c, b, k, key, data);
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq);
	return done ? 1 : mm_cache_free_slow(h, ptr, caller);
}

#endif
