/*
 * plot.h - the gnuplot pictures: axes, legends and numbers around what
 * png_out.c drew.
 *
 *   heapmap.png        summary.png on address/step axes, next to the
 *                      fragmentation over the same steps, with a legend
 *   fragmentation.png  bytes and fragmentation over time, frames marked
 *   frames.png         every frame (up to PLOT_MAX_FRAMES) with its numbers
 *
 * The script is kept as plot.gp in the output directory, so a reader can
 * change it and run `gnuplot plot.gp` there.
 */
#ifndef HEAPVIZ_PLOT_H
#define HEAPVIZ_PLOT_H

#include <stddef.h>

#include "tools/heapviz/record.h"

#define PLOT_MAX_FRAMES 12

struct plot_info {
	const char *name, *dir;
	size_t arena_bytes, heap_bytes;
	unsigned regions;
	int checking, quarantine;
	unsigned summary_h, frame_h;
};

/* Write plot.gp and run gnuplot on it. 0, or -1 after saying why. */
int plot_all(const struct plot_info *pi, const struct record *rec);

#endif
