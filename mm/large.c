/*
 * large.c - blocks in memory of their own: a request of at least
 * growth.large_min bytes is served straight from the environment's grow
 * hook and given back to its release hook when freed, as a C library
 * serves large requests with mmap.
 *
 *   base (from grow)                            payload (ptr)
 *   v                                           v
 *   | gap to align | struct large | block header | payload ... | slack |
 *
 * or, when the environment puts a guard page after every piece (guarded),
 * the gap first and the payload's end at the piece's end:
 *
 *   | gap | struct large | block header | payload ... | guard page (unmapped)
 *
 * The block header is an ordinary one, sealed and keyed like any other,
 * so a bad pointer, a double free or a damaged header is caught here too.
 * struct large links the heap's large blocks (newest first) with its own
 * keyed check over every word, links included: a pointer that is in no
 * region is a large block only if it is the payload of a link on this
 * list, and the list is followed only through links that verify. Every
 * operation on it holds the heap's lock.
 */
#include "bitops.h"
#include "internal.h"

struct large {
	uintptr_t check;
	struct large *next, *prev;
	uintptr_t base; /* what grow() returned, and how much */
	size_t bytes;
};

#define LARGE_HDR round_up(sizeof(struct large), HEAP_ALIGN)

static uintptr_t large_hash(const struct heap *h, const struct large *l)
{
	uintptr_t x = block_key(h->secret, (const struct block *)l);

	x ^= hash_finish((uintptr_t)l->next ^ HASH_K3);
	x ^= hash_finish((uintptr_t)l->prev + HASH_K2);
	x ^= hash_finish(l->base ^ HASH_K1);
	return hash_finish(x ^ l->bytes);
}

static void large_seal(const struct heap *h, struct large *l)
{
	if (l)
		l->check = large_hash(h, l);
}

static struct block *large_block(const struct large *l)
{
	return (struct block *)((uintptr_t)l + LARGE_HDR);
}

static void *large_ptr(const struct large *l)
{
	return block_payload(large_block(l));
}

void *mm_large_alloc(struct heap *h, size_t n, size_t align)
{
	const struct heap_growth *g = &h->growth;
	size_t payload = round_up(n, HEAP_ALIGN), bytes;
	uintptr_t base, p;
	struct large *l;
	struct block *b;

	bytes = LARGE_HDR + HDR_SIZE + payload + (align - HEAP_ALIGN);
	if (payload < n || bytes < payload || bytes > (size_t)-1 - g->page)
		return NULL;
	bytes = round_up(bytes, g->page);
	base = (uintptr_t)g->grow(bytes, g->ctx);
	if (!base)
		return NULL;
	/* guarded: the payload ends where the piece does, at the guard page
	 * (an alignment above 16 may leave a gap of less than that) */
	if (g->guarded)
		p = round_down(base + bytes - payload, align);
	else
		p = round_up(base + LARGE_HDR + HDR_SIZE, align);
	b = block_from_payload((void *)p);
	l = (struct large *)((uintptr_t)b - LARGE_HDR);
	l->base = base;
	l->bytes = bytes;
	l->prev = NULL;
	l->next = h->large;
	if (l->next) {
		l->next->prev = l;
		large_seal(h, l->next);
	}
	large_seal(h, l);
	h->large = l;

	MM_ASSERT(p % align == 0 && (uintptr_t)l >= base &&
		      p + payload <= base + bytes,
		  "a large block is aligned and lies inside its own memory");
	b->size = payload + HDR_SIZE;
	b->prev = NULL;
	block_seal(h->secret, b);
	block_set_meta(b, meta_make(block_key(h->secret, b),
				    meta_used(payload - n, bit_ffs(align))));
	mm_account_out(h, 1, payload, n, 1);
	h->stats.large_blocks++;
	h->stats.bytes_large += payload;
	h->bytes_total += bytes;
	return (void *)p;
}

