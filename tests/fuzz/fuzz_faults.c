/*
 * fuzz_faults.c - libFuzzer harness: misuse the heap, then keep using it.
 *
 * The input sets up a small heap (fast, checking or quarantine mode, one or
 * two regions), misuses it once the way a buggy caller would, then makes
 * more calls. Faults are recorded, never fatal. Whatever the misuse:
 *
 *  - mm/ never touches memory outside its regions: they lie between
 *    poisoned guard zones (guard.h), so ASan stops the run at the first
 *    stray access, even one that fails no check;
 *  - a damage docs/hardening.md promises to catch (a header byte, a free
 *    block's links, an overflow, a write after free in checking mode) is
 *    reported with a plausible kind no later than the first call that
 *    touches the damaged block, and by heap_check() at the latest;
 *  - a bad pointer (interior, misaligned, foreign, stack, freed) is refused
 *    with exactly one fault of the right kind, leaves the heap as it was and
 *    heap_check() at 0, and later calls fault no more.
 *
 * Input (reads past the end give 0):
 *   byte 0    mode (b % 3: fast, checking, quarantine); bit 2: two regions
 *   byte 1    first region 6 KiB + (b % 8) KiB, misaligned by b / 8 % 16
 *   byte 2    (if two regions) second region 2 KiB + (b % 4) KiB
 *   byte      2 + b % 8 blocks, then one size byte each, then a byte whose
 *             bits say which of them to free
 *   byte      the misuse (b % 7: header, links, overflow, bad pointer,
 *             double free, write after free, random writes), operands
 *   then      more calls, an opcode byte each (see follow_up)
 */
#include <string.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fault_log.h"
#include "tests/common/stamp.h"
#include "tests/fuzz/faults.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/guard.h"
#include "tests/fuzz/input.h"
#include "tests/fuzz/layout.h"

void free_slot(struct run *r, struct slot *s)
{
	heap_free(r->h, s->p);
	s->p = NULL;
}

struct heap_stats stats_now(struct heap *h)
{
	struct heap_stats s;

	heap_get_stats(h, &s);
	return s;
}

/* Reported since the misuse, with a kind that fits it? */
static void check_reported(const struct run *r, const char *call, uintptr_t ptr)
{
	size_t n = 0;

	for (unsigned k = 0; k < HEAP_FAULT_KINDS; k++)
		if (r->d.kinds & KIND(k))
			n += r->log.count[k] - r->d.before[k];
	FUZZ_EXPECT(n > 0,
		    "call %u: %s not reported by %s(%p); %zu faults, last: %s",
		    r->step, r->d.what, call, (void *)ptr, r->log.total,
		    r->log.total ? r->log.last_what : "none");
}

static void touched(const struct run *r, const char *call, unsigned how,
		    const void *ptr)
{
	if (!r->d.expected)
		return;
	for (size_t i = 0; i < r->d.nrules; i++)
		if (r->d.rule[i].ptr == (uintptr_t)ptr &&
		    (r->d.rule[i].calls & how))
			check_reported(r, call, (uintptr_t)ptr);
}

static void returned(const struct run *r, const void *q, size_t n)
{
	const struct piece *pc = piece_of(r->piece, r->npieces, (uintptr_t)q);

	FUZZ_EXPECT(!q || (pc && n <= pc->hi - (uintptr_t)q),
		    "call %u: %s: returned %p + %zu, outside the heap", r->step,
		    r->d.what ? r->d.what : "no misuse", q, n);
}

static int count_block(const struct heap_block_info *b, void *ctx)
{
	(void)b;
	++*(size_t *)ctx;
	return 0;
}

static void new_block(struct run *r, void *q, size_t n)
{
	struct slot *s = &r->slot[0];

	returned(r, q, n);
	if (!q)
		return;
	while (s < r->slot + SLOTS - 1 && s->p)
		s++;
	if (s->p)
		free_slot(r, s);
	*s = (struct slot){q, n, r->step};
	if (r->d.refused) /* a sound heap: the block is the caller's */
		stamp_fill(q, n, s->seed);
}

