/*
 * cache.c - the per-CPU caches and the depot (cache.h draws them).
 *
 * Ownership is the whole of the locking: a cache's bins are touched only by
 * the CPU or thread that owns it (with interrupts masked in the kernel),
 * the depot and the heap only under the heap's lock. Blocks cross between
 * the two under the lock, a batch at a time. The counts others may read
 * (heap_get_stats) are written by the owner alone, as relaxed atomics.
 */
#include "cache_ops.h"

static unsigned self_token(void)
{
	return mm_hooks.cpu_id ? mm_hooks.cpu_id() + 1 : 0;
}

/* --- blocks going back to the heap (lock held) ----------------------- */

static void lose(struct heap *h, size_t blocks, size_t payload)
{
	h->lost_blocks += blocks;
	h->lost_bytes += blocks * payload;
}

void mm_cache_release_block(struct heap *h, struct block *b)
{
	MM_ASSERT(mm_heap_locked(h), "cached blocks go back under the lock");
	if (!block_intact(h->secret, b) || block_meta(b) != cached_meta(h, b)) {
		mm_fault(h,
			 (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
					     .ptr = block_payload(b),
					     .block = b,
					     .found = b->size},
			 "heap: header of cached block %B corrupted while it "
			 "sat in a cache (size field %x; previous block "
			 "overflowed?)",
			 b, b->size);
		lose(h, 1, block_payload_size(b));
		return;
	}
	/* next to damage (reported), it cannot merge: it stays out, lost */
	if (!mm_neighbours_intact(h, b)) {
		lose(h, 1, block_payload_size(b));
		return;
	}
	mm_account_out(h, 1, block_payload_size(b), 0, 0);
	mm_release(h, b);
}

/* Give back a list of n cached blocks of one size. A damaged link ends the
 * list: what lies past it is lost, and said so. */
static void release_list(struct heap *h, struct block *b, size_t size, size_t n)
{
	for (; b && n; n--) {
		struct block *next = *cached_next(b);

		mm_cache_release_block(h, b);
		if (n > 1 && !entry_ok(h, next, size)) {
			mm_fault(
			    h,
			    (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
						.ptr = block_payload(b),
						.block = b,
						.found = (uintptr_t)next},
			    "heap: cache link of block %B overwritten "
			    "(it names %p, not a cached block: written "
			    "after free?)",
			    b, (const void *)next);
			lose(h, n - 1, size - HDR_SIZE);
			return;
		}
		b = next;
	}
}

/* Everything c holds goes back to the heap; returns how many blocks. Its
 * owner, or the lock's holder for a cache whose owner is gone. */
size_t mm_cache_give_back(struct heap *h, struct mm_cache *c)
{
	size_t given = 0;

	for (unsigned k = 0; k < CACHE_CLASSES; k++) {
		struct cache_bin *bin = &c->bins[k];
		size_t size = cache_class_size(k);

		given += count_of(&bin->count) + count_of(&bin->spares);
		release_list(h, bin->head, size, count_of(&bin->count));
		release_list(h, bin->spare, size, count_of(&bin->spares));
		bin->head = bin->spare = NULL;
		set_count(&bin->count, 0);
		set_count(&bin->spares, 0);
	}
	c->spare_bytes = 0;
	c->drained = atomic_load_explicit(&h->drain_gen, memory_order_relaxed);
	return given;
}

/* The link from one depot batch to the next names a cached block. */
static struct block *next_batch(struct heap *h, struct block *b, size_t size)
{
	struct block *next = *batch_next(b);

	if (!next || entry_ok(h, next, size))
		return next;
	mm_fault(h,
		 (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
				     .ptr = block_payload(b),
				     .block = b,
				     .found = (uintptr_t)next},
		 "heap: depot link of block %B overwritten (it names %p, not a "
		 "cached block: written after free?)",
		 b, (const void *)next);
	return NULL;
}

/* Take the first batch of class k off the depot; what lay behind a
 * damaged link is lost. */
static struct block *depot_pop(struct heap *h, unsigned k)
{
	struct depot_class *d = &h->depot[k];
	struct block *b = d->full;
	size_t n = d->batch;

