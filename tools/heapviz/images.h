/*
 * images.h - laying strips and frames out as pictures.
 *
 * summary.png: one strip per recorded step, time going down:
 *
 *   step 0    |meta|free ........................................|
 *   step K    |meta|used|used|free ..............................|
 *   ...        address across the arena ->
 *
 * a frame: one moment; with rows > 1 the arena is wrapped, like text, so
 * that each pixel covers fewer bytes:
 *
 *   |offset 0 ................................... 1/rows of the arena|
 *   |.............................................................  |
 */
#ifndef HEAPVIZ_IMAGES_H
#define HEAPVIZ_IMAGES_H

#include "tools/heapviz/record.h"

/* Height of a frame picture asked to be `height` pixels high. */
unsigned images_frame_height(const struct record *rec, unsigned height);

/* 0, or -1 after saying why on stderr. */
int images_summary(const struct record *rec, unsigned row_height,
		   const char *path);
int images_frame(const struct record *rec, const struct frame *f,
		 unsigned height, const char *path);

#endif
