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
	size_t used_blocks, free_blocks, quarantined_blocks;
	size_t bytes_used, bytes_free, bytes_requested, bytes_quarantined;
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
	if (!block_is_free(c))
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
		if (c == r->sentinel) {
			if (!block_is_sentinel(c) || block_is_free(c))
				problem(h, t, c,
					"region end is not a sentinel");
			return;
		}
		if (block_is_sentinel(c) || block_size(c) < MIN_BLOCK ||
		    (uintptr_t)block_next(c) > (uintptr_t)r->sentinel) {
			problem(h, t, c, "size does not tile the region");
			return;
		}
		check_contents(h, t, c);
		if (block_is_listed(c)) {
			if (prev && block_is_listed(prev))
				problem(h, t, c,
					"free block next to a free block "
					"(missed merge)");
			t->free_blocks++;
			t->bytes_free += block_payload_size(c);
		} else if (block_is_free(c)) {
			t->quarantined_blocks++;
			t->bytes_quarantined += block_payload_size(c);
		} else {
			size_t slack = (size_t)(c->meta & META_SLACK_MASK);

			if (slack > block_payload_size(c))
				problem(h, t, c,
					"requested size larger than "
					"the block");
			t->used_blocks++;
			t->bytes_used += block_payload_size(c);
			t->bytes_requested += block_payload_size(c) - slack;
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
				fl_class(block_size(b), &f, &s);
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

int heap_check(struct heap *h)
{
	struct tally t = {0};
	const struct region *r;
	uintptr_t irq;

	if (!heap_valid(h))
		return 1;
	irq = heap_lock(h);
	for (r = h->regions; r; r = r->next)
		check_region(h, r, &t);
	if (check_lists(h, &t) != t.free_blocks)
		problem(h, &t, NULL, "some free blocks are in no free list");
	if (t.used_blocks != h->stats.used_blocks ||
	    t.free_blocks != h->stats.free_blocks ||
	    t.bytes_used != h->stats.bytes_used ||
	    t.bytes_free != h->stats.bytes_free ||
	    t.bytes_requested != h->stats.bytes_requested ||
	    t.quarantined_blocks != h->stats.quarantined_blocks ||
	    t.bytes_quarantined != h->stats.bytes_quarantined)
		problem(h, &t, NULL, "statistics disagree with the blocks");
	heap_unlock(h, irq);
	return t.bad;
}

int heap_walk(struct heap *h, heap_walk_fn fn, void *ctx)
{
	const struct region *r;
	const struct block *c;
	uintptr_t irq;
	int rc = 0;

	if (!heap_valid(h) || !fn)
		return -1;
	irq = heap_lock(h);
	for (r = h->regions; r && rc == 0; r = r->next) {
		for (c = r->first; c != r->sentinel; c = block_next(c)) {
			struct heap_block_info info;

			if (!mm_block_fits(h, r, c)) {
				mm_report_header(h, c, NULL);
				rc = -1;
				break;
			}
			info.block = c;
			info.ptr = block_payload(c);
			info.size = block_payload_size(c);
			info.free = block_is_free(c);
			info.quarantined =
			    block_is_free(c) && !block_is_listed(c);
			info.requested = info.free ? 0 : block_requested(c);
			info.region = (int)r->index;
			rc = fn(&info, ctx);
			if (rc)
				break;
		}
	}
	heap_unlock(h, irq);
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

	if (!out)
		return;
	if (!heap_valid(h)) {
		mm_fill(out, 0, sizeof *out);
		return;
	}
	irq = heap_lock(h);
	*out = h->stats;
	out->largest_free = largest_free(h);
	/* what one call can get: in checking mode the red zone comes out of
	 * the payload (mm_request_size) */
	if (mm_checking(h))
		out->largest_free = out->largest_free > HEAP_REDZONE
					? out->largest_free - HEAP_REDZONE
					: 0;
	out->bytes_overhead = h->bytes_total - out->bytes_used -
			      out->bytes_free - out->bytes_quarantined;
	out->lock_acquired = h->lock.acquired;
	out->lock_contended = h->lock.contended;
	heap_unlock(h, irq);
}
