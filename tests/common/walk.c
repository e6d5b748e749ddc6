#include "tests/common/walk.h"

#include <stdint.h>
#include <string.h>

struct summary_ctx {
	struct walk_summary *sum;
	int have_prev;
	struct heap_block_info prev;
};

const unsigned char *block_end(const struct heap_block_info *b)
{
	return (const unsigned char *)b->ptr + b->size;
}

static int summary_visit(const struct heap_block_info *b, void *ctx)
{
	struct summary_ctx *c = ctx;
	struct walk_summary *s = c->sum;

	s->blocks++;
	if (b->free) {
		s->free_blocks++;
		s->bytes_free += b->size;
		if (b->size > s->largest_free)
			s->largest_free = b->size;
	} else {
		s->used_blocks++;
		s->bytes_used += b->size;
		s->bytes_requested += b->requested;
	}
	if (b->region >= 0 && (size_t)b->region + 1 > s->regions)
		s->regions = (size_t)b->region + 1;
	if ((uintptr_t)b->ptr % HEAP_ALIGN != 0)
		s->misaligned++;
	if ((uintptr_t)b->ptr <= (uintptr_t)b->block)
		s->disorder++;
	/* large blocks (region -1) lie apart, each in memory of its own */
	if (c->have_prev && b->region >= 0 && c->prev.region == b->region) {
		if ((uintptr_t)b->block < (uintptr_t)block_end(&c->prev))
			s->disorder++;
		if (c->prev.free && b->free)
			s->adjacent_free++;
	}
	c->prev = *b;
	c->have_prev = 1;
	return 0;
}

int walk_summarize(struct heap *h, struct walk_summary *out)
{
	struct summary_ctx c;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	c.sum = out;
	return heap_walk(h, summary_visit, &c);
}

struct around_ctx {
	const void *ptr;
	struct walk_around *out;
	int found;
	int have_last;
	struct heap_block_info last;
};

static int around_visit(const struct heap_block_info *b, void *ctx)
{
	struct around_ctx *c = ctx;

	if (c->found) {
		/* The block after ours, if it is in the same region. */
		if (b->region == c->out->self.region) {
			c->out->next = *b;
			c->out->has_next = 1;
		}
		return 1;
	}
	if (b->ptr == c->ptr) {
		c->found = 1;
		c->out->self = *b;
		if (c->have_last && c->last.region == b->region) {
			c->out->prev = c->last;
			c->out->has_prev = 1;
		}
	}
	c->last = *b;
	c->have_last = 1;
	return 0;
}

int walk_around(struct heap *h, const void *ptr, struct walk_around *out)
{
	struct around_ctx c;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	c.ptr = ptr;
	c.out = out;
	heap_walk(h, around_visit, &c);
	return c.found ? 0 : -1;
}
