/*
 * faults_misuse.c - the ways fuzz_faults.c misuses a heap, each with what
 * docs/hardening.md says the heap owes for it: damage to report (and the
 * calls that must report it), or a bad call to refuse.
 */
#include <string.h>

#include "tests/common/stamp.h"
#include "tests/fuzz/faults.h"
#include "tests/fuzz/fuzz.h"

static uint8_t nonzero(uint8_t v)
{
	return v ? v : 0x5a;
}

static void add_rule(struct run *r, uintptr_t ptr, unsigned calls)
{
	if (ptr && r->d.nrules < RULES)
		r->d.rule[r->d.nrules++] = (struct rule){ptr, calls};
}

/* A damaged header is seen by calls on its block and on the blocks on
 * either side (free and realloc check their neighbours first). */
static void header_rules(struct run *r, size_t i)
{
	const struct blk *b = &r->lay.b[i];
	long prev = layout_prev(&r->lay, i), next = layout_next(&r->lay, i);

	if (!b->sentinel)
		add_rule(r, b->ptr, TOUCH_FREE | TOUCH_REALLOC | TOUCH_USABLE);
	if (prev >= 0)
		add_rule(r, r->lay.b[prev].ptr, TOUCH_FREE | TOUCH_REALLOC);
	if (next >= 0 && !r->lay.b[next].sentinel)
		add_rule(r, r->lay.b[next].ptr, TOUCH_FREE);
}

static void expect_report(struct run *r, const char *what, unsigned kinds)
{
	r->d.what = what;
	r->d.kinds = kinds;
	r->d.expected = 1;
}

static struct slot *used_slot(struct run *r, uint8_t sel)
{
	for (unsigned i = 0; i < SLOTS; i++) {
		struct slot *s = &r->slot[(sel + i) % SLOTS];

		if (s->p)
			return s;
	}
	return NULL;
}

static void xor_bytes(struct run *r, unsigned char *p, size_t n)
{
	while (n--)
		*p++ ^= nonzero(in_byte(&r->in));
}

static void misuse_header(struct run *r)
{
	size_t i = in_byte(&r->in) % r->lay.n;
	unsigned char *hdr = (unsigned char *)r->lay.b[i].hdr;
	uint8_t sel = in_byte(&r->in);

	if (sel & 0x80) {
		/* one whole field: any value, sizes far past the region too */
		uintptr_t w = in_word(&r->in), f;

		memcpy(&f, hdr + (sel & 3) * sizeof f, sizeof f);
		f ^= w ? w : 1;
		memcpy(hdr + (sel & 3) * sizeof f, &f, sizeof f);
	} else {
		hdr[sel % r->lay.hdr] ^= nonzero(in_byte(&r->in));
	}
	expect_report(r, "header damage", KIND(HEAP_FAULT_CORRUPTED));
	header_rules(r, i);
}

static void misuse_links(struct run *r)
{
	size_t cand[MAX_BLOCKS], n = 0, i;
	uint8_t sel = in_byte(&r->in), how = in_byte(&r->in);
	uintptr_t *link, old, v;
	long prev, next;

	for (i = 0; i < r->lay.n; i++)
		if (r->lay.b[i].free && !r->lay.b[i].quarantined)
			cand[n++] = i;
	if (n == 0)
		return;
	i = cand[sel % n];
	link = (uintptr_t *)r->lay.b[i].ptr + (how & 1);
	old = *link;
	switch (how / 2 % 5) {
	case 0:
		v = old ^ in_word(&r->in);
		break;
	case 1:
		v = 0;
		break;
	case 2: /* anywhere between the regions' bounds, gaps included */
		v = r->lay.lo + in_word(&r->in) % (r->lay.hi - r->lay.lo);
		v &= ~(uintptr_t)(HEAP_ALIGN - 1);
		break;
	case 3: /* another block, at its header or its payload */
		v = r->lay.b[in_byte(&r->in) % r->lay.n].hdr;
		v += (how & 0x80) ? r->lay.hdr : 0;
		break;
	default: /* just below the end of a region */
		v = r->lay.b[layout_sentinel(&r->lay, r->lay.b[i].region)].hdr +
		    r->lay.hdr - HEAP_ALIGN * (1 + in_byte(&r->in) % 4);
		break;
	}
	if (v == old)
		v ^= HEAP_ALIGN;
	*link = v;
	if ((how & 1) && old == 0)
		return; /* a list head's back link: see head_back_link() */
	expect_report(r, "free-list link overwritten",
		      KIND(HEAP_FAULT_CORRUPTED) |
			  KIND(HEAP_FAULT_USE_AFTER_FREE));
	/* freeing a neighbour merges, and unlinking checks both links; but a
	 * next link set to NULL looks like the end of the list */
	if ((r->flags & HEAP_QUARANTINE) || ((how & 1) == 0 && v == 0))
		return;
	prev = layout_prev(&r->lay, i);
	next = layout_next(&r->lay, i);
	if (prev >= 0 && !r->lay.b[prev].free)
		add_rule(r, r->lay.b[prev].ptr, TOUCH_FREE);
	if (next >= 0 && !r->lay.b[next].free && !r->lay.b[next].sentinel)
		add_rule(r, r->lay.b[next].ptr, TOUCH_FREE);
}

