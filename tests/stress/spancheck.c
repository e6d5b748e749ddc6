/*
 * spancheck.c - the overlap replay (span.h) must catch what it is for and
 * only that: the process test trusts it to turn a heap that gave the same
 * bytes to two owners at once into a failure. Each case is a tiny made-up
 * log with a known answer.
 *
 * Prints "result: ..." and exits 0, or names the first wrong answer and
 * exits 1.
 */
#include <stdio.h>

#include "tests/stress/fail.h"
#include "tests/stress/span.h"

#define LO  ((uintptr_t)0x10000)
#define HI  (LO + 0x1000)
#define END 100u /* ticks */

struct check {
	const char *name;
	struct span a, b;
	int expect; /* span_find_overlap()'s answer */
};

static const struct check checks[] = {
    {"the same bytes live at once",
     {LO, LO + 64, 10, 20, 0},
     {LO + 48, LO + 96, 15, 30, 1},
     1},
    {"one block inside another",
     {LO, LO + 256, 10, 50, 0},
     {LO + 64, LO + 80, 20, 30, 1},
     1},
    {"a block never freed, overlapped later",
     {LO, LO + 64, 10, SPAN_ALIVE, 0},
     {LO + 32, LO + 64, 60, 70, 1},
     1},
    {"two empty blocks at one address",
     {LO + 16, LO + 16, 10, 20, 0},
     {LO + 16, LO + 16, 12, 22, 1},
     1},
    {"memory reused after its free",
     {LO, LO + 64, 10, 20, 0},
     {LO, LO + 64, 21, 30, 1},
     0},
    {"neighbours live at once",
     {LO, LO + 64, 10, 40, 0},
     {LO + 64, LO + 128, 11, 41, 1},
     0},
    {"a span outside the heap",
     {LO, HI + 16, 10, 20, 0},
     {LO + 1024, LO + 1040, 30, 40, 1},
     -1},
    {"a span that died before it was born",
     {LO, LO + 64, 30, 20, 0},
     {LO + 1024, LO + 1040, 40, 50, 1},
     -1},
    {"two events at one tick",
     {LO, LO + 64, 10, 20, 0},
     {LO + 1024, LO + 1040, 20, 50, 1},
     -1},
};

int main(void)
{
	size_t n = sizeof checks / sizeof checks[0];

	for (size_t i = 0; i < n; i++) {
		const struct check *c = &checks[i];
		/* one list per owner, as the process test has */
		const struct span *lists[2] = {&c->a, &c->b};
		size_t counts[2] = {1, 1};
		struct span_overlap o;
		int r = span_find_overlap(lists, counts, 2, LO, HI, END, &o);

		if (r != c->expect)
			stress_fail("overlap replay, %s: returned %d, expected "
				    "%d",
				    c->name, r, c->expect);
		if (r == 1 && !(o.a == &c->a && o.b == &c->b))
			stress_fail("overlap replay, %s: named the wrong pair",
				    c->name);
	}
	printf("result: overlap replay answered all %zu made-up logs right\n",
	       n);
	return 0;
}
