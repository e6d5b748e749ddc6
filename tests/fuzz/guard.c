#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "tests/fuzz/guard.h"

#include <string.h>
#include <sys/mman.h>

#include <sanitizer/asan_interface.h>

/*
 * One mapping for the whole process, asked for at the same address every
 * time: an input whose meaning depends on addresses (a link XORed with a
 * value) then replays the same in another process, and no run pays for
 * mapping and unmapping its memory.
 */
#if UINTPTR_MAX > 0xffffffffu
#define GUARD_HINT ((void *)(uintptr_t)0x600000000000u)
#else
#define GUARD_HINT NULL
#endif

static unsigned char *mapping;
static size_t mapping_bytes;

int guard_open(struct guard *g, size_t cap)
{
	if (cap > mapping_bytes) {
		void *m;

		if (mapping)
			munmap(mapping, mapping_bytes);
		m = mmap(GUARD_HINT, cap, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		mapping = m == MAP_FAILED ? NULL : m;
		mapping_bytes = mapping ? cap : 0;
	}
	g->buf = mapping;
	g->cap = mapping ? cap : 0;
	g->used = 0;
	if (!mapping)
		return -1;
	ASAN_POISON_MEMORY_REGION(g->buf, cap);
	return 0;
}

unsigned char *guard_take(struct guard *g, size_t bytes, size_t misalign)
{
	/* the mapping is page-aligned, so offsets are enough */
	size_t start = ((g->used + GUARD_BYTES + 15) & ~(size_t)15) + misalign;
	unsigned char *p;

	if (misalign > 15 || bytes > g->cap || start > g->cap - bytes ||
	    g->cap - bytes - start < GUARD_BYTES)
		return NULL;
	p = g->buf + start;
	ASAN_UNPOISON_MEMORY_REGION(p, bytes);
	/* what the last run left there must not decide this one */
	memset(p, GUARD_JUNK, bytes);
	g->used = start + bytes;
	return p;
}

/* The mapping stays for the next run; the next guard_open poisons it. */
void guard_close(struct guard *g)
{
	g->buf = NULL;
}

const struct piece *piece_of(const struct piece *pieces, size_t n, uintptr_t a)
{
	for (size_t i = 0; i < n; i++)
		if (a >= pieces[i].lo && a < pieces[i].hi)
			return &pieces[i];
	return NULL;
}
