/*
 * record.h - what a replay leaves behind: strips, statistics and frames.
 *
 * A strip (narrow, one per K steps) goes into the summary image; a frame
 * (wide, at chosen steps) is a closer look at one moment, wrapped into
 * rows when it has more pixels than the picture is wide.
 */
#ifndef HEAPVIZ_RECORD_H
#define HEAPVIZ_RECORD_H

#include <stddef.h>

#include "tools/heapviz/replay.h"
#include "tools/heapviz/strip.h"
#include "tools/heapviz/trace.h"

struct frame {
	struct strip_stats st;
	char label[TRACE_LABEL_MAX];
	unsigned char *px;	     /* width * rows pixel values */
	size_t count[STRIP_CLASSES]; /* pixels of each class */
};

struct record {
	unsigned width;	       /* pixels across the arena, in a strip */
	unsigned frame_rows;   /* a frame is width * frame_rows pixels */
	size_t every;	       /* a strip per this many steps */
	unsigned char *strips; /* nstrips * width */
	struct strip_stats *stats;
	size_t nstrips, cap;
	struct frame *frames;
	size_t nframes, fcap;
};

void record_init(struct record *rec, unsigned width, unsigned frame_rows,
		 size_t every);
void record_release(struct record *rec);

/* Each returns 0, or -1 if the heap reported a problem. */
int record_strip(struct record *rec, const struct replay *r);
int record_frame(struct record *rec, const struct replay *r, const char *label);

#endif
