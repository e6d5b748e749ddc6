/*
 * firstfit.c - see firstfit.h: a reference for the scaling plot only.
 *
 * Every block, used or free, starts with a 16-byte header holding its size
 * (header included); free blocks also link to the next free block by
 * address. 16 bytes keep payloads 16-aligned, as malloc's are.
 */
#include "tests/bench/firstfit.h"

#include <stdint.h>
#include <string.h>

struct ff_block {
	size_t size;
	struct ff_block *next; /* free blocks only, address order */
};

#define FF_HDR	 ((size_t)16)
#define FF_MIN	 ((size_t)32)
#define FF_ALIGN ((size_t)16)

_Static_assert(sizeof(struct ff_block) <= FF_HDR, "header fits 16 bytes");

static struct ff_block *ff_head;

static struct ff_block *hdr_of(void *p)
{
	return (struct ff_block *)((uintptr_t)p - FF_HDR);
}

static void *payload_of(struct ff_block *b)
{
	return (void *)((uintptr_t)b + FF_HDR);
}

static uintptr_t end_of(const struct ff_block *b)
{
	return (uintptr_t)b + b->size;
}

void ff_init(void *mem, size_t bytes)
{
	uintptr_t start = ((uintptr_t)mem + FF_ALIGN - 1) & ~(FF_ALIGN - 1);

	ff_head = (struct ff_block *)start;
	ff_head->size = (bytes - (start - (uintptr_t)mem)) & ~(FF_ALIGN - 1);
	ff_head->next = NULL;
}

void *ff_malloc(size_t n)
{
	size_t need = ((n + FF_ALIGN - 1) & ~(FF_ALIGN - 1)) + FF_HDR;
	struct ff_block **link, *b;

	if (need < FF_MIN)
		need = FF_MIN;
	for (link = &ff_head; (b = *link) != NULL; link = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= FF_MIN) {
			struct ff_block *rest =
			    (struct ff_block *)((uintptr_t)b + need);

			rest->size = b->size - need;
			rest->next = b->next;
			*link = rest;
			b->size = need;
		} else {
			*link = b->next;
		}
		return payload_of(b);
	}
	return NULL;
}

void ff_free(void *p)
{
	struct ff_block *b, *prev = NULL, *next;

	if (!p)
		return;
	b = hdr_of(p);
	for (next = ff_head; next && (uintptr_t)next < (uintptr_t)b;
	     next = next->next)
		prev = next;
	b->next = next;
	if (next && end_of(b) == (uintptr_t)next) {
		b->size += next->size;
		b->next = next->next;
	}
	if (prev && end_of(prev) == (uintptr_t)b) {
		prev->size += b->size;
		prev->next = b->next;
	} else if (prev) {
		prev->next = b;
	} else {
		ff_head = b;
	}
}

void *ff_realloc(void *p, size_t n)
{
	void *q;
	size_t old;

	if (!p)
		return ff_malloc(n);
	q = ff_malloc(n);
	if (!q)
		return NULL;
	old = hdr_of(p)->size - FF_HDR;
	memcpy(q, p, old < n ? old : n);
	ff_free(p);
	return q;
}

void *ff_calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	p = ff_malloc(nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}