static void misuse_overflow(struct run *r)
{
	struct slot *s = used_slot(r, in_byte(&r->in));
	size_t k = 1 + in_byte(&r->in) % 48, i, usable, room;
	const struct piece *pc;

	if (!s)
		return;
	i = (size_t)layout_find(&r->lay, (uintptr_t)s->p);
	pc = piece_of(r->piece, r->npieces, (uintptr_t)s->p);
	usable = heap_usable_size(r->h, s->p);
	room = (size_t)(pc->hi - (uintptr_t)s->p) - usable;
	xor_bytes(r, s->p + usable, k < room ? k : room);
	expect_report(r, "overflow",
		      KIND(HEAP_FAULT_CORRUPTED) | KIND(HEAP_FAULT_OVERFLOW));
	if (r->flags & HEAP_CHECKING)
		add_rule(r, (uintptr_t)s->p, TOUCH_FREE | TOUCH_REALLOC);
	/* past the payload: the next header's check word */
	if (usable + k > r->lay.b[i].size)
		header_rules(r, (size_t)layout_next(&r->lay, i));
}

/* A pointer this heap never handed out (or no longer owns), and the fault
 * kinds that may name it. When the variant chosen does not apply to the
 * block chosen, a stack address. */
static uintptr_t bad_pointer(struct run *r, unsigned *kinds)
{
	static _Alignas(16) unsigned char global[64];
	uint8_t sel = in_byte(&r->in), k = in_byte(&r->in);
	const struct blk *b = &r->lay.b[k % r->lay.n];
	const struct blk *first = &r->lay.b[0];
	uintptr_t p;

	*kinds = KIND(HEAP_FAULT_INVALID_POINTER);
	switch (sel % 12) {
	case 0: /* inside a block, past its start */
		if (b->sentinel || b->size < 2 * HEAP_ALIGN)
			break;
		*kinds = KIND(b->free ? HEAP_FAULT_DOUBLE_FREE
				      : HEAP_FAULT_INVALID_POINTER);
		return b->ptr +
		       HEAP_ALIGN *
			   (1 + in_byte(&r->in) % (b->size / HEAP_ALIGN - 1));
	case 1:
		return b->ptr + 1 + in_byte(&r->in) % (HEAP_ALIGN - 1);
	case 2: /* a header, as if it were a payload */
		*kinds |= KIND(HEAP_FAULT_DOUBLE_FREE);
		return b->hdr;
	case 3:
		/* never dereferenced: the heap only compares it */
		return r->stack + HEAP_ALIGN * (k % 4);
	case 4:
		return (uintptr_t)(global + HEAP_ALIGN * (k % 4));
	case 5:
		return (uintptr_t)r->foreign;
	case 6: /* inside the heap's control structure */
		p = (first->ptr - r->start) / HEAP_ALIGN - 1;
		return r->start + HEAP_ALIGN * (1 + (in_u16(&r->in) % p));
	case 7: /* at the end of a region and past it, into the guard */
		p = r->lay.b[layout_sentinel(&r->lay, b->region)].hdr;
		return p + r->lay.hdr + HEAP_ALIGN * (k % 8);
	case 8: /* at a region's first header and before it */
		p = r->lay.b[layout_first(&r->lay, b->region)].hdr;
		return p - HEAP_ALIGN * (k % 8);
	case 9:
		if (!b->free)
			break;
		*kinds = KIND(HEAP_FAULT_DOUBLE_FREE);
		return b->ptr;
	case 10:
		return HEAP_ALIGN * (1 + (uintptr_t)k);
	default:
		return UINTPTR_MAX - (HEAP_ALIGN - 1) - HEAP_ALIGN * k;
	}
	return r->stack;
}

/* The bad call is refused with one fault of a fitting kind; nothing else
 * changes, and the heap is sound. */
static void bad_call(struct run *r, uintptr_t ptr, unsigned kinds,
		     const char *what)
{
	struct heap_stats a = stats_now(r->h), b;
	uint8_t call = in_byte(&r->in);
	void *p = (void *)ptr;

	r->d.what = what;
	r->d.refused = 1;
	switch (call % 3) {
	case 0:
		heap_free(r->h, p);
		break;
	case 1:
		FUZZ_EXPECT(!heap_realloc(r->h, p, 1 + (size_t)call * 4),
			    "%s: realloc(%p) succeeded", what, p);
		break;
	default:
		FUZZ_EXPECT(heap_usable_size(r->h, p) == 0,
			    "%s: usable_size(%p) is not 0", what, p);
	}
	FUZZ_EXPECT(r->log.total == 1 && (kinds & KIND(r->log.last.kind)),
		    "%s (%p): %zu faults, last %s: %s", what, p, r->log.total,
		    heap_fault_name(r->log.last.kind), r->log.last_what);
	b = stats_now(r->h);
	FUZZ_EXPECT(a.bytes_used == b.bytes_used &&
			a.bytes_free == b.bytes_free &&
			a.used_blocks == b.used_blocks &&
			a.free_blocks == b.free_blocks &&
			a.quarantined_blocks == b.quarantined_blocks,
		    "%s (%p): the refused call changed the heap", what, p);
	FUZZ_EXPECT(heap_check(r->h) == 0 && r->log.total == 1,
		    "%s (%p): heap_check after it: %s", what, p,
		    r->log.last_what);
	for (size_t i = 0; i < SLOTS; i++) {
		const struct slot *s = &r->slot[i];
		size_t bad =
		    s->p ? stamp_find_damage(s->p, s->size, s->seed) : s->size;

		FUZZ_EXPECT(bad == s->size,
			    "%s (%p): block %p damaged at offset %zu (0x%02x, "
			    "not its stamp's 0x%02x)",
			    what, p, (void *)s->p, bad, s->p[bad],
			    stamp_byte(s->seed, bad));
	}
}