	MM_ASSERT(
	    mm_heap_locked(h) && b && d->batches > 0 &&
		h->depot_blocks >= (size_t)d->batches * n,
	    "a batch leaves a depot class that counts it, under the lock");
	d->full = next_batch(h, b, cache_class_size(k));
	if (!d->full && d->batches > 1) {
		lose(h, (size_t)(d->batches - 1) * n, payload_of(k));
		h->depot_blocks -= (size_t)(d->batches - 1) * n;
		h->depot_bytes -= (size_t)(d->batches - 1) * n * payload_of(k);
		d->batches = 1;
	}
	d->batches--;
	h->depot_blocks -= n;
	h->depot_bytes -= n * payload_of(k);
	return b;
}

void mm_depot_give_back(struct heap *h)
{
	for (unsigned k = 0; h->depot && k < CACHE_CLASSES; k++) {
		struct depot_class *d = &h->depot[k];

		while (d->full) {
			size_t n = d->batch;

			release_list(h, depot_pop(h, k), cache_class_size(k),
				     n);
		}
	}
}

/* --- batches between a cache and the depot or heap (lock held) ------- */

/*
 * Cut `want` blocks of class k out of one free block, linked into a batch
 * at *head; returns how many (fewer when memory is short, 0 when nothing
 * fits). Carving a batch at once costs a header per block, not a search
 * and a split per block.
 */
static unsigned carve(struct heap *h, unsigned k, unsigned want,
		      struct block **head)
{
	size_t size = cache_class_size(k);
	struct block *b = NULL, *prev, *x = NULL;
	size_t rest;

	MM_ASSERT(mm_heap_locked(h), "batches are carved under the lock");
	for (; want && !(b = mm_fl_take(h, size * want)); want /= 2)
		;
	if (!b)
		return 0;
	/* a tail too small to be a block would stick to the last one and
	 * give it a size of no class: leave one block more to the tail */
	rest = block_size(b) - size * want;
	if (rest != 0 && rest < MIN_BLOCK && --want == 0) {
		mm_fl_insert(h, b);
		return 0;
	}
	mm_split(h, b, size * want, 1);
	prev = b->prev;
	for (unsigned i = 0; i < want; i++) {
		x = (struct block *)((uintptr_t)b + size * i);
		x->size = size;
		x->prev = prev;
		block_seal(h->secret, x);
		block_set_meta(x, cached_meta(h, x));
		*cached_next(x) =
		    i + 1 < want ? (struct block *)((uintptr_t)x + size) : NULL;
		prev = x;
	}
	mm_set_prev(h, block_next(x), b, x);
	MM_ASSERT_NOTE(h->unsealed = NULL); /* b is sealed: the first piece */
	mm_account_out(h, want, want * (size - HDR_SIZE), 0, 1);
	*head = b;
	return want;
}

/* A full batch leaves a cache: into the depot if it has room, else back
 * to the heap. */
static void depot_put(struct heap *h, unsigned k, struct block *list,
		      unsigned n)
{
	struct depot_class *d = &h->depot[k];
	size_t bytes = n * payload_of(k);

	MM_ASSERT(mm_heap_locked(h), "the depot changes under the lock");
	if (n == d->batch && d->batches < DEPOT_BATCHES &&
	    h->depot_bytes + bytes <= 2 * h->cache_budget) {
		*batch_next(list) = d->full;
		d->full = list;
		d->batches++;
		h->depot_blocks += n;
		h->depot_bytes += bytes;
	} else {
		release_list(h, list, cache_class_size(k), n);
	}
}

/* --- finding this CPU's cache ---------------------------------------- */

/* A block of the heap's own (a cache, the depot): overhead in the stats,
 * not a caller's, and zeroed. */
static void *internal_alloc(struct heap *h, size_t bytes)
{
	void *p = mm_alloc_locked(h, bytes, HEAP_ALIGN);
	struct block *b;

	if (!p)
		return NULL;
	b = block_from_payload(p);
	h->stats.bytes_requested -= bytes;
	block_set_meta(b, meta_make(block_key(h->secret, b), META_INTERNAL));
	h->internal_blocks++;
	h->internal_bytes += block_payload_size(b);
	mm_fill(p, 0, bytes);
	return p;
}

