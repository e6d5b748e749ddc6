/*
 * check.c - heap_check, heap_walk and heap_get_stats: looking at the whole
 * heap at once. These walk every block, so they are for tests, debugging
 * and the kernel's self-checks, never for the allocation path.
 */
#include "bitops.h"
#include "internal.h"

/* Enough to say what is wrong without flooding the reporter. */
#define MAX_REPORTS 16

struct tally {
	size_t used_blocks, free_blocks, quarantined_blocks, cached_blocks;
	size_t bytes_used, bytes_free, bytes_requested, bytes_quarantined;
	size_t bytes_cached, internal_blocks, internal_bytes;
	int bad;
};

/* Checking mode: poison in free blocks, canaries after used ones. */
static void check_contents(struct heap *h, struct tally *t,
			   const struct block *c)
{
	uintptr_t p = (uintptr_t)block_payload(c);
	int rc;

	if (!mm_checking(h))
		return;
	if (!block_is_freed(c) && !meta_is_callers(mm_meta(h, c)))
		return;
	if (!block_is_freed(c))
		rc = mm_canary_verify(h, c);
	else if (block_is_listed(c))
		rc = mm_poison_verify(h, c, p + LINKS_SIZE, block_end(c));
	else
		rc = mm_poison_verify(h, c, p, block_end(c));
	if (rc)
		t->bad++;
}

static void report(struct heap *h, struct tally *t, enum heap_fault_kind kind,
		   const struct block *b, const char *what)
{
	if (t->bad++ < MAX_REPORTS)
		mm_fault(h, (struct heap_fault){.kind = kind, .block = b},
			 "heap: check: block %B: %s", b, what);
}

static void problem(struct heap *h, struct tally *t, const struct block *b,
		    const char *what)
{
	report(h, t, HEAP_FAULT_CORRUPTED, b, what);
}

/* A free block's links were overwritten: in checking mode that can only
 * be a write after free (poison shows nothing else wrote there). */
static void link_problem(struct heap *h, struct tally *t, const struct block *b,
			 const char *what)
{
	report(h, t,
	       mm_checking(h) ? HEAP_FAULT_USE_AFTER_FREE
			      : HEAP_FAULT_CORRUPTED,
	       b, what);
}

/* A block the heap gave out: a caller's, cached, or the heap's own. Its
 * meta may change as we read it (a cache taking or handing it out), but
 * in one store: every value read must verify. */
static void tally_out(struct heap *h, struct tally *t, const struct block *c)
{
	uintptr_t data = mm_meta(h, c);
	size_t payload = block_payload_size(c);

	if (data == META_BAD) {
		problem(h, t, c, "meta field does not verify");
	} else if (data == META_CACHED) {
		t->cached_blocks++;
		t->bytes_cached += payload;
	} else if (data == META_INTERNAL) {
		t->internal_blocks++;
		t->internal_bytes += payload;
	} else if (!meta_is_callers(data) || meta_slack(data) > payload) {
		problem(h, t, c, "requested size larger than the block");
	} else {
		t->used_blocks++;
		t->bytes_used += payload;
		t->bytes_requested += payload - meta_slack(data);
	}
}

static void check_region(struct heap *h, const struct region *r,
			 struct tally *t)
{
	const struct block *c = r->first, *prev = NULL;

	for (;;) {
		if (!block_intact(h->secret, c)) {
			if (t->bad++ < MAX_REPORTS)
				mm_report_header(h, c, NULL);
			return;
		}
		if (c->prev != prev)
			problem(h, t, c,
				"prev link does not name the block "
				"before it");
		/* free blocks and sentinels keep meta at 0: their check does
		 * not cover it, this does */
		if ((block_is_freed(c) || c == r->sentinel) &&
		    block_meta(c) != 0)
			problem(h, t, c, "meta field of a free block is not 0");
		if (c == r->sentinel) {
			if (!block_is_sentinel(c) || block_is_freed(c))
				problem(h, t, c,
					"region end is not a sentinel");
			return;
		}
		if (block_is_sentinel(c) || !mm_block_tiles(r, c)) {
			problem(h, t, c, "size does not tile the region");
			return;
		}
		/* a purged region's pages read as whatever the environment
		 * left there, until it is committed */
		if (!r->purged)
			check_contents(h, t, c);
		if (block_is_listed(c)) {
			if (prev && block_is_listed(prev))
				problem(h, t, c,
					"free block next to a free block "
					"(missed merge)");
			t->free_blocks++;
			t->bytes_free += block_payload_size(c);
		} else if (block_is_freed(c)) {
			t->quarantined_blocks++;
			t->bytes_quarantined += block_payload_size(c);
		} else {
			tally_out(h, t, c);
		}
		prev = c;
		c = block_next(c);
	}
}

