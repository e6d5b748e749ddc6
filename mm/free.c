/*
 * free.c - heap_free, pointer validation, and merging with neighbours.
 *
 * A pointer from the caller is never trusted: it must be aligned, inside a
 * region, and sit right after a header whose keyed check verifies, before
 * anything is written. The check also tells a block freed twice from one
 * freed once: every header that stops being a block's (absorbed by a merge)
 * was marked free first, so it still verifies, and says "free".
 */
#include "cache_ops.h"
#include "internal.h"

/* addr is in memory the heap was given but keeps for itself: struct heap,
 * a struct region, or a region's sentinel. */
static int mm_in_metadata(const struct heap *h, uintptr_t addr)
{
	const struct region *r;

	for (r = h->regions; r; r = r->next)
		if ((addr >= r->base && addr < (uintptr_t)r->first) ||
		    (addr >= (uintptr_t)r->sentinel &&
		     addr < (uintptr_t)r->sentinel + HDR_SIZE))
			return 1;
	return 0;
}

/*
 * ptr - header is not a block in use: its header does not verify, or it is
 * a stale one (absorbed by a merge; still marked free). Walking the region
 * from its start tells whether ptr points into a free block (freed twice,
 * or stale), into a block in use (never returned, or freed and reused), or
 * at a real block whose header was damaged. This is the error path only;
 * no valid call ever walks.
 */
static void explain_pointer(struct heap *h, struct region *r,
			    const struct block *b, const void *ptr,
			    const char *op)
{
	struct block *c, *next;

	for (c = r->first; c != r->sentinel; c = next) {
		if (!mm_block_fits(h, r, c)) {
			if (c == b)
				mm_report_header(h, c, ptr);
			else
				mm_fault(h,
					 (struct heap_fault){
					     .kind = HEAP_FAULT_CORRUPTED,
					     .ptr = ptr,
					     .block = c},
					 "heap: header of block %B corrupted "
					 "(found during %s of %p)",
					 c, op, ptr);
			return;
		}
		next = block_next(c);
		if ((uintptr_t)b < (uintptr_t)next) {
			if (block_is_freed(c))
				mm_fault(h,
					 (struct heap_fault){
					     .kind = HEAP_FAULT_DOUBLE_FREE,
					     .ptr = ptr,
					     .block = c},
					 "heap: %s of %p, inside free block %B "
					 "(freed twice, or a stale pointer)",
					 op, ptr, c);
			else
				mm_fault(
				    h,
				    (struct heap_fault){
					.kind = HEAP_FAULT_INVALID_POINTER,
					.ptr = ptr,
					.block = c,
					.offset =
					    (size_t)((uintptr_t)ptr -
						     (uintptr_t)block_payload(
							 c))},
				    "heap: %s of %p, which points inside "
				    "block %B (not the start of a block)",
				    op, ptr, c);
			return;
		}
	}
}

/*
 * A verified header marked free is either a free block or the stale header
 * of one that was merged away. A real block is named by its successor.
 */
static int linked(const struct region *r, const struct block *b)
{
	return mm_block_tiles(r, b) && block_next(b)->prev == b;
}

/* What a pointer from the caller is, as far as the heap can tell. */
enum verdict {
	PTR_BLOCK,	/* a block in use: the call goes ahead */
	PTR_MISALIGNED, /* not on the heap's alignment */
	PTR_METADATA,	/* in the heap's own control structure */
	PTR_ELSEWHERE,	/* in no region of this heap */
	PTR_INTERNAL,	/* a per-CPU cache the heap allocated for itself */
	PTR_FREED,	/* freed already: free, quarantined, cached, unmapped */
	PTR_FORGED,	/* a header that verifies but does not fit its place */
	PTR_UNKNOWN,	/* no valid header: a walk of the region tells more */
};

/* The formats of the verdicts that need no more than op and ptr. */
static const char *const invalid_fmt[] = {
    [PTR_MISALIGNED] = "heap: %s of misaligned pointer %p (this heap only "
		       "returns 16-byte aligned pointers)",
    [PTR_METADATA] = "heap: %s of %p, which points into the heap's own "
		     "control structure (never a block)",
    [PTR_ELSEWHERE] = "heap: %s of %p, which is not in this heap",
    [PTR_INTERNAL] = "heap: %s of %p, which is a per-CPU cache of the "
		     "heap's own (never returned to a caller)",
};

/*
 * Judge ptr, whose header would be b. The tests go from what needs no
 * memory read to what needs the header, so a wild pointer is never
 * dereferenced; *r is ptr's region once one is found.
 */
