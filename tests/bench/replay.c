#include "tests/bench/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/bench/timing.h"
#include "tests/common/stamp.h"

/* Every allocator here promises 16: mm/ (HEAP_ALIGN), glibc on x86_64. */
#define MALLOC_ALIGN ((size_t)16)

const char *op_name(enum op_kind kind)
{
	static const char *const names[OP_KINDS] = {
	    "malloc", "calloc", "aligned_alloc", "realloc", "free"};

	return kind < OP_KINDS ? names[kind] : "?";
}

static void *zalloc(size_t n, size_t each)
{
	void *p = calloc(n ? n : 1, each);

	if (!p) {
		fprintf(stderr, "bench: out of memory for the replay\n");
		exit(1);
	}
	return p;
}

static void fail(const struct replay *r, size_t i, const char *what)
{
	const struct op *op = &r->t->ops[i];
	char align[32] = "";

	if (op->kind == OP_ALIGNED)
		snprintf(align, sizeof align, ", align %u",
			 1u << op->align_log2);
	fprintf(stderr,
		"bench: %s on %s: op %zu (%s, slot %u, %u bytes%s): %s\n",
		r->a->name, r->t->name, i, op_name((enum op_kind)op->kind),
		(unsigned)op->slot, (unsigned)op->size, align, what);
	exit(1);
}

/* The word every block starts with: ties the block to its slot, so a block
 * handed out twice or not copied by realloc shows. */
static uint64_t tag_of(uint32_t slot)
{
	return ((uint64_t)slot + 1) * 0x9e3779b97f4a7c15ull;
}

