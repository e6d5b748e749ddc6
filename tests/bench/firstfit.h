/*
 * firstfit.h - a naive first-fit allocator: the REFERENCE line of the
 * scaling plot, not product code.
 *
 * It keeps one address-ordered list of free blocks and walks it from the
 * start on every allocation (for the first block that fits) and on every
 * free (for the place to insert, so that neighbours merge). Both cost grows
 * with the number of free blocks: the behaviour mm/'s bitmaps exist to
 * avoid, drawn beside them.
 */
#ifndef TESTS_BENCH_FIRSTFIT_H
#define TESTS_BENCH_FIRSTFIT_H

#include <stddef.h>

/* Manage [mem, mem + bytes); forgets any earlier state. */
void ff_init(void *mem, size_t bytes);
void *ff_malloc(size_t n);
void ff_free(void *p);
/* Moves every time: the reference is about the search, not realloc. */
void *ff_realloc(void *p, size_t n);
void *ff_calloc(size_t nmemb, size_t size);

#endif