static enum verdict judge(struct heap *h, const void *ptr,
			  const struct block *b, struct region **r)
{
	uintptr_t a = (uintptr_t)ptr, data;

	if (a & (HEAP_ALIGN - 1))
		return PTR_MISALIGNED;
	*r = a >= HDR_SIZE ? mm_region_of(h, a - HDR_SIZE) : NULL;
	if (!*r) {
		if (mm_large_is_gone(h, ptr))
			return PTR_FREED;
		return mm_in_metadata(h, a) ? PTR_METADATA : PTR_ELSEWHERE;
	}
	/* a free header whose neighbours do not name it is a stale one,
	 * inside the free block that absorbed it (the walk finds which) */
	if (!block_intact(h->secret, b) ||
	    (block_is_freed(b) && (!linked(*r, b) || !mm_prev_ok(h, *r, b))))
		return PTR_UNKNOWN;
	/* a header that verifies must still stay inside its region: with the
	 * secret read out of memory, one can be forged */
	if (!mm_block_fits(h, *r, b) || !mm_prev_ok(h, *r, b))
		return PTR_FORGED;
	data = mm_meta(h, b);
	if (block_is_freed(b) || data == META_CACHED)
		return PTR_FREED;
	if (data == META_INTERNAL)
		return PTR_INTERNAL;
	if (data == META_BAD || meta_slack(data) > block_payload_size(b))
		return PTR_FORGED;
	return PTR_BLOCK;
}

/*
 * The block a caller holds at ptr, for op (free, realloc, usable_size)
 * under the lock; NULL once what is wrong with ptr has been reported.
 */
struct block *mm_lookup(struct heap *h, const void *ptr, enum mm_op op)
{
	static const char *const names[] = {"free", "realloc", "usable_size"};
	struct block *b = block_from_payload(ptr);
	struct region *r = NULL;
	enum verdict v = judge(h, ptr, b, &r);
	struct heap_fault f = {.kind = HEAP_FAULT_INVALID_POINTER, .ptr = ptr};

	switch (v) {
	case PTR_BLOCK:
		return b;
	case PTR_UNKNOWN:
		explain_pointer(h, r, b, ptr, names[op]);
		break;
	case PTR_FORGED:
		mm_report_header(h, b, ptr);
		break;
	case PTR_FREED:
		/* free, quarantined, or in a CPU's cache: all the same to the
		 * caller; a large block's header went with its pages */
		f.kind = HEAP_FAULT_DOUBLE_FREE;
		f.block = r ? b : NULL;
		if (op == MM_FREE)
			mm_fault(h, f,
				 "heap: double free of %p (block already free)",
				 ptr);
		else
			mm_fault(h, f, "heap: %s of %p, a block already freed",
				 names[op], ptr);
		break;
	default:
		mm_fault(h, f, invalid_fmt[v], names[op], ptr);
	}
	return NULL;
}

/* Before merging: a damaged neighbour stops us before any write. */
int mm_neighbours_intact(struct heap *h, struct block *b)
{
	struct block *next = block_next(b);
	struct block *prev = b->prev;
	struct region *r = mm_region_of(h, (uintptr_t)b);

	/* next is only where b's size says: it must stay in b's region */
	if (!r || !mm_block_fits(h, r, b)) {
		mm_report_header(h, b, block_payload(b));
		return 0;
	}
	if (!mm_header_sound(h, next) || next->prev != b) {
		mm_report_header(h, next, block_payload(b));
		return 0;
	}
	/* a prev that names no block ending here is b's fault; a genuine one
	 * whose other words are damaged is its own (and never read wild:
	 * prev_ok() keeps it inside the region) */
	if (!mm_prev_ok(h, r, b) || (prev && !mm_header_sound(h, prev))) {
		int readable = prev &&
			       ((uintptr_t)prev & (HEAP_ALIGN - 1)) == 0 &&
			       (uintptr_t)prev >= (uintptr_t)r->first &&
			       (uintptr_t)prev < (uintptr_t)b;

		mm_report_header(
		    h, readable && !mm_header_sound(h, prev) ? prev : b,
		    block_payload(b));
		return 0;
	}
	/* and prev's own link: every word of both neighbours is looked at,
	 * as one hash over them all once did */
	if (prev && !mm_prev_ok(h, r, prev)) {
		mm_report_header(h, prev, block_payload(b));
		return 0;
	}
	return 1;
}