static void misuse_pointer(struct run *r)
{
	unsigned kinds;
	uintptr_t p = bad_pointer(r, &kinds);

	for (size_t i = 0; i < SLOTS; i++)
		if ((uintptr_t)r->slot[i].p == p)
			return; /* a pointer it did hand out: no misuse */
	bad_call(r, p, kinds, "bad pointer");
}

static void misuse_double_free(struct run *r)
{
	struct slot *s = used_slot(r, in_byte(&r->in));
	unsigned char *p;

	if (!s)
		return;
	p = s->p;
	free_slot(r, s);
	/* neighbours freed in between merge the block away */
	for (unsigned n = in_byte(&r->in) % 4; n--;) {
		struct slot *t = used_slot(r, in_byte(&r->in));

		if (t)
			free_slot(r, t);
	}
	FUZZ_EXPECT(r->log.total == 0, "double free: first frees faulted: %s",
		    r->log.last_what);
	bad_call(r, (uintptr_t)p, KIND(HEAP_FAULT_DOUBLE_FREE), "double free");
}

/*
 * The back link of the first block on a free list is NULL, and is rewritten
 * without being looked at when another block joins that list (mm_fl_insert): a
 * write there may vanish before anything checks it. True when p is such a
 * block.
 */
static int head_back_link(const struct run *r, const unsigned char *p)
{
	long i = layout_find(&r->lay, (uintptr_t)p);
	uintptr_t back;

	if (i < 0 || !r->lay.b[i].free || r->lay.b[i].quarantined)
		return 0;
	memcpy(&back, p + sizeof back, sizeof back);
	return back == 0;
}

static void misuse_write_after_free(struct run *r)
{
	struct slot *s = used_slot(r, in_byte(&r->in));
	const size_t word = sizeof(uintptr_t);
	size_t off, n, size;
	unsigned char *p;
	int head;
	long i;

	if (!s)
		return;
	p = s->p;
	size = r->lay.b[layout_find(&r->lay, (uintptr_t)p)].size;
	free_slot(r, s);
	layout_read(&r->lay, r->h);
	/* a free block that starts at p (not merged into the one before it)
	 * keeps its list links there; fast mode has no quarantine */
	i = layout_find(&r->lay, (uintptr_t)p);
	head = head_back_link(r, p);
	off = in_u16(&r->in) % size;
	n = 1 + in_byte(&r->in) % 8;
	n = n < size - off ? n : size - off;
	xor_bytes(r, p + off, n);
	if (head && off >= word && off + n <= 2 * word)
		return; /* only the head's back link */
	if (r->flags & HEAP_CHECKING) {
		/* everything else is poison, or a link that is checked */
		expect_report(r, "write after free",
			      KIND(HEAP_FAULT_USE_AFTER_FREE) |
				  KIND(HEAP_FAULT_CORRUPTED));
		return;
	}
	/* fast mode sees only the links */
	if (i >= 0 && (off < word || (off < 2 * word && !head)))
		expect_report(r, "write over free-list links",
			      KIND(HEAP_FAULT_CORRUPTED));
}

static void misuse_random(struct run *r)
{
	for (unsigned n = 1 + in_byte(&r->in) % 8; n--;) {
		int reg = (int)(in_byte(&r->in) % r->npieces);
		uintptr_t lo = r->lay.b[layout_first(&r->lay, reg)].hdr;
		uintptr_t hi =
		    r->lay.b[layout_sentinel(&r->lay, reg)].hdr + r->lay.hdr;
		/* two statements: the order of reads is the input's meaning */
		uintptr_t at = lo + in_u16(&r->in) % (hi - lo);

		*(unsigned char *)at ^= nonzero(in_byte(&r->in));
	}
	r->d.what = "random writes"; /* nothing promised but no crash */
}

void misuse(struct run *r)
{
	static void (*const misuses[])(struct run *) = {
	    misuse_header,  misuse_links,	misuse_overflow,
	    misuse_pointer, misuse_double_free, misuse_write_after_free,
	    misuse_random};
	uint8_t sel = in_byte(&r->in);

	memcpy(r->d.before, r->log.count, sizeof r->d.before);
	misuses[sel % (sizeof misuses / sizeof misuses[0])](r);
}
