/*
 * pnginfo.c - what the heapviz test needs to know about a PNG, decoded by
 * libpng's simplified reader (not heapviz's own code):
 *
 *   pnginfo FILE        "WIDTH HEIGHT COLOURS": distinct RGB colours
 *   pnginfo FILE ROW    one "rrggbb COUNT" line per colour in that row;
 *                       a negative ROW counts from the bottom (-1: last),
 *                       "all" lists the colours of the whole image
 *
 * Exits 1, naming the file, when it is not a PNG that decodes completely.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_colour(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Sort the colours, then print (or count) each run of equal ones. */
static size_t colours(unsigned long *c, size_t n, int print)
{
	size_t i, distinct = 0, run = 0;

	qsort(c, n, sizeof *c, cmp_colour);
	for (i = 0; i < n; i++) {
		run++;
		if (i + 1 == n || c[i + 1] != c[i]) {
			if (print)
				printf("%06lx %zu\n", c[i], run);
			distinct++;
			run = 0;
		}
	}
	return distinct;
}

int main(int argc, char **argv)
{
	png_image img;
	unsigned char *px;
	unsigned long *c;
	size_t n, first = 0, i;
	long row = 0;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: pnginfo FILE [ROW]\n");
		return 2;
	}
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, argv[1])) {
		fprintf(stderr, "pnginfo: %s: %s\n", argv[1], img.message);
		return 1;
	}
	img.format = PNG_FORMAT_RGB;
	n = (size_t)img.width * img.height;
	px = malloc(PNG_IMAGE_SIZE(img));
	c = malloc((n ? n : 1) * sizeof *c);
	if (!px || !c) {
		fprintf(stderr, "pnginfo: out of memory\n");
		return 1;
	}
	if (!png_image_finish_read(&img, NULL, px, 0, NULL)) {
		fprintf(stderr, "pnginfo: %s: %s\n", argv[1], img.message);
		return 1;
	}
	if (argc == 3 && strcmp(argv[2], "all") != 0) {
		row = strtol(argv[2], NULL, 10);
		if (row < 0)
			row += (long)img.height;
		if (row < 0 || row >= (long)img.height) {
			fprintf(stderr, "pnginfo: %s has no row %s\n", argv[1],
				argv[2]);
			return 1;
		}
		first = (size_t)row * img.width;
		n = img.width;
	}
	for (i = 0; i < n; i++) {
		const unsigned char *p = px + (first + i) * 3;

		c[i] =
		    (unsigned long)p[0] << 16 | (unsigned long)p[1] << 8 | p[2];
	}
	if (argc == 3)
		colours(c, n, 1);
	else
		printf("%u %u %zu\n", img.width, img.height, colours(c, n, 0));
	free(px);
	free(c);
	return 0;
}