/* n is a free block on a list, as far as its header can be believed: a
 * header past an absorbed neighbour was not verified before the merge
 * (mm_set_prev reports it), and its flags then say nothing. */
static MM_FOR_ASSERTS int genuinely_listed(const struct heap *h,
					   const struct block *n)
{
	return n && block_is_listed(n) && mm_header_sound(h, n);
}

/*
 * b (intact, neighbours intact, out of the statistics) becomes a free block
 * on its list, merged with free neighbours. In checking mode, every byte
 * that was not poison before - b's payload, and the headers that merging
 * turns into payload - is poisoned.
 */
void mm_release(struct heap *h, struct block *b)
{
	struct block *next = block_next(b);
	struct block *prev = b->prev;
	size_t size = block_size(b);
	uintptr_t from = (uintptr_t)block_payload(b) + LINKS_SIZE;
	uintptr_t to = (uintptr_t)next;
	struct block *was = NULL; /* a free next absorbed */

	MM_ASSERT(mm_heap_locked(h), "blocks merge under the lock");
	MM_ASSERT(!block_is_listed(b) && mm_neighbours_intact(h, b),
		  "b is in use or quarantined, and its neighbours were "
		  "verified before it was released");
	if (block_is_listed(next) && mm_fl_remove(h, next) == 0) {
		size += block_size(next);
		to = (uintptr_t)block_payload(next) + LINKS_SIZE;
		was = next;
		next = block_next(next);
	}
	if (prev && block_is_listed(prev) && mm_fl_remove(h, prev) == 0) {
		/* b's header is about to become payload: mark it free first,
		 * so that it still verifies and says "free", and freeing b
		 * again is reported as a double free */
		mm_mark_free(h, b, block_size(b));
		size += block_size(prev);
		from = (uintptr_t)b;
		b = prev;
	}
	mm_mark_free(h, b, size);
	/* prev is outside next's check: nothing to reseal, and next may be
	 * another CPU's block, whose own words it changes without the lock;
	 * mm_neighbours_intact() just verified it, unless it came after an
	 * absorbed one */
	if (!was)
		next->prev = b;
	else
		mm_set_prev(h, next, was, b);
	mm_fl_insert(h, b);
	MM_ASSERT(!genuinely_listed(h, next) && !genuinely_listed(h, b->prev),
		  "free neighbours are always merged: no two lie side by side");
	if (mm_checking(h))
		mm_fill((void *)from, HEAP_FREE_BYTE, to - from);
	if (h->growth.purge) {
		if (!b->prev)
			mm_maybe_purge(h, b);
		mm_purge_sweep(h, (size_t)(to - from));
	}
}

/* b is a verified block in use. */
void mm_free_locked(struct heap *h, struct block *b)
{
	MM_ASSERT(mm_heap_locked(h), "a locked operation holds the lock");
	MM_ASSERT(
	    !block_is_freed(b),
	    "only a block in use is freed: mm_lookup turned the rest away");
	if (!mm_neighbours_intact(h, b))
		return;
	ann_free(block_payload(b), mm_usable(h, b));
	mm_uncount_used(h, b);
	if (h->flags & HEAP_QUARANTINE)
		mm_quarantine_push(h, b);
	else
		mm_release(h, b);
}

/* Apart, so that heap_free itself stays small for its cache hits. */
static MM_NOINLINE void free_with_lock(struct heap *h, void *ptr,
				       const void *caller)
{
	uintptr_t irq;
	struct block *b;
	struct large *l;

	if (mm_heap_lock(h, &irq, caller) != 0)
		return;
	if (h->large && (l = mm_large_find(h, ptr)) != NULL) {
		mm_large_free(h, l);
		mm_heap_unlock(h, irq);
		return;
	}
	b = mm_lookup(h, ptr, MM_FREE);
	if (b) {
		/* an overflow into the red zone harms no one else: report it,
		 * and free the block all the same */
		if (mm_checking(h))
			mm_canary_verify(h, b);
		mm_free_locked(h, b);
	}
	mm_heap_unlock(h, irq);
}

void heap_free_from(struct heap *h, void *ptr, const void *caller)
{
	if (!ptr || !mm_heap_valid(h))
		return;
	if (h->cached && (mm_hooks.local ? mm_cache_free(h, ptr, caller)
					 : mm_shard_free(h, ptr, caller)))
		return;
	free_with_lock(h, ptr, caller);
}

void heap_free(struct heap *h, void *ptr)
{
	heap_free_from(h, ptr, HEAP_CALLER());
}