static void follow_up(struct run *r)
{
	uint8_t op = in_byte(&r->in);
	struct slot *s = &r->slot[in_byte(&r->in) % SLOTS];
	size_t n = (size_t)in_byte(&r->in) * 4, walked = 0;
	void *q;

	switch (op % 11) {
	case 0:
	case 1:
		q = s->p;
		free_slot(r, s);
		touched(r, "free", TOUCH_FREE, q);
		break;
	case 2:
		if (!s->p)
			break;
		q = heap_realloc(r->h, s->p, n);
		touched(r, n ? "realloc" : "realloc(0)",
			n ? TOUCH_REALLOC : TOUCH_FREE, s->p);
		returned(r, q, n);
		if (q || n == 0) {
			s->p = q;
			s->size = n;
		}
		if (q && r->d.refused)
			stamp_fill(q, n, s->seed);
		break;
	case 3:
		new_block(r, heap_alloc(r->h, n), n);
		break;
	case 4:
		heap_usable_size(r->h, s->p);
		touched(r, "usable_size", TOUCH_USABLE, s->p);
		break;
	case 5:
		heap_check(r->h);
		if (r->d.expected)
			check_reported(r, "heap_check", 0);
		break;
	case 6:
		stats_now(r->h);
		break;
	case 7:
		heap_walk(r->h, count_block, &walked);
		break;
	case 8:
		heap_flush_quarantine(r->h);
		break;
	case 9:
		new_block(
		    r, heap_aligned_alloc(r->h, (size_t)32 << (op % 8), n), n);
		break;
	default:
		new_block(r, heap_calloc(r->h, op % 8, n), (op % 8) * n);
		break;
	}
}

static int set_up(struct run *r)
{
	static const unsigned modes[] = {0, HEAP_CHECKING,
					 HEAP_CHECKING | HEAP_QUARANTINE};
	uint8_t b0 = in_byte(&r->in), b1 = in_byte(&r->in);
	size_t bytes = ((size_t)6 << 10) + (size_t)(b1 % 8) * 1024;
	unsigned char *mem, *more;
	unsigned nblocks;
	uint8_t mask;

	r->flags = modes[b0 % 3];
	if (guard_open(&r->g, (size_t)64 << 10) != 0)
		return -1;
	mem = guard_take(&r->g, bytes, b1 / 8 % 16);
	r->h = heap_create_flags(mem, bytes, r->flags);
	FUZZ_EXPECT(r->h, "heap_create over %zu bytes failed", bytes);
	fault_log_attach(&r->log, r->h);
	r->start =
	    ((uintptr_t)mem + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1);
	r->piece[r->npieces++] =
	    (struct piece){(uintptr_t)mem, (uintptr_t)mem + bytes};
	if (b0 & 4) {
		bytes =
		    ((size_t)2 << 10) + (size_t)(in_byte(&r->in) % 4) * 1024;
		more = guard_take(&r->g, bytes, 0);
		FUZZ_EXPECT(heap_add_region(r->h, more, bytes) == 0,
			    "add_region of %zu bytes failed", bytes);
		r->piece[r->npieces++] =
		    (struct piece){(uintptr_t)more, (uintptr_t)more + bytes};
	}
	more = guard_take(&r->g, (size_t)8 << 10, 0);
	r->other = heap_create(more, (size_t)8 << 10);
	r->foreign = heap_alloc(r->other, 16);
	FUZZ_EXPECT(r->other && r->foreign, "the second heap failed");

	nblocks = 2 + in_byte(&r->in) % 8;
	for (unsigned i = 0; i < nblocks; i++) {
		uint8_t sz = in_byte(&r->in);
		size_t n = sz & 0x80 ? (size_t)(sz & 0x7f) * 16 : sz;
		struct slot *s = &r->slot[i];

		s->p = heap_alloc(r->h, n);
		s->size = n;
		s->seed = i + 1;
		/* the whole usable size: no stale headers left in a payload */
		if (s->p)
			stamp_fill(s->p, heap_usable_size(r->h, s->p), s->seed);
	}
	mask = in_byte(&r->in);
	for (unsigned i = 0; i < nblocks; i++) {
		if (!(mask >> i & 1) || !r->slot[i].p)
			continue;
		free_slot(r, &r->slot[i]);
	}
	FUZZ_EXPECT(r->log.total == 0, "set-up faulted: %s", r->log.last_what);
	layout_read(&r->lay, r->h);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int hooks;
	static struct run run;
	struct run *r = &run;
	_Alignas(16) unsigned char frame[64];

	if (!hooks) {
		mm_host_init();
		hooks = 1;
	}
	memset(r, 0, sizeof *r);
	in_open(&r->in, data, size);
	r->stack = (uintptr_t)frame;
	if (set_up(r) != 0)
		return 0;
	misuse(r);
	for (r->step = 1; r->step <= MAX_CALLS && in_more(&r->in); r->step++)
		follow_up(r);
	heap_check(r->h);
	if (r->d.expected)
		check_reported(r, "the final heap_check", 0);
	if (r->d.refused)
		FUZZ_EXPECT(r->log.total == 1 && heap_check(r->h) == 0,
			    "%s: %zu faults later, last: %s", r->d.what,
			    r->log.total, r->log.last_what);
	guard_close(&r->g);
	return 0;
}
