/*
 * record.c - taking strips and frames as the replay goes.
 */
#include "tools/heapviz/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t bytes)
{
	p = realloc(p, bytes);
	if (!p) {
		fprintf(stderr, "heapviz: out of memory for the record\n");
		exit(1);
	}
	return p;
}

void record_init(struct record *rec, unsigned width, unsigned frame_rows,
		 size_t every)
{
	memset(rec, 0, sizeof *rec);
	rec->width = width;
	rec->frame_rows = frame_rows;
	rec->every = every;
}

void record_release(struct record *rec)
{
	size_t i;

	for (i = 0; i < rec->nframes; i++)
		free(rec->frames[i].px);
	free(rec->frames);
	free(rec->strips);
	free(rec->stats);
	memset(rec, 0, sizeof *rec);
}

/* heap_check runs with every strip: a picture of a broken heap would
 * teach the wrong thing, so the replay stops at the first problem. */
static int stats_checked(const struct replay *r, struct strip_stats *st)
{
	int bad = strip_stats(r, st);

	if (bad)
		fprintf(stderr,
			"heapviz: heap_check found %d problem(s) "
			"after step %zu\n",
			bad, r->steps);
	return bad ? -1 : 0;
}

int record_strip(struct record *rec, const struct replay *r)
{
	if (rec->nstrips == rec->cap) {
		rec->cap = rec->cap ? rec->cap * 2 : 64;
		rec->strips = xrealloc(rec->strips, rec->cap * rec->width);
		rec->stats =
		    xrealloc(rec->stats, rec->cap * sizeof *rec->stats);
	}
	if (strip_take(r, rec->width, rec->strips + rec->nstrips * rec->width))
		return -1;
	if (stats_checked(r, &rec->stats[rec->nstrips]))
		return -1;
	rec->nstrips++;
	return 0;
}

int record_frame(struct record *rec, const struct replay *r, const char *label)
{
	size_t n = (size_t)rec->width * rec->frame_rows, i;
	struct frame *f;

	if (rec->nframes == rec->fcap) {
		rec->fcap = rec->fcap ? rec->fcap * 2 : 16;
		rec->frames =
		    xrealloc(rec->frames, rec->fcap * sizeof *rec->frames);
	}
	f = &rec->frames[rec->nframes];
	memset(f, 0, sizeof *f);
	snprintf(f->label, sizeof f->label, "%s", label ? label : "");
	f->px = xrealloc(NULL, n);
	rec->nframes++;
	if (strip_take(r, (unsigned)n, f->px))
		return -1;
	for (i = 0; i < n; i++)
		f->count[f->px[i] & ~STRIP_EDGE]++;
	return stats_checked(r, &f->st);
}
