/*
 * png_out.h - writing heap pictures as palette PNGs (libpng).
 *
 * A picture is an array of pixel values, row after row: a strip class
 * or'ed with STRIP_EDGE (strip.h), or PNG_OUT_SEPARATOR. Each value is a
 * palette entry, so the files stay small and a test can read the classes
 * back from the colours.
 */
#ifndef HEAPVIZ_PNG_OUT_H
#define HEAPVIZ_PNG_OUT_H

#include <stdint.h>

#include "tools/heapviz/strip.h"

/* Between the rows of a wrapped frame; no class uses it. */
_Static_assert(STRIP_CLASSES <= 7 && (STRIP_EDGE | 7) < 16,
	       "classes, edge variants and the separator share 16 colours");
#define PNG_OUT_SEPARATOR 7u
#define PNG_OUT_COLOURS	  16u

/* 0xRRGGBB of a pixel value. */
uint32_t png_out_colour(unsigned value);

/* 0, or -1 after saying why on stderr. */
int png_out_write(const char *path, unsigned width, unsigned height,
		  const unsigned char *pixels);

#endif
