/*
 * trace.c - building, reading and writing operation traces.
 */
#include "tools/heapviz/trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void trace_init(struct trace *t)
{
	memset(t, 0, sizeof *t);
}

void trace_release(struct trace *t)
{
	free(t->ops);
	trace_init(t);
}

void trace_push(struct trace *t, const struct trace_op *op)
{
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct trace_op *ops = realloc(t->ops, cap * sizeof *ops);

		if (!ops) {
			fprintf(stderr, "heapviz: out of memory for %zu ops\n",
				cap);
			exit(1);
		}
		t->ops = ops;
		t->cap = cap;
	}
	t->ops[t->count++] = *op;
	if (op->kind != TRACE_PICTURE) {
		t->steps++;
		if (op->id >= t->id_end)
			t->id_end = op->id + 1;
	}
}

void trace_op(struct trace *t, char kind, uint32_t id, size_t align,
	      size_t size)
{
	struct trace_op op = {
	    .kind = kind, .id = id, .align = align, .size = size};

	trace_push(t, &op);
}

void trace_picture(struct trace *t, const char *label)
{
	struct trace_op op = {.kind = TRACE_PICTURE};

	snprintf(op.label, sizeof op.label, "%s", label ? label : "");
	trace_push(t, &op);
}

/* Parse one unsigned number from *s; sizes may end in k/K or m/M. */
static int parse_number(char **s, size_t *out, int suffix)
{
	unsigned long long v;
	char *end;

	while (isspace((unsigned char)**s))
		(*s)++;
	if (!isdigit((unsigned char)**s))
		return -1;
	errno = 0;
	/* Base 10 unless 0x: a leading zero is not octal here. */
	v = strtoull(*s, &end,
		     (*s)[0] == '0' && ((*s)[1] | 0x20) == 'x' ? 16 : 10);
	if (errno)
		return -1;
	if (suffix && (*end == 'k' || *end == 'K')) {
		v <<= 10;
		end++;
	} else if (suffix && (*end == 'm' || *end == 'M')) {
		v <<= 20;
		end++;
	}
	if ((size_t)v != v || (*end && !isspace((unsigned char)*end)))
		return -1;
	*out = (size_t)v;
	*s = end;
	return 0;
}

static int parse_line(char *s, struct trace_op *op, const char **why)
{
	size_t id = 0;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	op->kind = *s;
	if (*s)
		s++;
	if (op->kind == TRACE_PICTURE && (!*s || isspace((unsigned char)*s))) {
		while (isspace((unsigned char)*s))
			s++;
		end = s + strcspn(s, "\r\n");
		*end = '\0';
		snprintf(op->label, sizeof op->label, "%s", s);
		return 0;
	}
	if (!strchr("amrf", op->kind) || !isspace((unsigned char)*s)) {
		*why = "unknown operation (expected a, m, r, f or p)";
		return -1;
	}
	if (parse_number(&s, &id, 0) || id >= TRACE_MAX_ID) {
		*why = "bad id (a number below 4194304)";
		return -1;
	}
	op->id = (uint32_t)id;
	if (op->kind == TRACE_ALIGNED && parse_number(&s, &op->align, 1)) {
		*why = "bad alignment";
		return -1;
	}
	if (op->kind != TRACE_FREE && parse_number(&s, &op->size, 1)) {
		*why = "bad size";
		return -1;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s && *s != '#') {
		*why = "unexpected text after the operation";
		return -1;
	}
	return 0;
}

int trace_read(struct trace *t, FILE *f, const char *name)
{
	char buf[256];
	unsigned line = 0;

	while (fgets(buf, sizeof buf, f)) {
		struct trace_op op = {0};
		const char *why = NULL;
		char *s = buf;

		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			fprintf(stderr, "%s:%u: line too long\n", name, line);
			return -1;
		}
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (parse_line(s, &op, &why)) {
			fprintf(stderr, "%s:%u: %s\n", name, line, why);
			return -1;
		}
		op.line = line;
		trace_push(t, &op);
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", name);
		return -1;
	}
	return 0;
}

int trace_write(const struct trace *t, FILE *f)
{
	size_t i;

	for (i = 0; i < t->count; i++) {
		const struct trace_op *op = &t->ops[i];

		switch (op->kind) {
		case TRACE_ALLOC:
		case TRACE_REALLOC:
			fprintf(f, "%c %u %zu\n", op->kind, op->id, op->size);
			break;
		case TRACE_ALIGNED:
			fprintf(f, "m %u %zu %zu\n", op->id, op->align,
				op->size);
			break;
		case TRACE_FREE:
			fprintf(f, "f %u\n", op->id);
			break;
		case TRACE_PICTURE:
			fprintf(f, op->label[0] ? "p %s\n" : "p\n", op->label);
			break;
		}
	}
	return ferror(f) ? -1 : 0;
}
