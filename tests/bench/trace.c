#include "tests/bench/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void trace_init(struct trace *t, const char *name)
{
	memset(t, 0, sizeof *t);
	t->name = name;
}

void trace_push(struct trace *t, struct op op)
{
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct op *ops = realloc(t->ops, cap * sizeof *ops);

		if (!ops) {
			fprintf(stderr, "bench: out of memory for trace %s\n",
				t->name);
			exit(1);
		}
		t->ops = ops;
		t->cap = cap;
	}
	t->ops[t->count++] = op;
}

void trace_release(struct trace *t)
{
	free(t->ops);
	t->ops = NULL;
	t->count = t->cap = 0;
}

size_t trace_timed(const struct trace *t)
{
	return t->count - t->setup;
}