static void report_list(struct heap *h, const struct large *l, const void *ptr)
{
	mm_fault(h,
		 (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED,
				     .ptr = ptr,
				     .block = large_block(l)},
		 "heap: large block %B: its link words are damaged (found "
		 "looking for %p)",
		 large_block(l), ptr);
}

/* l is on the list (its link check verified): its block header must be
 * a caller's block inside l's memory. Reported when it is not. */
static int large_sound(struct heap *h, const struct large *l, const void *ptr)
{
	const struct block *b = large_block(l);
	uintptr_t data = mm_meta(h, b);

	if (!block_intact(h->secret, b) || b->size & BLOCK_FLAGS || b->prev ||
	    data == META_BAD || !meta_is_callers(data) ||
	    meta_slack(data) > block_payload_size(b) ||
	    (uintptr_t)block_end(b) > l->base + l->bytes) {
		mm_report_header(h, b, ptr);
		return 0;
	}
	return 1;
}

/* l's own words verify and it is where a link may be; reported if not. */
static int link_sound(struct heap *h, const struct large *l, const void *ptr)
{
	if (((uintptr_t)l & (HEAP_ALIGN - 1)) != 0 ||
	    l->check != large_hash(h, l)) {
		report_list(h, l, ptr);
		return 0;
	}
	return 1;
}

/*
 * The large block whose payload ptr is, its header verified; NULL when ptr
 * is not one (nothing said), or when it is but is damaged (reported).
 */
struct large *mm_large_find(struct heap *h, const void *ptr)
{
	struct large *l;

	for (l = h->large; l; l = l->next) {
		if (!link_sound(h, l, ptr))
			return NULL;
		if (large_ptr(l) == ptr)
			return large_sound(h, l, ptr) ? l : NULL;
	}
	return NULL;
}

int mm_large_is_gone(const struct heap *h, const void *ptr)
{
	for (unsigned i = 0; i < sizeof h->large_gone / sizeof h->large_gone[0];
	     i++)
		if (h->large_gone[i] == (uintptr_t)ptr)
			return 1;
	return 0;
}

void mm_large_free(struct heap *h, struct large *l)
{
	const struct heap_growth *g = &h->growth;
	struct block *b = large_block(l);
	size_t payload = block_payload_size(b);
	const unsigned gone = sizeof h->large_gone / sizeof h->large_gone[0];

	MM_ASSERT(mm_heap_locked(h), "the large blocks' list changes under "
				     "the lock");
	MM_ASSERT(h->stats.large_blocks > 0 && h->stats.bytes_large >= payload,
		  "the large counts include every large block on the list");
	/* the guard page catches what runs past the piece; the red zone
	 * what stays inside it */
	if (mm_checking(h))
		mm_canary_verify(h, b);
	ann_free(block_payload(b), mm_usable(h, b));
	mm_uncount_used(h, b);
	h->stats.large_blocks--;
	h->stats.bytes_large -= payload;
	h->bytes_total -= l->bytes;
	if (l->prev) {
		l->prev->next = l->next;
		large_seal(h, l->prev);
	} else {
		h->large = l->next;
	}
	if (l->next) {
		l->next->prev = l->prev;
		large_seal(h, l->next);
	}
	h->large_gone[h->large_gone_next++ % gone] =
	    (uintptr_t)block_payload(b);
	/* the header no longer verifies, should the memory stay readable */
	b->check = ~b->check;
	if (g->release)
		g->release((void *)l->base, l->bytes, g->ctx);
}

size_t mm_large_usable(const struct heap *h, const struct large *l)
{
	return mm_usable(h, large_block(l));
}

/*
 * In place when the new size still needs memory of its own and fits what
 * the block has (shrinking at most by half, so memory is not held for
 * nothing); otherwise moved, through the ordinary allocation.
 */
