#include "tests/stress/worker.h"

#include <stdio.h>
#include <stdlib.h>

#include "tests/common/rng.h"
#include "tests/common/stamp.h"
#include "tests/stress/fail.h"

struct slot {
	unsigned char *p; /* NULL: the slot is empty */
	size_t size;	  /* bytes asked for */
	size_t usable;	  /* bytes stamped: all the caller may use */
	uint64_t seq;
	uint64_t tag;
	struct span *span; /* its entry in the log, or NULL */
};

struct run {
	struct worker *w;
	struct rng rng;
	uint64_t seq;
	struct slot slot[WORKER_SLOTS];
};

/* Mostly small, as kernel allocations are; now and then a large one, which
 * takes a different path through the free lists and splits big blocks. */
static size_t pick_size(struct rng *r)
{
	unsigned roll = (unsigned)rng_below(r, 100);

	if (roll < 55)
		return rng_range(r, 0, 128);
	if (roll < 97)
		return rng_range(r, 129, 4096);
	return rng_range(r, 4097, 64 * 1024);
}

static uint32_t tick(struct worker *w)
{
	/* Relaxed is enough: the ticks that must be ordered (before a free,
	 * after the allocation that reuses its memory) are already ordered by
	 * the heap's lock, or by program order when one cache frees and
	 * reuses the block, and one atomic's updates follow that order. */
	return atomic_fetch_add_explicit(w->clock, 1, memory_order_relaxed);
}

static void verify(struct run *r, const struct slot *s, const char *when)
{
	size_t bad = stamp_find_damage(s->p, s->usable, s->tag);
	char whose[64] = "";

	if (bad == s->usable)
		return;
	/* a block handed out twice starts with the other owner's stamp */
	if (s->usable >= 8) {
		uint64_t tag = stamp_whose(s->p);

		snprintf(whose, sizeof whose,
			 "; word 0 names owner %u seq %llu", stamp_owner(tag),
			 (unsigned long long)stamp_seq(tag));
	}
	stress_fail("stamp mismatch in %s %u: block %p (seq %llu, asked %zu, "
		    "usable %zu) byte %zu is 0x%02x, expected 0x%02x, "
		    "found %s%s",
		    r->w->kind, r->w->owner, (void *)s->p,
		    (unsigned long long)s->seq, s->size, s->usable, bad,
		    s->p[bad], stamp_byte(s->tag, bad), when, whose);
}

/* The heap said no, with far more memory than this run ever holds. */
static _Noreturn void out_of_memory(struct worker *w, const char *op,
				    const void *old, size_t size)
{
	struct heap_stats st;
	char call[64];

	if (old)
		snprintf(call, sizeof call, "%s(%p, %zu)", op, old, size);
	else
		snprintf(call, sizeof call, "%s of %zu bytes", op, size);
	heap_get_stats(w->heap, &st);
	stress_fail("%s %u: %s returned NULL, with the heap far from full: "
		    "%zu bytes in use, %zu free (largest %zu) in %zu blocks, "
		    "%zu cached in %zu blocks",
		    w->kind, w->owner, call, st.bytes_used, st.bytes_free,
		    st.largest_free, st.free_blocks, st.bytes_cached,
		    st.cached_blocks);
}

/* The heap just returned p for size bytes (op names the call): check it and
 * make it this slot's, stamped. */
static void take(struct run *r, struct slot *s, unsigned char *p, size_t size,
		 const char *op)
{
	struct worker *w = r->w;
	uint32_t born = w->log ? tick(w) : 0;

	if (!p)
		out_of_memory(w, op, NULL, size);
	if ((uintptr_t)p % HEAP_ALIGN != 0)
		stress_fail("%s %u: %s returned %p, not %u-byte aligned",
			    w->kind, w->owner, op, (void *)p, HEAP_ALIGN);
	s->usable = heap_usable_size(w->heap, p);
	w->calls++;
	if (s->usable < size)
		stress_fail("%s %u: %s of %zu bytes gave %p with only %zu "
			    "usable",
			    w->kind, w->owner, op, size, (void *)p, s->usable);
	s->p = p;
	s->size = size;
	s->seq = r->seq++;
	s->tag = stamp_tag(w->owner, s->seq);
	stamp_fill(p, s->usable, s->tag);
	s->span = NULL;
	if (w->log) {
		if (w->logged == w->ops)
			stress_fail("%s %u: span log full", w->kind, w->owner);
		s->span = &w->log[w->logged++];
		*s->span = (struct span){(uintptr_t)p, (uintptr_t)p + s->usable,
					 born, SPAN_ALIVE, w->owner};
	}
}

