/*
 * images.c - summary and frame pictures from the record.
 */
#include "tools/heapviz/images.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/heapviz/png_out.h"

static unsigned char *canvas(size_t bytes)
{
	unsigned char *p = malloc(bytes ? bytes : 1);

	if (!p) {
		fprintf(stderr, "heapviz: out of memory for a picture\n");
		exit(1);
	}
	return p;
}

int images_summary(const struct record *rec, unsigned row_height,
		   const char *path)
{
	size_t w = rec->width, rows = rec->nstrips * row_height, y;
	unsigned char *px = canvas(w * rows);
	int rc;

	for (y = 0; y < rows; y++)
		memcpy(px + y * w, rec->strips + (y / row_height) * w, w);
	rc = png_out_write(path, rec->width, (unsigned)rows, px);
	free(px);
	return rc;
}

static unsigned band_height(const struct record *rec, unsigned height)
{
	unsigned h = height / rec->frame_rows;

	return h ? h : 1;
}

unsigned images_frame_height(const struct record *rec, unsigned height)
{
	return band_height(rec, height) * rec->frame_rows;
}

int images_frame(const struct record *rec, const struct frame *f,
		 unsigned height, const char *path)
{
	unsigned bh = band_height(rec, height), rows = rec->frame_rows;
	size_t w = rec->width, y;
	unsigned char *px = canvas(w * bh * rows);
	int rc;

	for (y = 0; y < (size_t)bh * rows; y++) {
		/* A black line closes each band of a wrapped frame, so that
		 * the end of one row cannot be read as the start of the
		 * next; too thin a band cannot spare it. */
		if (rows > 1 && bh >= 4 && y % bh == bh - 1)
			memset(px + y * w, PNG_OUT_SEPARATOR, w);
		else
			memcpy(px + y * w, f->px + (y / bh) * w, w);
	}
	rc = png_out_write(path, rec->width, bh * rows, px);
	free(px);
	return rc;
}
