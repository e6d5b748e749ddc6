/*
 * fuzz_ops.c - libFuzzer harness: the input is a program of heap calls, run
 * on a small heap against a shadow model of what must be live.
 *
 * Built once per mode, FUZZ_HEAP_FLAGS being 0, HEAP_CHECKING,
 * HEAP_QUARANTINE or HEAP_CACHES. A correct program never faults, so the fault
 * handler stops the run. Every other promise of mm/heap.h is checked as the
 * program goes: alignment, bounds, no overlap with any live block, contents
 * kept by realloc, calloc zeroed, the usable size, failure only when no free
 * block can hold a request, a failed realloc leaving its block as it was, the
 * checking mode's patterns, statistics that match the model, heap_walk()
 * showing exactly the live blocks, and heap_check() == 0 after every step.
 * At the end everything is freed and the heap must be back to one free
 * block per region with the free bytes it started with.
 *
 * Input (reads past the end give 0, so every input is a program):
 *   byte 0    heap size: 8 KiB + (b % 57) KiB, small so that requests fail
 *   byte 1    low 4 bits: offset of the heap's memory from 16-alignment
 *   then      opcode byte, operands, opcode byte, ... (see run_op)
 */
#include <string.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/stamp.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/guard.h"
#include "tests/fuzz/input.h"
#include "tests/fuzz/ops.h"

#ifndef FUZZ_HEAP_FLAGS
#error                                                                         \
    "build with -DFUZZ_HEAP_FLAGS=0, HEAP_CHECKING, HEAP_QUARANTINE or HEAP_CACHES"
#endif

/* Sizes lean small, with the edges a size computation gets wrong. */
static size_t read_size(struct run *r)
{
	uint8_t sel = in_byte(&r->in);
	size_t lf;

	switch (sel & 7) {
	case 0:
	case 1:
	case 2:
		return in_byte(&r->in) & 0x7f;
	case 3:
		return in_u16(&r->in) & 0x3ff;
	case 4:
		return in_u16(&r->in);
	case 5: {
		static const size_t edge[] = {0,
					      1,
					      8,
					      15,
					      16,
					      17,
					      24,
					      31,
					      32,
					      33,
					      48,
					      255,
					      256,
					      257,
					      SIZE_MAX,
					      SIZE_MAX - 1,
					      SIZE_MAX - 15,
					      SIZE_MAX - 16,
					      SIZE_MAX / 2,
					      SIZE_MAX / 2 + 1,
					      (size_t)1 << 40,
					      ((size_t)1 << 41) - 1,
					      PTRDIFF_MAX};
		uint8_t k = in_byte(&r->in);

		if (k & 0x80)
			return SIZE_MAX - (k & 0x7f);
		return edge[k % (sizeof edge / sizeof edge[0])];
	}
	case 6:
		/* around what the largest free block can give */
		lf = run_stats(r).largest_free;
		sel = in_byte(&r->in);
		if (sel & 0x80)
			return lf + (sel & 0x3f);
		return lf > (sel & 0x3f) ? lf - (sel & 0x3f) : 0;
	default:
		sel = in_byte(&r->in);
		return ((size_t)1 << (sel % 17)) + (size_t)(sel / 17 % 3) - 1;
	}
}

/* Powers of two up to past HEAP_MAX_ALIGN, and alignments that are not. */
static size_t read_align(struct run *r)
{
	static const size_t bad[] = {0,
				     3,
				     24,
				     48,
				     100,
				     HEAP_MAX_ALIGN + HEAP_ALIGN,
				     HEAP_MAX_ALIGN * 2,
				     SIZE_MAX,
				     SIZE_MAX / 2 + 1};
	uint8_t sel = in_byte(&r->in);

	if (sel < 224)
		return (size_t)1 << (sel % 26);
	return bad[sel % (sizeof bad / sizeof bad[0])];
}

static int align_valid(size_t a)
{
	return a != 0 && (a & (a - 1)) == 0 && a <= HEAP_MAX_ALIGN;
}

static struct slot *read_slot(struct run *r)
{
	return &r->slot[in_byte(&r->in) % SLOTS];
}

static void op_alloc(struct run *r, struct slot *s, int clear)
{
	struct heap_stats before;
	size_t nmemb = 1, size;
	void *p;

	slot_free(r, s);
	if (clear)
		nmemb = in_byte(&r->in) & 0x1f;
	size = read_size(r);
	before = run_stats(r);
	if (clear) {
		int wraps = size != 0 && nmemb > SIZE_MAX / size;

		p = heap_calloc(r->h, nmemb, size);
		FUZZ_EXPECT(!wraps || !p, "step %lu: calloc(%zu, %zu) wrapped",
			    r->step, nmemb, size);
		if (wraps)
			return;
		size *= nmemb;
	} else {
		p = heap_alloc(r->h, size);
	}
	expect_fit(r, &before, size, p, clear ? "calloc" : "alloc");
	if (!p)
		return;
	*s = (struct slot){.p = p, .size = size, .align = 1, .seed = r->seed++};
	slot_accept(r, s, clear, 0);
}

