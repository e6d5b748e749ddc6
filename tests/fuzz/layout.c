#include "tests/fuzz/layout.h"

#include <string.h>

#include "tests/fuzz/fuzz.h"

static void push(struct layout *l, struct blk b)
{
	FUZZ_EXPECT(l->n < MAX_BLOCKS, "layout: more than %d blocks",
		    MAX_BLOCKS);
	l->b[l->n++] = b;
}

/* A region ends with a header and no payload, right after its last block. */
static void push_sentinel(struct layout *l)
{
	const struct blk *last = &l->b[l->n - 1];
	uintptr_t hdr = last->ptr + last->size;

	push(l, (struct blk){.hdr = hdr,
			     .ptr = hdr + l->hdr,
			     .region = last->region,
			     .sentinel = 1});
	if (hdr + l->hdr > l->hi)
		l->hi = hdr + l->hdr;
}

static int visit(const struct heap_block_info *b, void *ctx)
{
	struct layout *l = ctx;

	if (l->n == 0) {
		l->hdr = (size_t)((uintptr_t)b->ptr - (uintptr_t)b->block);
		l->lo = (uintptr_t)b->block;
	} else if (l->b[l->n - 1].region != b->region) {
		push_sentinel(l);
	}
	if ((uintptr_t)b->block < l->lo)
		l->lo = (uintptr_t)b->block;
	push(l, (struct blk){.hdr = (uintptr_t)b->block,
			     .ptr = (uintptr_t)b->ptr,
			     .size = b->size,
			     .free = b->free,
			     .quarantined = b->quarantined,
			     .region = b->region});
	return 0;
}

void layout_read(struct layout *l, struct heap *h)
{
	memset(l, 0, sizeof *l);
	FUZZ_EXPECT(heap_walk(h, visit, l) == 0 && l->n > 0,
		    "layout: the heap could not be walked");
	push_sentinel(l);
}

long layout_find(const struct layout *l, uintptr_t ptr)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->b[i].ptr == ptr && !l->b[i].sentinel)
			return (long)i;
	return -1;
}

long layout_prev(const struct layout *l, size_t i)
{
	if (i == 0 || l->b[i - 1].region != l->b[i].region ||
	    l->b[i - 1].sentinel)
		return -1;
	return (long)i - 1;
}

long layout_next(const struct layout *l, size_t i)
{
	if (l->b[i].sentinel || i + 1 >= l->n)
		return -1;
	return (long)i + 1;
}

size_t layout_first(const struct layout *l, int region)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->b[i].region == region)
			return i;
	return 0;
}

size_t layout_sentinel(const struct layout *l, int region)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->b[i].region == region && l->b[i].sentinel)
			return i;
	return l->n - 1;
}