static struct mm_cache *new_cache(struct heap *h, unsigned token)
{
	size_t need = sizeof(struct mm_cache);
	struct mm_cache *c;

	/* a cache is worth its memory only where it leaves plenty: on a heap
	 * that small, or that full, the caller goes the locked way instead
	 * of losing to the cache the block it asked for */
	if (!h->depot)
		need += CACHE_CLASSES * sizeof(struct depot_class);
	if (h->stats.bytes_free / CACHE_ROOM < need)
		return NULL;
	if (!h->depot) {
		h->depot = internal_alloc(h, CACHE_CLASSES *
						 sizeof(struct depot_class));
		if (!h->depot)
			return NULL;
		for (unsigned k = 0; k < CACHE_CLASSES; k++)
			h->depot[k].batch = cache_batch(k, h->batch_bytes);
	}
	c = internal_alloc(h, sizeof *c);
	if (!c)
		return NULL;
	c->magic = CACHE_MAGIC;
	c->heap = h;
	c->index = h->ncaches++;
	c->budget = h->cache_budget;
	c->drained = atomic_load_explicit(&h->drain_gen, memory_order_relaxed);
	for (unsigned k = 0; k < CACHE_CLASSES; k++)
		c->bins[k].batch = h->depot[k].batch;
	atomic_store_explicit(&c->owner, token, memory_order_relaxed);
	return c;
}

/* Lock held: the cache this CPU owns in h, a free one, or a new one. */
static struct mm_cache *claim(struct heap *h, unsigned token)
{
	struct mm_cache *c, *unowned = NULL, **tail = &h->caches;

	for (c = h->caches; c; tail = &c->next, c = c->next) {
		unsigned o = count_of(&c->owner);

		if (o == token)
			return c;
		if (o == 0 && !unowned)
			unowned = c;
	}
	if (unowned) {
		set_count(&unowned->owner, token);
		return unowned;
	}
	c = new_cache(h, token);
	if (c)
		*tail = c;
	return c;
}

static struct mm_cache *slot_lookup(const struct heap *h, struct mm_local *l)
{
	for (unsigned i = 0; i < MM_LOCAL_SLOTS; i++) {
		if (l->slot[i].heap == h && l->slot[i].secret == h->secret) {
			if (i != 0) {
				/* the heap used now answers first next time */
				struct mm_cache *c = l->slot[i].cache;

				l->slot[i] = l->slot[0];
				l->slot[0].heap = h;
				l->slot[0].secret = h->secret;
				l->slot[0].cache = c;
			}
			return l->slot[0].cache;
		}
	}
	return NULL;
}

/* Not in the first slot: another slot, or claim one (lock). */
static struct mm_cache *cache_of_slow(struct heap *h, struct mm_local *l,
				      const void *caller)
{
	struct mm_cache *c = slot_lookup(h, l);
	unsigned token;
	uintptr_t irq;

	if (c || !(token = self_token()) || mm_heap_lock(h, &irq, caller) != 0)
		return c;
	c = claim(h, token);
	mm_heap_unlock(h, irq);
	if (!c)
		return NULL;
	/* the slot dropped at the end keeps its cache, owned: claim finds it
	 * again by its owner if this CPU comes back to that heap */
	for (unsigned i = MM_LOCAL_SLOTS - 1; i > 0; i--)
		l->slot[i] = l->slot[i - 1];
	l->slot[0].heap = h;
	l->slot[0].secret = h->secret;
	l->slot[0].cache = c;
	return c;
}

struct mm_cache *mm_cache_mine(struct heap *h)
{
	struct mm_local *l = mm_hooks.local ? mm_hooks.local() : NULL;

	return h->cached && l ? slot_lookup(h, l) : NULL;
}

/* --- the lock-free paths --------------------------------------------- */

static void drain(struct heap *h, struct mm_cache *c, const void *caller)
{
	uintptr_t irq;

	if (mm_heap_lock(h, &irq, caller) != 0)
		return;
	mm_cache_give_back(h, c);
	mm_heap_unlock(h, irq);
}