static void op_aligned(struct run *r, struct slot *s)
{
	size_t align = read_align(r), size = read_size(r);
	struct heap_stats before;
	void *p;

	slot_free(r, s);
	before = run_stats(r);
	p = heap_aligned_alloc(r->h, align, size);
	FUZZ_EXPECT(!p || align_valid(align),
		    "step %lu: aligned_alloc accepted alignment %zu", r->step,
		    align);
	FUZZ_EXPECT(
	    !p || payload_for(r, size) <= largest_payload(r, &before) ||
		before.quarantined_blocks != 0 || before.cached_blocks != 0,
	    "step %lu: aligned_alloc of %zu succeeded, largest free %zu",
	    r->step, size, before.largest_free);
	if (!p)
		return;
	*s = (struct slot){
	    .p = p, .size = size, .align = align, .seed = r->seed++};
	slot_accept(r, s, 0, 0);
}

static void op_realloc(struct run *r, struct slot *s)
{
	size_t n = read_size(r);
	struct slot old = *s;
	unsigned char *q;

	if (!s->p) {
		struct heap_stats before = run_stats(r);

		q = heap_realloc(r->h, NULL, n); /* heap_alloc(n) */
		expect_fit(r, &before, n, q, "realloc(NULL)");
		if (q) {
			*s = (struct slot){
			    .p = q, .size = n, .align = 1, .seed = r->seed++};
			slot_accept(r, s, 0, 0);
		}
		return;
	}
	slot_verify(r, s, "before realloc");
	q = heap_realloc(r->h, s->p, n);
	if (n == 0) {
		FUZZ_EXPECT(!q, "step %lu: realloc to 0 returned %p", r->step,
			    (void *)q);
		slot_release(r, s);
		return;
	}
	if (!q) {
		/* shrinking splits in place: it cannot run out of memory */
		FUZZ_EXPECT(n > old.size, "step %lu: realloc %zu -> %zu failed",
			    r->step, old.size, n);
		FUZZ_EXPECT(heap_usable_size(r->h, s->p) == old.usable,
			    "step %lu: failed realloc changed the block",
			    r->step);
		slot_verify(r, s, "after a failed realloc");
		return;
	}
	/* with caches a block that changes class moves, through them */
	FUZZ_EXPECT(n > old.size || q == old.p || run_cached(r),
		    "step %lu: shrinking realloc moved %p to %p", r->step,
		    (void *)old.p, (void *)q);
	slot_release(r, s);
	*s = old;
	s->p = q;
	s->size = n;
	{
		/* the bytes both sizes share come along, the rest is new */
		size_t kept = n < old.usable ? n : old.usable;
		size_t bad = stamp_find_damage(q, kept, old.seed);

		FUZZ_EXPECT(bad == kept,
			    "step %lu: realloc %p -> %p lost byte %zu of %zu "
			    "(0x%02x, not its stamp's 0x%02x)",
			    r->step, (void *)old.p, (void *)q, bad, kept,
			    q[bad], stamp_byte(old.seed, bad));
		slot_accept(r, s, 0, kept);
	}
}

static void op_usable(struct run *r, struct slot *s)
{
	size_t n = heap_usable_size(r->h, s->p);

	FUZZ_EXPECT(n == (s->p ? s->usable : 0),
		    "step %lu: usable size of %p changed to %zu", r->step,
		    (void *)s->p, n);
}

/* A new piece, a piece the heap already has, or the memory right after
 * the first region: each with the answer heap_add_region() owes. */
