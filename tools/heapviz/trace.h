/*
 * trace.h - an operation trace: what heapviz replays against the heap.
 *
 * The text form is one operation per line (docs/heapviz.md has the full
 * description):
 *
 *   a <id> <size>            id = heap_alloc(size)
 *   m <id> <align> <size>    id = heap_aligned_alloc(align, size)
 *   r <id> <size>            id = heap_realloc(id, size)
 *   f <id>                   heap_free(id)
 *   p [label]                take a picture here (not a step)
 *   # comment
 *
 * An id names one live block, as a variable in a program would: it is
 * bound by a, m or r and released by f.
 */
#ifndef HEAPVIZ_TRACE_H
#define HEAPVIZ_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Large enough for any real trace; keeps the replay's id table bounded. */
#define TRACE_MAX_ID	(1u << 22)
#define TRACE_LABEL_MAX 32

enum trace_kind {
	TRACE_ALLOC = 'a',
	TRACE_ALIGNED = 'm',
	TRACE_REALLOC = 'r',
	TRACE_FREE = 'f',
	TRACE_PICTURE = 'p',
};

struct trace_op {
	char kind;
	uint32_t id;
	size_t align;
	size_t size;
	unsigned line; /* in the file it came from; 0 when generated */
	char label[TRACE_LABEL_MAX];
};

struct trace {
	struct trace_op *ops;
	size_t count, cap;
	size_t steps;	 /* operations other than pictures */
	uint32_t id_end; /* every id is below this */
};

void trace_init(struct trace *t);
void trace_release(struct trace *t);
void trace_push(struct trace *t, const struct trace_op *op);

/* Convenience for generators. */
void trace_op(struct trace *t, char kind, uint32_t id, size_t align,
	      size_t size);
void trace_picture(struct trace *t, const char *label);

/* 0, or -1 after printing "name:line: what" on stderr. */
int trace_read(struct trace *t, FILE *f, const char *name);
int trace_write(const struct trace *t, FILE *f);

#endif