/* head is empty: the spare, or a batch from the depot or the heap. */
static struct block *refill(struct heap *h, struct mm_cache *c,
			    struct cache_bin *bin, unsigned k,
			    const void *caller)
{
	struct block *head = NULL;
	unsigned got = 0;
	uintptr_t irq;

	if (bin->spare) {
		bin->head = bin->spare;
		bin->spare = NULL;
		set_count(&bin->count, bin->batch);
		set_count(&bin->spares, 0);
		c->spare_bytes -= bin->batch * payload_of(k);
		return bin->head;
	}
	if (mm_heap_lock(h, &irq, caller) != 0)
		return NULL;
	c->st.alloc_misses++;
	if (h->depot[k].full) {
		got = h->depot[k].batch;
		head = depot_pop(h, k);
	} else {
		got = carve(h, k, bin->batch, &head);
	}
	mm_heap_unlock(h, irq);
	if (!got)
		return NULL; /* the locked path drains and retries */
	bin->head = head;
	set_count(&bin->count, got);
	return head;
}

/* The block at head is not a cached block: its link was overwritten. The
 * rest of the list cannot be trusted and is dropped (lost, and said so). */
static void head_damaged(struct heap *h, struct mm_cache *c,
			 struct cache_bin *bin, unsigned k, const void *caller)
{
	unsigned n = count_of(&bin->count);
	uintptr_t irq;

	if (mm_heap_lock(h, &irq, caller) == 0) {
		mm_fault(h,
			 (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
					     .ptr = bin->head,
					     .found = (uintptr_t)bin->head},
			 "heap: cache %u lost %u blocks of %u bytes: a link "
			 "in a cached block names %p, not a cached block "
			 "(written after free?)",
			 (size_t)c->index, (size_t)n, payload_of(k),
			 (const void *)bin->head);
		lose(h, n, payload_of(k));
		mm_heap_unlock(h, irq);
	}
	bin->head = NULL;
	set_count(&bin->count, 0);
}

struct block *mm_owned_block(const struct heap *h, const void *ptr,
			     uintptr_t *data)
{
	uintptr_t key;

	return owned_block(h, ptr, data, &key);
}

/*
 * Head is full: it becomes the spare. The old spare, or the new one when
 * the spares would pass the budget, leaves for the depot (lock). 0 when
 * the lock was refused.
 */
static int overflow(struct heap *h, struct mm_cache *c, struct cache_bin *bin,
		    unsigned k, const void *caller)
{
	size_t bytes = bin->batch * payload_of(k);
	struct block *out = NULL;
	unsigned n = 0;
	uintptr_t irq;

	if (bin->spare) {
		out = bin->spare;
		n = count_of(&bin->spares);
		c->spare_bytes -= n * payload_of(k);
	}
	bin->spare = bin->head;
	set_count(&bin->spares, count_of(&bin->count));
	c->spare_bytes += bytes;
	bin->head = NULL;
	set_count(&bin->count, 0);
	if (!out && c->spare_bytes <= c->budget)
		return 1;
	if (!out) {
		out = bin->spare;
		n = count_of(&bin->spares);
		bin->spare = NULL;
		set_count(&bin->spares, 0);
		c->spare_bytes -= bytes;
	}
	c->st.free_misses++;
	if (mm_heap_lock(h, &irq, caller) != 0) {
		/* nothing lost: the batch waits at head again */
		bin->head = out;
		set_count(&bin->count, n);
		return 0;
	}
	depot_put(h, k, out, n);
	mm_heap_unlock(h, irq);
	return 1;
}

/* This CPU's cache in h, found or claimed; NULL when it cannot have one
 * (no local or cpu_id hook, no memory for it, or a call from inside one of
 * the heap's callbacks). Interrupts masked. */
static struct mm_cache *cache_of(struct heap *h, const void *caller)
{
	struct mm_local *l = mm_hooks.local ? mm_hooks.local() : NULL;

	if (!l || atomic_load_explicit(&h->in_callback, memory_order_relaxed))
		return NULL;
	if (l->slot[0].heap == h && l->slot[0].secret == h->secret)
		return l->slot[0].cache;
	return cache_of_slow(h, l, caller);
}

static void drain_if_asked(struct heap *h, struct mm_cache *c,
			   const void *caller)
{
	if (c->drained !=
	    atomic_load_explicit(&h->drain_gen, memory_order_relaxed))
		drain(h, c, caller);
}