static size_t check_lists(struct heap *h, struct tally *t)
{
	size_t listed = 0;
	unsigned fl, sl, f, s;

	for (fl = 0; fl < FL_COUNT; fl++) {
		int fl_bit = (h->fl_map >> fl) & 1u;

		if (fl_bit != (h->sl_map[fl] != 0))
			problem(h, t, NULL,
				"first-level bitmap disagrees with "
				"the second level");
		for (sl = 0; sl < SL_COUNT; sl++) {
			const struct block *b = h->lists[fl][sl], *prev = NULL;
			int sl_bit = (h->sl_map[fl] >> sl) & 1u;

			if (sl_bit != (b != NULL))
				problem(h, t, b,
					"bitmap disagrees with its "
					"free list");
			for (; b; prev = b, b = block_links(b)->next) {
				if (((uintptr_t)b & (HEAP_ALIGN - 1)) != 0 ||
				    !mm_region_of(h, (uintptr_t)b)) {
					link_problem(h, t, prev,
						     "free-list link points "
						     "outside the heap");
					break;
				}
				if (!block_intact(h->secret, b) ||
				    !block_is_listed(b)) {
					problem(h, t, b,
						"on a free list but not a free "
						"block");
					break;
				}
				mm_fl_class(block_size(b), &f, &s);
				if (f != fl || s != sl)
					problem(h, t, b,
						"free block in the "
						"wrong size class");
				if (block_links(b)->prev != prev)
					link_problem(h, t, b,
						     "free-list back link is "
						     "wrong");
				if (++listed > t->free_blocks) {
					problem(h, t, b,
						"free lists hold more "
						"blocks than the heap");
					return listed;
				}
			}
		}
	}
	return listed;
}

/*
 * The blocks out of the heap are its callers', the caches' and its own;
 * their number and bytes must match what the heap counted. Who holds the
 * cached ones, and what callers asked for, changes without the lock on
 * the other CPUs: those are compared only for a heap without caches.
 */
static void check_totals(struct heap *h, struct tally *t)
{
	const struct heap_stats *s = &h->stats;

	if (t->used_blocks + t->cached_blocks + t->internal_blocks !=
		s->used_blocks ||
	    t->bytes_used + t->bytes_cached + t->internal_bytes !=
		s->bytes_used ||
	    t->free_blocks != s->free_blocks ||
	    t->bytes_free != s->bytes_free ||
	    t->quarantined_blocks != s->quarantined_blocks ||
	    t->bytes_quarantined != s->bytes_quarantined ||
	    t->internal_blocks != h->internal_blocks ||
	    (!h->cached && (t->bytes_requested != s->bytes_requested ||
			    t->cached_blocks != 0)))
		problem(h, t, NULL, "statistics disagree with the blocks");
}