static uint64_t read_word(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static void write_word(void *p, uint64_t v)
{
	memcpy(p, &v, sizeof v);
}

/*
 * One op. With l NULL (replay_timed) the compiler drops the cycle reads;
 * always_inline makes sure it gets the chance to, in both loops.
 */
static inline __attribute__((always_inline)) void
run_op(struct replay *r, size_t i, struct latency *l)
{
	const struct op *op = &r->t->ops[i];
	const struct allocator *a = r->a;
	uint64_t tag = tag_of(op->slot), t0 = 0;
	void *p = NULL;

	if (op->kind == OP_FREE) {
		p = r->ptrs[op->slot];
		if (read_word(p) != tag)
			fail(r, i, "block no longer holds what was written");
		if (l)
			t0 = cycles_begin();
		a->free_fn(p);
		if (l)
			l->free[l->nfree++] = cycles_end() - t0;
		r->ptrs[op->slot] = NULL;
		return;
	}
	if (l)
		t0 = cycles_begin();
	switch (op->kind) {
	case OP_MALLOC:
		p = a->malloc_fn(op->size);
		break;
	case OP_CALLOC:
		p = a->calloc_fn(1, op->size);
		break;
	case OP_ALIGNED:
		p = a->aligned_fn((size_t)1 << op->align_log2, op->size);
		break;
	case OP_REALLOC:
		p = a->realloc_fn(r->ptrs[op->slot], op->size);
		break;
	}
	if (l) {
		uint64_t c = cycles_end() - t0;

		if (op->kind == OP_REALLOC)
			l->realloc[l->nrealloc++] = c;
		else
			l->alloc[l->nalloc++] = c;
	}
	if (__builtin_expect(p == NULL, 0))
		fail(r, i, "returned NULL");
	if (op->kind == OP_REALLOC && read_word(p) != tag)
		fail(r, i, "realloc did not keep the contents");
	if (op->kind == OP_CALLOC && read_word(p) != 0)
		fail(r, i, "calloc memory is not zero");
	write_word(p, tag);
	r->ptrs[op->slot] = p;
}

void replay_open(struct replay *r, const struct allocator *a,
		 const struct trace *t)
{
	size_t i;

	r->a = a;
	r->t = t;
	r->ptrs = zalloc(t->slots, sizeof *r->ptrs);
	a->begin();
	for (i = 0; i < t->setup; i++)
		run_op(r, i, NULL);
}

uint64_t replay_timed(struct replay *r, size_t limit)
{
	size_t i, end = r->t->count;
	uint64_t t0;

	if (limit && r->t->setup + limit < end)
		end = r->t->setup + limit;
	t0 = now_ns();
	for (i = r->t->setup; i < end; i++)
		run_op(r, i, NULL);
	return now_ns() - t0;
}

static void free_all(struct replay *r)
{
	uint32_t s;

	for (s = 0; s < r->t->slots; s++)
		if (r->ptrs[s]) {
			r->a->free_fn(r->ptrs[s]);
			r->ptrs[s] = NULL;
		}
}

/* The first-fit reference would take minutes to free 100,000 pins one by
 * one; a heap that begin() resets needs no freeing at all. */
void replay_close(struct replay *r)
{
	if (!r->a->resets)
		free_all(r);
	free(r->ptrs);
	r->ptrs = NULL;
}

void latency_init(struct latency *l, const struct trace *t)
{
	size_t n = trace_timed(t);

	memset(l, 0, sizeof *l);
	l->alloc = zalloc(n, sizeof *l->alloc);
	l->realloc = zalloc(n, sizeof *l->realloc);
	l->free = zalloc(n, sizeof *l->free);
}

void latency_release(struct latency *l)
{
	free(l->alloc);
	free(l->realloc);
	free(l->free);
	memset(l, 0, sizeof *l);
}

void replay_latency(struct replay *r, struct latency *l)
{
	size_t i;

	l->nalloc = l->nrealloc = l->nfree = 0;
	for (i = r->t->setup; i < r->t->count; i++)
		run_op(r, i, l);
}

/* --- the checked replay ------------------------------------------------ */

/* Ends the run unless the n bytes at p hold the stamp of tag (or, with
 * tag NULL, are zero); what says which promise broke. */
static void expect_bytes(const struct replay *r, size_t i, const void *p,
			 size_t n, const uint64_t *tag, const char *what)
{
	const unsigned char *b = p;
	size_t at =
	    tag ? stamp_find_damage(p, n, *tag) : stamp_find_other(p, n, 0);
	char msg[160];

	if (at == n)
		return;
	snprintf(msg, sizeof msg, "%s: byte %zu of %zu is 0x%02x, not 0x%02x",
		 what, at, n, b[at], tag ? stamp_byte(*tag, at) : 0);
	fail(r, i, msg);
}

static size_t live_blocks(const struct replay *r)
{
	size_t n = 0;
	uint32_t s;

	for (s = 0; s < r->t->slots; s++)
		n += r->ptrs[s] != NULL;
	return n;
}

/* The heap's own view must agree with ours: consistent, same count. */
static void check_heap(const struct replay *r, size_t i)
{
	if (r->a->check && r->a->check() != 0)
		fail(r, i, "heap_check found problems");
	if (r->a->used_blocks && r->a->used_blocks() != live_blocks(r))
		fail(r, i, "the heap counts a different number of blocks");
}

void replay_checked(const struct allocator *a, const struct trace *t,
		    struct checked *out)
{
	uint32_t *sizes = zalloc(t->slots, sizeof *sizes);
	uintptr_t base = a->region_start ? a->region_start() : 0, hi = base;
	struct replay r;
	size_t i;

	r.a = a;
	r.t = t;
	r.ptrs = zalloc(t->slots, sizeof *r.ptrs);
	a->begin();
	for (i = 0; i < t->count; i++) {
		const struct op *op = &t->ops[i];
		uint64_t tag = op->slot; /* realloc keeps a stamp's prefix */
		size_t old = sizes[op->slot], align = MALLOC_ALIGN;
		void *p = r.ptrs[op->slot];

		if (i == t->setup)
			check_heap(&r, i);
		if (p)
			expect_bytes(&r, i, p, old, &tag,
				     "block no longer holds its stamp");
		switch (op->kind) {
		case OP_FREE:
			a->free_fn(p);
			r.ptrs[op->slot] = NULL;
			sizes[op->slot] = 0;
			continue;
		case OP_MALLOC:
			p = a->malloc_fn(op->size);
			old = 0;
			break;
		case OP_CALLOC:
			p = a->calloc_fn(1, op->size);
			if (p)
				expect_bytes(&r, i, p, op->size, NULL,
					     "calloc memory is not zero");
			old = 0;
			break;
		case OP_ALIGNED:
			align = (size_t)1 << op->align_log2;
			p = a->aligned_fn(align, op->size);
			old = 0;
			break;
		case OP_REALLOC:
			p = a->realloc_fn(p, op->size);
			if (old > op->size)
				old = op->size;
			if (p)
				expect_bytes(
				    &r, i, p, old, &tag,
				    "realloc did not keep the contents");
			break;
		}
		if (!p)
			fail(&r, i, "returned NULL");
		if ((uintptr_t)p % align)
			fail(&r, i, "pointer not aligned");
		stamp_fill(p, op->size, tag);
		r.ptrs[op->slot] = p;
		sizes[op->slot] = op->size;
		if ((uintptr_t)p + op->size > hi)
			hi = (uintptr_t)p + op->size;
	}
	check_heap(&r, t->count - 1);
	/* glibc's blocks share its heap with the bench's own: no footprint */
	out->footprint = base ? (size_t)(hi - base) : 0;
	out->ops = t->count;
	free_all(&r);
	check_heap(&r, t->count - 1);
	free(r.ptrs);
	free(sizes);
}