MM_COLD void *mm_cache_alloc_slow(struct heap *h, size_t n, const void *caller)
{
	uintptr_t irq;
	struct mm_cache *c;
	struct cache_bin *bin;
	size_t misses;
	unsigned k;
	void *p = NULL;

	if (n > h->cache_max)
		return NULL;
	k = cache_class_of(n);
	irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	c = cache_of(h, caller);
	if (!c)
		goto out;
	drain_if_asked(h, c, caller);
	bin = &c->bins[k];
	misses = c->st.alloc_misses;
	if (!bin->head && !refill(h, c, bin, k, caller))
		goto out;
	p = cache_pop(h, c, k, n);
	if (!p)
		head_damaged(h, c, bin, k, caller);
	else if (c->st.alloc_misses != misses)
		c->st.alloc_hits--; /* that one was a miss */
out:
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq);
	return p;
}

MM_COLD int mm_cache_free_slow(struct heap *h, void *ptr, const void *caller)
{
	uintptr_t data, key, irq;
	struct block *b = owned_block(h, ptr, &data, &key);
	struct mm_cache *c;
	struct cache_bin *bin;
	unsigned k;
	int done = 0;

	if (!b || !cacheable(h, b, &k))
		return 0;
	irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	c = cache_of(h, caller);
	if (!c)
		goto out;
	drain_if_asked(h, c, caller);
	bin = &c->bins[k];
	if (count_of(&bin->count) >= bin->batch &&
	    !overflow(h, c, bin, k, caller))
		goto out;
	done = cache_push(h, c, b, k, key, data);
out:
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq);
	return done;
}

static size_t cache_held(const struct mm_cache *c, size_t *bytes);

/* --- shards: the caches when there is no local hook ------------------ */

/* The shard for the caller's stack: threads' stacks lie far apart, and a
 * thread's calls stay within a few pages of one another. */
#if !(defined(__GNUC__) || defined(__clang__))
uintptr_t mm_stack_here(void)
{
	unsigned char here = 0;

	return (uintptr_t)&here;
}
#endif

static unsigned shard_index(void)
{
	uintptr_t a = MM_STACK_HERE() >> 16;

	return (unsigned)((a * HASH_K1) >> (sizeof(uintptr_t) * 8 - 4)) %
	       CACHE_SHARDS;
}

/* Shard i of h, made on first use (lock); NULL when out of memory. */
static struct mm_cache *shard_at(struct heap *h, unsigned i, const void *caller)
{
	_Atomic(struct mm_cache *) *slot = &h->shards[i];
	struct mm_cache *c = atomic_load_explicit(slot, memory_order_acquire);
	uintptr_t irq;

	if (c || mm_heap_lock(h, &irq, caller) != 0)
		return c;
	c = atomic_load_explicit(slot, memory_order_relaxed);
	if (!c && (c = new_cache(h, CACHE_SHARD)) != NULL) {
		c->next = h->caches;
		h->caches = c;
		atomic_store_explicit(slot, c, memory_order_release);
	}
	mm_heap_unlock(h, irq);
	return c;
}

/* How many shards a call tries, from its own on, before the lock. */
#define SHARD_PROBES 4u

/* A shard for the caller, taken (busy), or NULL: the ones it tried were
 * busy with other threads, or the heap is inside a callback, or there is
 * no memory for one. */
static struct mm_cache *shard_take(struct heap *h, const void *caller)
{
	unsigned first = shard_index();

	if (atomic_load_explicit(&h->in_callback, memory_order_relaxed))
		return NULL;
	for (unsigned i = 0; i < SHARD_PROBES; i++) {
		struct mm_cache *c =
		    shard_at(h, (first + i) % CACHE_SHARDS, caller);

		if (!c)
			return NULL;
		if (!atomic_exchange_explicit(&c->busy, 1,
					      memory_order_acquire)) {
			drain_if_asked(h, c, caller);
			return c;
		}
	}
	return NULL;
}

static void shard_put(struct mm_cache *c)
{
	atomic_store_explicit(&c->busy, 0, memory_order_release);
}

