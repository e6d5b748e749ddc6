/*
 * output.h - the files one run leaves in its output directory:
 *
 *   summary.png        a strip per recorded step, time going down
 *   frames/NN-*.png    the heap at chosen moments
 *   stats.csv          statistics for every strip in summary.png
 *   frames.csv         which frame is which, with its statistics
 *   heapmap.png, fragmentation.png, frames.png, plot.gp   (plot.c)
 */
#ifndef HEAPVIZ_OUTPUT_H
#define HEAPVIZ_OUTPUT_H

#include <stddef.h>

#include "tools/heapviz/record.h"

#define OUTPUT_PATH_MAX 4096

struct output {
	const char *dir;
	unsigned row_height;   /* summary pixels per strip */
	unsigned frame_height; /* pixels, split among the frame's rows */
	unsigned summary_h;    /* what was written */
	unsigned frame_h;
};

/* dir/name into buf; exits if it does not fit. */
void output_path(char *buf, const char *dir, const char *name);

/* Path of frame i relative to the output directory. */
void output_frame_name(char *buf, size_t size, size_t i, const struct frame *f);

/* Make the directories and write everything but the plots. 0 or -1. */
int output_write(struct output *out, const struct record *rec);

#endif
