/*
 * replay.c - running a trace against an mm/ heap.
 */
#include "tools/heapviz/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an id holds. A failed allocation binds its id to NULL, as in C, so
 * that a trace written for one heap size still replays on a smaller one. */
enum { ID_UNBOUND, ID_LIVE, ID_FAILED };

#define ARENA_ALIGN 4096u

int replay_open(struct replay *r, const struct replay_config *cfg, uint32_t ids)
{
	size_t per, gap, total;
	uintptr_t base;
	unsigned i;

	memset(r, 0, sizeof *r);
	r->cfg = *cfg;
	if (cfg->regions < 1 || cfg->regions > REPLAY_MAX_REGIONS) {
		fprintf(stderr, "heapviz: regions must be 1..%u\n",
			REPLAY_MAX_REGIONS);
		return -1;
	}
	/* Page-sized pieces keep every region boundary aligned; a gap of an
	 * eighth of a region is wide enough to see at any picture width. */
	per = (cfg->heap_bytes / cfg->regions) & ~(size_t)(ARENA_ALIGN - 1);
	gap = (per / 8 + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (per == 0) {
		fprintf(stderr, "heapviz: heap of %zu bytes is too small\n",
			cfg->heap_bytes);
		return -1;
	}
	total = per * cfg->regions + gap * (cfg->regions - 1);
	r->arena = aligned_alloc(ARENA_ALIGN, total);
	r->ids = ids ? ids : 1;
	r->ptr = calloc(r->ids, sizeof *r->ptr);
	r->st = calloc(r->ids, 1);
	if (!r->arena || !r->ptr || !r->st) {
		fprintf(stderr, "heapviz: out of memory for the arena\n");
		replay_close(r);
		return -1;
	}
	base = (uintptr_t)r->arena;
	r->whole.lo = base;
	r->whole.hi = base + total;
	for (i = 0; i < cfg->regions; i++) {
		r->region[i].lo = base + i * (per + gap);
		r->region[i].hi = r->region[i].lo + per;
	}
	r->heap = heap_create_flags(r->arena, per, cfg->flags);
	if (!r->heap) {
		fprintf(stderr, "heapviz: heap_create refused %zu bytes\n",
			per);
		replay_close(r);
		return -1;
	}
	for (i = 1; i < cfg->regions; i++) {
		if (heap_add_region(r->heap, r->arena + i * (per + gap), per)) {
			fprintf(stderr, "heapviz: heap_add_region failed\n");
			replay_close(r);
			return -1;
		}
	}
	return 0;
}

void replay_close(struct replay *r)
{
	free(r->arena);
	free(r->ptr);
	free(r->st);
	memset(r, 0, sizeof *r);
}

static int trace_error(const char *name, const struct trace_op *op,
		       const char *what)
{
	if (op->line)
		fprintf(stderr, "%s:%u: %c %u: %s\n", name, op->line, op->kind,
			op->id, what);
	else
		fprintf(stderr, "%s: %c %u: %s\n", name, op->kind, op->id,
			what);
	return -1;
}

static void bind(struct replay *r, uint32_t id, void *p)
{
	r->ptr[id] = p;
	r->st[id] = p ? ID_LIVE : ID_FAILED;
	if (!p)
		r->failed++;
}

int replay_step(struct replay *r, const struct trace_op *op,
		const char *trace_name)
{
	uint32_t id = op->id;
	void *p;

	if (id >= r->ids)
		return trace_error(trace_name, op, "id beyond the trace's ids");
	r->steps++;
	switch (op->kind) {
	case TRACE_ALLOC:
	case TRACE_ALIGNED:
		if (r->st[id] == ID_LIVE)
			return trace_error(trace_name, op,
					   "id is still bound to a live block");
		p = op->kind == TRACE_ALLOC
			? heap_alloc(r->heap, op->size)
			: heap_aligned_alloc(r->heap, op->align, op->size);
		bind(r, id, p);
		return 0;
	case TRACE_REALLOC:
		/* Size 0 frees; an unbound or failed id allocates, as
		 * realloc(NULL, n) does; on failure the old block stays. */
		if (op->size == 0) {
			if (r->st[id] == ID_LIVE)
				heap_free(r->heap, r->ptr[id]);
			r->ptr[id] = NULL;
			r->st[id] = ID_UNBOUND;
			return 0;
		}
		p = heap_realloc(r->heap, r->ptr[id], op->size);
		if (p && r->ptr[id] && p != r->ptr[id])
			r->moved++;
		if (p || r->st[id] != ID_LIVE)
			bind(r, id, p);
		else
			r->failed++;
		return 0;
	case TRACE_FREE:
		if (r->st[id] == ID_UNBOUND)
			return trace_error(trace_name, op,
					   "id is not bound (never allocated, "
					   "or already freed)");
		/* A failed allocation's id frees like free(NULL). */
		if (r->st[id] == ID_LIVE)
			heap_free(r->heap, r->ptr[id]);
		r->ptr[id] = NULL;
		r->st[id] = ID_UNBOUND;
		return 0;
	default:
		return trace_error(trace_name, op, "not a heap operation");
	}
}

size_t replay_capacity(const struct replay_config *cfg, size_t size)
{
	struct replay r;
	size_t n = 0;

	if (replay_open(&r, cfg, 1))
		return 0;
	while (size && heap_alloc(r.heap, size))
		n++;
	replay_close(&r);
	return n;
}
