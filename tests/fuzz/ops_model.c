/*
 * ops_model.c - checking a heap against the model of ops.h: contents,
 * placement, sizes, statistics and the walk, after every step and at the
 * end of a program.
 */
#include "tests/common/stamp.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/ops.h"

void model_fault(const struct heap_fault *f, void *ctx)
{
	const struct run *r = ctx;

	fuzz_fail("step %lu: a correct program got a fault (%s): %s", r->step,
		  heap_fault_name(f->kind), f->what);
}

struct heap_stats run_stats(const struct run *r)
{
	struct heap_stats s;

	heap_get_stats(r->h, &s);
	return s;
}

/* Payload bytes a request of n needs: the rounding and red zone of
 * docs/heap.md, and at least room for the free-list links. */
size_t payload_for(const struct run *r, size_t n)
{
	size_t extra = run_checking(r) ? HEAP_REDZONE : 0;

	if (n > SIZE_MAX - extra - HEAP_ALIGN)
		return SIZE_MAX;
	n = (n + extra + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
	return n < HEAP_ALIGN ? HEAP_ALIGN : n;
}

/* The payload of the largest free block. heap_stats says what one call can
 * get: in checking mode the red zone comes out of the payload first. */
size_t largest_payload(const struct run *r, const struct heap_stats *s)
{
	if (!s->largest_free)
		return 0;
	return s->largest_free + (run_checking(r) ? HEAP_REDZONE : 0);
}

void slot_verify(const struct run *r, const struct slot *s, const char *when)
{
	size_t bad = stamp_find_damage(s->p, s->usable, s->seed);

	FUZZ_EXPECT(bad == s->usable,
		    "step %lu: block %p (%zu bytes) damaged at offset %zu "
		    "(0x%02x, not its stamp's 0x%02x) %s",
		    r->step, (void *)s->p, s->usable, bad, s->p[bad],
		    stamp_byte(s->seed, bad), when);
}

/*
 * A block the heap just handed out for s (whose p, size and align are set):
 * where it is, its size and its first contents. Then it gets a stamp.
 */
void slot_accept(struct run *r, struct slot *s, int zeroed, size_t kept)
{
	uintptr_t a = (uintptr_t)s->p;
	size_t want = s->align > HEAP_ALIGN ? s->align : HEAP_ALIGN;
	int inside = 0;

	s->usable = heap_usable_size(r->h, s->p);
	FUZZ_EXPECT(a % want == 0, "step %lu: %p not aligned to %zu", r->step,
		    (void *)s->p, want);
	FUZZ_EXPECT(s->usable >= s->size &&
			(!run_checking(r) || s->usable == s->size),
		    "step %lu: usable size %zu for a request of %zu", r->step,
		    s->usable, s->size);
	for (size_t i = 0; i < r->npieces; i++)
		inside |=
		    a >= r->piece[i].lo && s->usable <= r->piece[i].hi - a;
	FUZZ_EXPECT(inside, "step %lu: block %p + %zu is outside the heap",
		    r->step, (void *)s->p, s->usable);
	for (const struct slot *t = r->slot; t < r->slot + SLOTS; t++) {
		uintptr_t b = (uintptr_t)t->p;

		if (t == s || !t->p)
			continue;
		FUZZ_EXPECT(a + s->usable <= b || b + t->usable <= a,
			    "step %lu: block %p + %zu overlaps live %p + %zu",
			    r->step, (void *)s->p, s->usable, (void *)t->p,
			    t->usable);
	}
	if (zeroed)
		FUZZ_EXPECT(stamp_uniform(s->p, s->size, 0),
			    "step %lu: calloc'd block %p not zeroed", r->step,
			    (void *)s->p);
	else if (run_checking(r) && s->size > kept)
		FUZZ_EXPECT(
		    stamp_uniform(s->p + kept, s->size - kept, HEAP_NEW_BYTE),
		    "step %lu: new bytes of %p not filled with 0x%02x", r->step,
		    (void *)s->p, HEAP_NEW_BYTE);
	stamp_fill(s->p, s->usable, s->seed);
	r->live++;
	r->requested += s->size;
}

void slot_release(struct run *r, struct slot *s)
{
	r->live--;
	r->requested -= s->size;
	s->p = NULL;
}

void slot_free(struct run *r, struct slot *s)
{
	unsigned char *p = s->p;
	size_t n = s->size;

	if (!p) {
		heap_free(r->h, NULL); /* must do nothing */
		return;
	}
	slot_verify(r, s, "before free");
	heap_free(r->h, p);
	slot_release(r, s);
	/* freed memory is poisoned; the first bytes may hold list links */
	if (run_checking(r) && n > 2 * sizeof(void *))
		FUZZ_EXPECT(stamp_uniform(p + 2 * sizeof(void *),
					  n - 2 * sizeof(void *),
					  HEAP_FREE_BYTE),
			    "step %lu: freed block %p not poisoned", r->step,
			    (void *)p);
}

/*
 * Out of memory must mean it: a request that fits the largest free block
 * succeeds when that block is the only one (with more, the heap looks at a
 * bounded number of candidates), and a request no free block can hold fails
 * unless a quarantine or the caches could be emptied to make room.
 */
void expect_fit(const struct run *r, const struct heap_stats *before, size_t n,
		const void *p, const char *op)
{
	size_t need = payload_for(r, n);
	size_t largest = largest_payload(r, before);

	if (!p)
		FUZZ_EXPECT(need > largest || before->free_blocks != 1,
			    "step %lu: %s of %zu failed, free block of %zu",
			    r->step, op, n, before->largest_free);
	else
		FUZZ_EXPECT(need <= largest ||
				before->quarantined_blocks != 0 ||
				before->cached_blocks != 0,
			    "step %lu: %s of %zu succeeded, largest free %zu",
			    r->step, op, n, before->largest_free);
}

struct walk_ctx {
	struct run *r;
	const void *last_end;
	int last_region, last_free, last_quarantined;
	size_t used, cached;
	size_t span; /* bytes of every block, its header's included */
};

static int walk_visit(const struct heap_block_info *b, void *ctx)
{
	struct walk_ctx *w = ctx;
	const struct run *r = w->r;
	const unsigned char *p = b->ptr;
	const struct slot *s = NULL;

	FUZZ_EXPECT((uintptr_t)p % HEAP_ALIGN == 0 &&
			(uintptr_t)b->block < (uintptr_t)p,
		    "step %lu: walk: block %p, payload %p", r->step, b->block,
		    b->ptr);
	if (b->region == w->last_region) {
		FUZZ_EXPECT((uintptr_t)b->block >= (uintptr_t)w->last_end,
			    "step %lu: walk: block %p before the end of the "
			    "previous one",
			    r->step, b->block);
		/* quarantined blocks are shown free, and are never merged */
		FUZZ_EXPECT(!(b->free && w->last_free) || b->quarantined ||
				w->last_quarantined,
			    "step %lu: walk: free blocks side by side at %p",
			    r->step, b->block);
	}
	w->last_region = b->region;
	w->last_end = p + b->size;
	w->last_free = b->free;
	w->span += (size_t)(p - (const unsigned char *)b->block) + b->size;
	if (b->cached || b->internal) {
		/* freed into a cache, or the caches' own memory */
		FUZZ_EXPECT(run_cached(r) && !b->free,
			    "step %lu: walk: block %p cached %d, internal %d, "
			    "free %d",
			    r->step, b->block, b->cached, b->internal, b->free);
		w->cached += b->cached;
		return 0;
	}
	w->last_quarantined = b->quarantined;
	FUZZ_EXPECT(!b->quarantined || (b->free && run_quarantine(r)),
		    "step %lu: walk: block %p quarantined, free %d", r->step,
		    b->block, b->free);
	if (b->free)
		return 0;
	for (size_t i = 0; i < SLOTS && !s; i++)
		if (r->slot[i].p == p)
			s = &r->slot[i];
	FUZZ_EXPECT(s && b->requested == s->size && b->size >= s->usable,
		    "step %lu: walk: used block %p (%zu of %zu bytes) is not "
		    "one the model has",
		    r->step, b->ptr, b->requested, b->size);
	w->used++;
	return 0;
}

void model_walk(struct run *r)
{
	struct walk_ctx w = {.r = r, .last_region = -1};

	FUZZ_EXPECT(heap_walk(r->h, walk_visit, &w) == 0,
		    "step %lu: walk failed", r->step);
	FUZZ_EXPECT(w.used == r->live,
		    "step %lu: walk shows %zu used blocks, model has %zu",
		    r->step, w.used, r->live);
}

void model_check_step(struct run *r)
{
	struct heap_stats s = run_stats(r);

	FUZZ_EXPECT(heap_check(r->h) == 0, "step %lu: heap_check failed",
		    r->step);
	FUZZ_EXPECT(
	    s.used_blocks == r->live && s.bytes_requested == r->requested,
	    "step %lu: stats say %zu blocks, %zu bytes; model %zu, %zu",
	    r->step, s.used_blocks, s.bytes_requested, r->live, r->requested);
	FUZZ_EXPECT(run_quarantine(r) || s.quarantined_blocks == 0,
		    "step %lu: quarantined blocks without a quarantine",
		    r->step);
	if (r->step % VERIFY_EVERY == 0)
		for (size_t i = 0; i < SLOTS; i++)
			if (r->slot[i].p)
				slot_verify(r, &r->slot[i], "at a checkpoint");
}

/* Everything freed, the heap must be as it was: one free block a region. */
void model_finish(struct run *r)
{
	struct heap_stats s;

	for (size_t i = 0; i < SLOTS; i++)
		slot_free(r, &r->slot[i]);
	heap_flush_quarantine(r->h);
	heap_drain_caches(r->h);
	s = run_stats(r);
	FUZZ_EXPECT(s.cached_blocks == 0 && s.bytes_cached == 0,
		    "end: %zu blocks still cached after heap_drain_caches",
		    s.cached_blocks);
	if (run_cached(r)) {
		/* the caches' own blocks stay: all the rest is free, and with
		 * them spans what the regions held at the start, one free
		 * block (and its header) each */
		struct walk_ctx w = {.r = r, .last_region = -1};

		FUZZ_EXPECT(heap_walk(r->h, walk_visit, &w) == 0 &&
				w.used == 0 && w.cached == 0,
			    "end: the walk shows %zu used, %zu cached", w.used,
			    w.cached);
		FUZZ_EXPECT(w.span == r->free_bytes + r->npieces * r->hdr,
			    "end: blocks span %zu bytes, the regions' free "
			    "block %zu",
			    w.span, r->free_bytes + r->npieces * r->hdr);
		FUZZ_EXPECT(heap_check(r->h) == 0, "end: heap_check failed");
		return;
	}
	FUZZ_EXPECT(s.used_blocks == 0 && s.bytes_used == 0 &&
			s.bytes_requested == 0 && s.quarantined_blocks == 0 &&
			s.bytes_quarantined == 0,
		    "end: blocks still in use after freeing everything");
	FUZZ_EXPECT(s.free_blocks == r->npieces && s.regions == r->npieces &&
			s.bytes_free == r->free_bytes,
		    "end: %zu free blocks, %zu bytes in %zu regions; expected "
		    "%zu bytes in %zu",
		    s.free_blocks, s.bytes_free, s.regions, r->free_bytes,
		    r->npieces);
	FUZZ_EXPECT(heap_check(r->h) == 0, "end: heap_check failed");
}