void *mm_large_realloc(struct heap *h, struct large *l, size_t n)
{
	struct block *b = large_block(l);
	size_t payload = block_payload_size(b);
	size_t want = round_up(n, HEAP_ALIGN);
	size_t room = l->base + l->bytes - (uintptr_t)block_payload(b);
	unsigned align_log2 = meta_align_log2(mm_meta(h, b));
	size_t old = mm_usable(h, b);
	void *q;

	/* guarded blocks end at their guard page: never resized in place */
	if (want >= n && n >= h->growth.large_min && want <= room &&
	    want >= room / 2 && !h->growth.guarded) {
		mm_uncount_used(h, b);
		h->stats.bytes_large -= payload;
		b->size = want + HDR_SIZE;
		block_seal(h->secret, b);
		block_set_meta(b, meta_make(block_key(h->secret, b),
					    meta_used(want - n, align_log2)));
		mm_account_out(h, 1, want, n, 1);
		h->stats.bytes_large += want;
		ann_resize(block_payload(b), old, n);
		return block_payload(b);
	}
	q = mm_alloc_locked(h, n, (size_t)1 << align_log2);
	if (!q)
		return NULL;
	mm_copy(q, block_payload(b), n < old ? n : old);
	mm_large_free(h, l);
	return q;
}

/* heap_check: every link verifies and names its neighbours, every header
 * verifies, and the counts agree. Returns the problems found; adds what
 * callers asked for to *requested. */
int mm_large_check(struct heap *h, size_t *requested)
{
	const struct large *l, *prev = NULL;
	size_t blocks = 0, bytes = 0;

	for (l = h->large; l; prev = l, l = l->next) {
		if (!link_sound(h, l, NULL))
			return 1;
		if (l->prev != prev) {
			report_list(h, l, NULL);
			return 1;
		}
		if (!large_sound(h, l, NULL))
			return 1;
		blocks++;
		bytes += block_payload_size(large_block(l));
		*requested += mm_requested(h, large_block(l));
	}
	if (blocks != h->stats.large_blocks || bytes != h->stats.bytes_large) {
		mm_fault(h, (struct heap_fault){.kind = HEAP_FAULT_CORRUPTED},
			 "heap: check: %u large blocks counted, %u on the list",
			 h->stats.large_blocks, blocks);
		return 1;
	}
	return 0;
}

int mm_large_walk(struct heap *h, heap_walk_fn fn, void *ctx)
{
	const struct large *l;
	unsigned was =
	    atomic_load_explicit(&h->in_callback, memory_order_relaxed);
	int rc = 0;

	for (l = h->large; l && rc == 0; l = l->next) {
		const struct block *b = large_block(l);
		struct heap_block_info info = {0};

		if (!link_sound(h, l, NULL) || !large_sound(h, l, NULL))
			return HEAP_WALK_DAMAGED;
		info.block = b;
		info.ptr = block_payload(b);
		info.size = block_payload_size(b);
		info.requested = mm_requested(h, b);
		info.large = 1;
		info.region = -1;
		atomic_store_explicit(&h->in_callback, IN_WALK,
				      memory_order_relaxed);
		rc = fn(&info, ctx);
		atomic_store_explicit(&h->in_callback, was,
				      memory_order_relaxed);
	}
	return rc;
}

int heap_large_at(struct heap *h, const void *mem, struct heap_block_info *out)
{
	const struct large *l;
	unsigned steps = 0;

	if (!mm_heap_valid(h))
		return 0;
	/* bounded: a damaged list could loop */
	for (l = h->large; l && steps < h->stats.large_blocks + 1;
	     l = l->next, steps++) {
		const struct block *b;

		if (((uintptr_t)l & (HEAP_ALIGN - 1)) != 0 ||
		    l->check != large_hash(h, l))
			return 0;
		if (l->base != (uintptr_t)mem)
			continue;
		b = large_block(l);
		*out = (struct heap_block_info){0};
		out->block = b;
		out->ptr = block_payload(b);
		out->size = block_payload_size(b);
		out->requested =
		    block_intact(h->secret, b) ? mm_requested(h, b) : out->size;
		out->large = 1;
		out->region = -1;
		return 1;
	}
	return 0;
}