/* From here on the block is no longer ours: its span ends before the heap
 * sees it again. */
static void give_back(struct run *r, struct slot *s)
{
	if (s->span)
		s->span->died = tick(r->w);
	s->p = NULL;
}

static void fill_empty(struct run *r, struct slot *s)
{
	struct worker *w = r->w;
	struct heap *h = w->heap;
	unsigned roll = (unsigned)rng_below(&r->rng, 100);
	size_t size = pick_size(&r->rng);
	unsigned char *p;

	w->calls++;
	if (roll < 40) {
		take(r, s, heap_alloc(h, size), size, "alloc");
	} else if (roll < 60) {
		size_t nmemb = rng_range(&r->rng, 1, 8), each = size / nmemb;
		size_t n = nmemb * each, bad;

		p = heap_calloc(h, nmemb, each);
		bad = p ? stamp_find_other(p, n, 0) : n;
		if (bad != n)
			stress_fail("%s %u: calloc(%zu, %zu) gave %p, byte "
				    "%zu not zero but 0x%02x",
				    w->kind, w->owner, nmemb, each, (void *)p,
				    bad, p[bad]);
		take(r, s, p, n, "calloc");
	} else if (roll < 80) {
		size_t align = (size_t)HEAP_ALIGN << rng_below(&r->rng, 9);

		p = heap_aligned_alloc(h, align, size);
		if ((uintptr_t)p % align != 0)
			stress_fail("%s %u: aligned_alloc(%zu, %zu) gave %p",
				    w->kind, w->owner, align, size, (void *)p);
		take(r, s, p, size, "aligned_alloc");
	} else {
		take(r, s, heap_realloc(h, NULL, size), size, "realloc(NULL)");
	}
}

static void resize(struct run *r, struct slot *s, size_t size)
{
	struct slot old = *s;
	unsigned char *q;
	size_t keep;

	give_back(r, s);
	q = heap_realloc(r->w->heap, old.p, size);
	if (!q)
		out_of_memory(r->w, "realloc", old.p, size);
	/* the caller owned every usable byte, so all of them up to the new
	 * size must have come along */
	keep = old.usable < size ? old.usable : size;
	old.p = q;
	old.usable = keep;
	verify(r, &old, "after realloc (contents not kept)");
	take(r, s, q, size, "realloc");
}

static void empty_full(struct run *r, struct slot *s)
{
	struct worker *w = r->w;
	unsigned roll = (unsigned)rng_below(&r->rng, 100);
	size_t size = pick_size(&r->rng);
	unsigned char *p = s->p;

	verify(r, s, roll < 50 ? "before free" : "before realloc");
	w->calls++;
	if (roll < 50) {
		give_back(r, s);
		heap_free(w->heap, p);
	} else if (roll < 95 && size > 0) {
		resize(r, s, size);
	} else {
		/* C's realloc(p, 0) may return either; this heap's contract
		 * is to free p and return NULL */
		give_back(r, s);
		if (heap_realloc(w->heap, p, 0) != NULL)
			stress_fail("%s %u: realloc(%p, 0) did not return NULL",
				    w->kind, w->owner, (void *)p);
	}
}

void worker_run(struct worker *w)
{
	struct run *r = calloc(1, sizeof *r);

	if (!r)
		stress_cannot("%s %u: out of host memory", w->kind, w->owner);
	r->w = w;
	rng_seed(&r->rng, w->seed);
	w->calls = w->logged = 0;
	for (size_t i = 0; i < w->ops; i++) {
		struct slot *s = &r->slot[rng_below(&r->rng, WORKER_SLOTS)];

		if (s->p)
			empty_full(r, s);
		else
			fill_empty(r, s);
	}
	for (size_t i = 0; i < WORKER_SLOTS; i++) {
		struct slot *s = &r->slot[i];
		unsigned char *p = s->p;

		if (!p)
			continue;
		verify(r, s, "before the final free");
		give_back(r, s);
		heap_free(w->heap, p);
		w->calls++;
	}
	free(r);
}