static void op_add_region(struct run *r)
{
	uint8_t sel = in_byte(&r->in);
	size_t bytes = 16 + (in_u16(&r->in) & 0x3fff);
	size_t misalign = in_byte(&r->in) & 15;
	struct heap_stats before = run_stats(r), after;
	unsigned char *mem = NULL;
	int rc;

	if (sel % 3 == 1) {
		/* inside a piece: it overlaps a region, however it rounds */
		const struct piece *pc = &r->piece[sel / 3 % r->npieces];
		size_t len = (size_t)(pc->hi - pc->lo);
		size_t off = (size_t)in_u16(&r->in) % len;

		bytes = bytes % (len - off) + 1;
		rc = heap_add_region(r->h, (void *)(pc->lo + off), bytes);
		FUZZ_EXPECT(rc == -1,
			    "step %lu: region %#zx + %zu overlaps, accepted",
			    r->step, (size_t)(pc->lo + off), bytes);
		return;
	}
	if (r->npieces == MAX_PIECES)
		return;
	if (sel % 3 == 2 && r->tail) {
		mem = r->tail;
		bytes = TAIL_BYTES;
		r->tail = NULL;
	} else if (sel % 3 != 2) {
		mem = guard_take(&r->g, bytes, misalign);
	}
	if (!mem)
		return;
	rc = heap_add_region(r->h, mem, bytes);
	after = run_stats(r);
	FUZZ_EXPECT(rc == 0 || bytes < 512,
		    "step %lu: region of %zu bytes refused", r->step, bytes);
	FUZZ_EXPECT(rc == 0 ? after.regions == before.regions + 1 &&
				  after.bytes_free > before.bytes_free &&
				  after.bytes_free - before.bytes_free < bytes
			    : after.bytes_free == before.bytes_free,
		    "step %lu: add_region (%d) left free bytes %zu -> %zu",
		    r->step, rc, before.bytes_free, after.bytes_free);
	if (rc != 0)
		return;
	r->free_bytes += after.bytes_free - before.bytes_free;
	r->piece[r->npieces++] =
	    (struct piece){(uintptr_t)mem, (uintptr_t)mem + bytes};
}

static void run_op(struct run *r)
{
	uint8_t op = in_byte(&r->in);
	struct slot *s;

	switch (op % 16) {
	case 0:
	case 1:
	case 2:
		op_alloc(r, read_slot(r), 0);
		break;
	case 3:
		op_alloc(r, read_slot(r), 1);
		break;
	case 4:
	case 5:
		op_realloc(r, read_slot(r));
		break;
	case 6:
		op_aligned(r, read_slot(r));
		break;
	case 7:
	case 8:
		slot_free(r, read_slot(r));
		break;
	case 9: /* a run of frees: holes next to holes, merges */
		s = read_slot(r);
		for (unsigned k = 1 + op / 16 % 8; k-- && s < r->slot + SLOTS;
		     s++)
			slot_free(r, s);
		break;
	case 10:
		op_usable(r, read_slot(r));
		break;
	case 11:
		op_add_region(r);
		break;
	case 12:
		model_walk(r);
		break;
	case 13: /* the owner writes its block anew */
		s = read_slot(r);
		if (s->p) {
			slot_verify(r, s, "before rewrite");
			s->seed = r->seed++;
			stamp_fill(s->p, s->usable, s->seed);
		}
		break;
	case 14:
		heap_flush_quarantine(r->h);
		FUZZ_EXPECT(run_stats(r).quarantined_blocks == 0,
			    "step %lu: quarantine not empty after a flush",
			    r->step);
		break;
	default:
		FUZZ_EXPECT(heap_check(r->h) == 0, "step %lu: heap_check",
			    r->step);
		break;
	}
}

static int header_size(const struct heap_block_info *b, void *ctx)
{
	*(size_t *)ctx = (size_t)((const unsigned char *)b->ptr -
				  (const unsigned char *)b->block);
	return 1;
}

/* A block header's bytes: what the first block's payload lies past it. */
static size_t first_header(struct heap *h)
{
	size_t hdr = 0;

	heap_walk(h, header_size, &hdr);
	return hdr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int hooks;
	static struct run run;
	struct run *r = &run;
	size_t bytes, misalign;
	unsigned char *mem;

	if (!hooks) {
		mm_host_init();
		hooks = 1;
	}
	memset(r, 0, sizeof *r);
	r->flags = FUZZ_HEAP_FLAGS;
	in_open(&r->in, data, size);
	bytes = ((size_t)8 << 10) + (size_t)(in_byte(&r->in) % 57) * 1024;
	misalign = in_byte(&r->in) & 15;
	if (guard_open(&r->g, (size_t)512 << 10) != 0)
		return 0;
	mem = guard_take(&r->g, bytes + TAIL_BYTES, misalign);
	r->h = heap_create_flags(mem, bytes, FUZZ_HEAP_FLAGS);
	FUZZ_EXPECT(r->h, "heap_create over %zu bytes failed", bytes);
	heap_set_fault_handler(r->h, model_fault, r);
	r->piece[r->npieces++] =
	    (struct piece){(uintptr_t)mem, (uintptr_t)mem + bytes};
	r->tail = mem + bytes;
	r->free_bytes = run_stats(r).bytes_free;
	r->hdr = first_header(r->h);
	r->seed = 1;
	while (in_more(&r->in)) {
		r->step++;
		run_op(r);
		model_check_step(r);
	}
	model_finish(r);
	guard_close(&r->g);
	return 0;
}
