/*
 * png_out.c - the palette and the libpng calls.
 */
#include "tools/heapviz/png_out.h"

#include <png.h>
#include <stdio.h>

#include "tools/heapviz/strip.h"

/* Edge pixels are the class colour at 60%: a darker tick where a block
 * starts. docs/heapviz.md lists the same colours; the test checks them. */
static const uint32_t base_colour[STRIP_CLASSES] = {
    [STRIP_GAP] = 0x3a3a3a,	    /* dark grey: not heap memory */
    [STRIP_META] = 0xe6a23c,	    /* amber: headers and control data */
    [STRIP_USED] = 0x3d6fb6,	    /* blue: what the caller asked for */
    [STRIP_SLACK] = 0x9ec5f0,	    /* light blue: given but not asked for */
    [STRIP_FREE] = 0x7ccf7c,	    /* green: free */
    [STRIP_QUARANTINED] = 0xc58fd6, /* purple: freed, not yet reusable */
};

static uint32_t darker(uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	return (r * 6 / 10) << 16 | (g * 6 / 10) << 8 | (b * 6 / 10);
}

uint32_t png_out_colour(unsigned value)
{
	unsigned cls = value & ~STRIP_EDGE;

	if (value == PNG_OUT_SEPARATOR || cls >= STRIP_CLASSES)
		return 0x000000;
	return value & STRIP_EDGE ? darker(base_colour[cls]) : base_colour[cls];
}

int png_out_write(const char *path, unsigned width, unsigned height,
		  const unsigned char *pixels)
{
	png_color palette[PNG_OUT_COLOURS];
	png_structp png;
	png_infop info;
	unsigned i;
	FILE *f;

	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		fclose(f);
		fprintf(stderr, "%s: libpng could not start\n", path);
		return -1;
	}
	/* libpng reports errors by longjmp; nothing set after this point is
	 * needed on the error path. */
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(f);
		fprintf(stderr, "%s: libpng failed to write\n", path);
		return -1;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_PALETTE,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	for (i = 0; i < PNG_OUT_COLOURS; i++) {
		uint32_t c = png_out_colour(i);

		palette[i].red = (png_byte)(c >> 16);
		palette[i].green = (png_byte)(c >> 8);
		palette[i].blue = (png_byte)c;
	}
	png_set_PLTE(png, info, palette, PNG_OUT_COLOURS);
	png_write_info(png, info);
	for (i = 0; i < height; i++)
		png_write_row(png, pixels + (size_t)i * width);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}
