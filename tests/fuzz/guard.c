#include "tests/fuzz/guard.h"

#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

int guard_open(struct guard *g, size_t cap)
{
	g->buf = malloc(cap);
	g->cap = g->buf ? cap : 0;
	g->used = 0;
	if (!g->buf)
		return -1;
	memset(g->buf, GUARD_JUNK, cap);
	ASAN_POISON_MEMORY_REGION(g->buf, cap);
	return 0;
}

unsigned char *guard_take(struct guard *g, size_t bytes, size_t misalign)
{
	/* malloc'd memory is 16-aligned, so offsets are enough */
	size_t start = ((g->used + GUARD_BYTES + 15) & ~(size_t)15) + misalign;
	unsigned char *p;

	if (misalign > 15 || bytes > g->cap || start > g->cap - bytes ||
	    g->cap - bytes - start < GUARD_BYTES)
		return NULL;
	p = g->buf + start;
	ASAN_UNPOISON_MEMORY_REGION(p, bytes);
	g->used = start + bytes;
	return p;
}

void guard_close(struct guard *g)
{
	if (!g->buf)
		return;
	ASAN_UNPOISON_MEMORY_REGION(g->buf, g->cap);
	free(g->buf);
	g->buf = NULL;
}

const struct piece *piece_of(const struct piece *pieces, size_t n, uintptr_t a)
{
	for (size_t i = 0; i < n; i++)
		if (a >= pieces[i].lo && a < pieces[i].hi)
			return &pieces[i];
	return NULL;
}
