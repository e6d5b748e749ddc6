/*
 * misuse.c - a program that misuses an mm/ heap in one named way, to show
 * that AddressSanitizer and Valgrind catch it through mm/'s annotations
 * (mm/annotate.h). run.sh runs each case under each tool and checks the
 * report. "ok" does nothing wrong and must produce no report at all.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mm/heap.h"

static _Alignas(64) unsigned char arena[1 << 16];

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "ok";
	struct heap *h = heap_create(arena, sizeof arena);
	volatile unsigned char *p, *q;

	if (!h)
		return 2;
	p = heap_alloc(h, 24);
	q = heap_alloc(h, 24);
	if (!p || !q)
		return 2;
	memset((void *)p, 1, 24);
	memset((void *)q, 2, 24);
	printf("block %p, 24 bytes\n", (void *)p);
	fflush(stdout);

	if (strcmp(what, "use-after-free") == 0) {
		heap_free(h, (void *)p);
		p[8] = 3;
	} else if (strcmp(what, "overflow") == 0) {
		p[24] = 3;
	} else if (strcmp(what, "underflow") == 0) {
		p[-1] = 3;
	} else if (strcmp(what, "ok") == 0) {
		p = heap_realloc(h, (void *)p, 100);
		if (!p || p[23] != 1)
			return 2;
		p[99] = 4;
		heap_free(h, (void *)p);
	} else {
		fprintf(stderr, "misuse: unknown case %s\n", what);
		return 2;
	}
	heap_free(h, (void *)q);
	return 0;
}