void *mm_shard_alloc(struct heap *h, size_t n, const void *caller)
{
	struct mm_cache *c = shard_take(h, caller);
	unsigned k = cache_class_of(n);
	struct cache_bin *bin;
	void *p = NULL;

	if (!c)
		return NULL;
	bin = &c->bins[k];
	if (bin->head || refill(h, c, bin, k, caller)) {
		p = cache_pop(h, c, k, n);
		if (!p)
			head_damaged(h, c, bin, k, caller);
	}
	shard_put(c);
	return p;
}

int mm_shard_free(struct heap *h, void *ptr, const void *caller)
{
	uintptr_t data, key;
	struct block *b = owned_block(h, ptr, &data, &key);
	struct mm_cache *c;
	struct cache_bin *bin;
	unsigned k;
	int done = 0;

	if (!b || !cacheable(h, b, &k) || !(c = shard_take(h, caller)))
		return 0;
	bin = &c->bins[k];
	if (count_of(&bin->count) < bin->batch ||
	    overflow(h, c, bin, k, caller))
		done = cache_push(h, c, b, k, key, data);
	shard_put(c);
	return done;
}

/* Lock held, out of memory: every shard nobody is using gives all back
 * (one in use is left alone: its thread may be waiting for this lock). */
size_t mm_shards_give_back(struct heap *h)
{
	size_t given = 0;

	for (unsigned i = 0; i < CACHE_SHARDS; i++) {
		struct mm_cache *c =
		    atomic_load_explicit(&h->shards[i], memory_order_acquire);

		if (c && !atomic_exchange_explicit(&c->busy, 1,
						   memory_order_acquire)) {
			given += mm_cache_give_back(h, c);
			shard_put(c);
		}
	}
	return given;
}

/*
 * An allocation failed (lock not held now) while other CPUs' caches may
 * hold what it needs: mm_alloc_locked moved drain_gen, and each of them
 * gives all back at its next call. Wait, a bounded while, until none that
 * holds blocks is behind: 1 then, and another try may succeed; 0 if some
 * still hold theirs (a CPU or thread that makes no call on the heap keeps
 * its cache until it does, or exits).
 */
int mm_wait_for_caches(struct heap *h, const void *caller)
{
	unsigned self = self_token();

	for (unsigned round = 0; round < CACHE_WAIT_ROUNDS; round++) {
		const struct mm_cache *c;
		int behind = 0;
		uintptr_t irq;
		size_t bytes;
		unsigned gen;

		if (mm_heap_lock(h, &irq, caller) != 0)
			return 0;
		gen = atomic_load_explicit(&h->drain_gen, memory_order_relaxed);
		if (!mm_hooks.local)
			mm_shards_give_back(h); /* the idle ones */
		for (c = h->caches; c && !behind; c = c->next) {
			unsigned o = count_of(&c->owner);

			/* an owner's drained changes under the lock only */
			if (o != 0 && o != self && c->drained != gen &&
			    cache_held(c, &bytes) != 0)
				behind = 1;
		}
		mm_heap_unlock(h, irq);
		if (!behind)
			return 1;
		if (mm_hooks.relax)
			mm_hooks.relax();
	}
	return 0;
}

/* heap_check: the shards nobody is using hold still while looked at. */
int mm_shards_check(struct heap *h)
{
	int bad = 0;

	for (unsigned i = 0; i < CACHE_SHARDS; i++) {
		struct mm_cache *c =
		    atomic_load_explicit(&h->shards[i], memory_order_acquire);

		if (c && !atomic_exchange_explicit(&c->busy, 1,
						   memory_order_acquire)) {
			bad += mm_cache_check(h, c);
			shard_put(c);
		}
	}
	return bad;
}

/* --- what the rest of the heap asks of the caches ------------------- */

/* Blocks c holds, and their bytes (any CPU may ask; the counts it reads
 * are each whole, not all of one moment). */
static size_t cache_held(const struct mm_cache *c, size_t *bytes)
{
	size_t blocks = 0;

	*bytes = 0;
	for (unsigned k = 0; k < CACHE_CLASSES; k++) {
		size_t n =
		    count_of(&c->bins[k].count) + count_of(&c->bins[k].spares);

		blocks += n;
		*bytes += n * payload_of(k);
	}
	return blocks;
}