int heap_check(struct heap *h)
{
	struct tally t = {0};
	const struct region *r;
	struct mm_cache *c;
	uintptr_t irq;

	if (!mm_heap_valid(h))
		return 1;
	if (mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return 1;
	for (r = h->regions; r; r = r->next)
		check_region(h, r, &t);
	/* large blocks are counted with the blocks out of the heap */
	t.used_blocks += h->stats.large_blocks;
	t.bytes_used += h->stats.bytes_large;
	t.bad += mm_large_check(h, &t.bytes_requested);
	if (check_lists(h, &t) != t.free_blocks)
		problem(h, &t, NULL, "some free blocks are in no free list");
	check_totals(h, &t);
	c = mm_cache_mine(h);
	if (c)
		t.bad += mm_cache_check(h, c);
	if (h->cached && !mm_hooks.local)
		t.bad += mm_shards_check(h);
	mm_heap_unlock(h, irq);
	return t.bad;
}

int heap_walk(struct heap *h, heap_walk_fn fn, void *ctx)
{
	const struct region *r;
	const struct block *c;
	uintptr_t irq;
	unsigned was;
	int rc = 0;

	if (!mm_heap_valid(h) || !fn)
		return HEAP_WALK_DAMAGED;
	if (mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return HEAP_WALK_DAMAGED;
	was = atomic_load_explicit(&h->in_callback, memory_order_relaxed);
	for (r = h->regions; r && rc == 0; r = r->next) {
		for (c = r->first; c != r->sentinel; c = block_next(c)) {
			struct heap_block_info info = {0};
			uintptr_t data;

			if (!mm_block_fits(h, r, c)) {
				mm_report_header(h, c, NULL);
				rc = HEAP_WALK_DAMAGED;
				break;
			}
			data = block_is_freed(c) ? 0 : mm_meta(h, c);
			info.block = c;
			info.ptr = block_payload(c);
			info.size = block_payload_size(c);
			info.free = block_is_freed(c);
			info.quarantined =
			    block_is_freed(c) && !block_is_listed(c);
			info.cached = !info.free && data == META_CACHED;
			info.internal = !info.free && data == META_INTERNAL;
			info.requested = info.free ? 0 : mm_requested(h, c);
			info.region = (int)r->index;
			/* the callback may call back in: refused, not a
			 * deadlock (mm_heap_lock) */
			atomic_store_explicit(&h->in_callback, IN_WALK,
					      memory_order_relaxed);
			rc = fn(&info, ctx);
			atomic_store_explicit(&h->in_callback, was,
					      memory_order_relaxed);
			if (rc)
				break;
		}
	}
	if (rc == 0)
		rc = mm_large_walk(h, fn, ctx);
	mm_heap_unlock(h, irq);
	return rc;
}

/*
 * The largest free block is in the highest non-empty class; find it there.
 * The list is followed only through genuine free blocks, and no further
 * than there are free blocks, so a damaged list cannot lead it astray.
 */
static size_t largest_free(const struct heap *h)
{
	const struct block *b;
	size_t best = 0, n = 0;
	unsigned fl;

	if (!h->fl_map)
		return 0;
	fl = bit_fls(h->fl_map);
	b = h->lists[fl][bit_fls(h->sl_map[fl])];
	for (; b && n++ <= h->stats.free_blocks; b = block_links(b)->next) {
		if (!mm_link_ok(h, b))
			break;
		if (block_payload_size(b) > best)
			best = block_payload_size(b);
	}
	return best;
}

void heap_get_stats(struct heap *h, struct heap_stats *out)
{
	uintptr_t irq;
	intptr_t requested = 0;
	size_t cached_bytes = 0, cached;

	if (!out)
		return;
	mm_fill(out, 0, sizeof *out);
	if (!mm_heap_valid(h) || mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return;
	*out = h->stats;
	out->largest_free = largest_free(h);
	/* what one call can get: in checking mode the red zone comes out of
	 * the payload (mm_request_size) */
	if (mm_checking(h))
		out->largest_free = out->largest_free > HEAP_REDZONE
					? out->largest_free - HEAP_REDZONE
					: 0;
	/* the heap counted every block it gave out; callers hold those that
	 * no cache holds, that are not its own, and not lost */
	cached = mm_cache_count(h, &cached_bytes, &requested);
	out->cached_blocks = cached;
	out->bytes_cached = cached_bytes;
	out->used_blocks -= cached + h->internal_blocks + h->lost_blocks;
	out->bytes_used -= cached_bytes + h->internal_bytes + h->lost_bytes;
	out->bytes_requested =
	    (size_t)((intptr_t)out->bytes_requested + requested);
	out->bytes_overhead = h->bytes_total - out->bytes_used -
			      out->bytes_free - out->bytes_quarantined -
			      out->bytes_cached;
	out->lock_acquired = h->lock.acquired;
	out->lock_contended = h->lock.contended;
	out->lock_slept = h->lock.slept;
	mm_heap_unlock(h, irq);
}