/* Lock held: blocks and bytes in every cache and the depot, and the net
 * bytes callers asked for through the caches. */
size_t mm_cache_count(const struct heap *h, size_t *bytes, intptr_t *requested)
{
	size_t blocks = h->depot_blocks;
	const struct mm_cache *c;

	*bytes = h->depot_bytes;
	*requested = 0;
	for (c = h->caches; c; c = c->next) {
		size_t b;

		blocks += cache_held(c, &b);
		*bytes += b;
		*requested +=
		    atomic_load_explicit(&c->requested, memory_order_relaxed);
	}
	return blocks;
}

/* How many good blocks the list at b holds, up to max + 1. */
static unsigned good_blocks(const struct heap *h, const struct block *b,
			    size_t size, unsigned max)
{
	unsigned n = 0;

	for (; b && n <= max && entry_ok(h, b, size); b = *cached_next(b))
		n++;
	return n;
}

/* heap_check: c is the caller's own, so its lists hold still. */
int mm_cache_check(struct heap *h, struct mm_cache *c)
{
	int bad = 0;

	for (unsigned k = 0; k < CACHE_CLASSES; k++) {
		const struct cache_bin *bin = &c->bins[k];
		unsigned head = count_of(&bin->count);
		unsigned spare = count_of(&bin->spares);

		if (good_blocks(h, bin->head, cache_class_size(k), head) !=
			head ||
		    good_blocks(h, bin->spare, cache_class_size(k), spare) !=
			spare ||
		    (spare != 0 && spare != bin->batch)) {
			mm_fault(
			    h,
			    (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED},
			    "heap: check: cache %u: the lists of %u-byte "
			    "blocks do not hold the %u and %u blocks they "
			    "count",
			    (size_t)c->index, payload_of(k), (size_t)head,
			    (size_t)spare);
			bad++;
		}
	}
	return bad;
}

void mm_caches_init(struct heap *h)
{
	size_t budget = h->bytes_total / 64;
	size_t batch = h->bytes_total / 512;
	size_t max = h->bytes_total / 256;
	unsigned k;

	h->cached = (h->flags & HEAP_CACHES) && !mm_checking(h);
	h->cache_budget = budget < CACHE_BUDGET_MIN   ? CACHE_BUDGET_MIN
			  : budget > CACHE_BUDGET_MAX ? CACHE_BUDGET_MAX
						      : budget;
	h->batch_bytes = batch < CACHE_BATCH_BYTES_MIN	 ? CACHE_BATCH_BYTES_MIN
			 : batch > CACHE_BATCH_BYTES_MAX ? CACHE_BATCH_BYTES_MAX
							 : batch;
	/* a small heap caches only small blocks: a bin's batches would
	 * otherwise hold a good part of it. The limit is a class's payload,
	 * so that every request under it has a class under it. */
	max = max < 256			? 256
	      : max > CACHE_MAX_PAYLOAD ? CACHE_MAX_PAYLOAD
					: max;
	k = cache_class_of(max);
	if (payload_of(k) > max)
		k--;
	h->cache_max = payload_of(k);
}

/* --- public ------------------------------------------------------------ */

void heap_drain_caches(struct heap *h)
{
	struct mm_cache *c;
	uintptr_t irq;

	if (!mm_heap_valid(h) || !h->cached ||
	    mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return;
	mm_depot_give_back(h);
	atomic_fetch_add_explicit(&h->drain_gen, 1, memory_order_relaxed);
	c = mm_cache_mine(h);
	if (c)
		mm_cache_give_back(h, c);
	if (!mm_hooks.local)
		mm_shards_give_back(h);
	mm_heap_unlock(h, irq);
}

void heap_get_cache_stats(struct heap *h, struct heap_cache_stats *out)
{
	struct mm_cache *c = NULL;
	uintptr_t irq;

	if (!out)
		return;
	mm_fill(out, 0, sizeof *out);
	if (!mm_heap_valid(h))
		return;
	irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	c = mm_cache_mine(h);
	if (c) {
		*out = c->st;
		out->blocks = cache_held(c, &out->bytes);
		out->index = c->index;
	}
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq);
}
