/*
 * ppmcells.c - what each text cell of a screenshot shows, by colour.
 *
 *   ppmcells SHOT.ppm [COLS ROWS]      (default 80 25: VGA text mode)
 *
 * Reads a binary PPM (P6, as QEMU's screendump writes it), cuts it into
 * COLS x ROWS cells and prints one line per row of cells, one token per
 * cell: "rrggbb" when one colour covers at least 7/8 of the cell's pixels
 * (a blank in a background colour), otherwise "rrggbb/rrggbb", its two
 * most common colours, the commoner first (a shade glyph, or text). The
 * boot test turns the tokens back into the heap map's characters.
 *
 * Exits 1, with the reason on stderr, on anything but a P6 image whose
 * size divides into the cells.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLOURS 16 /* per cell; more are lumped together as "other" */

struct count {
	unsigned long rgb;
	unsigned n;
};

/* The next header number, skipping whitespace and '#' comments. */
static int header_number(FILE *f, unsigned long *out)
{
	int c = fgetc(f);

	for (;;) {
		if (c == '#') {
			while (c != EOF && c != '\n')
				c = fgetc(f);
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			c = fgetc(f);
		} else {
			break;
		}
	}
	if (c < '0' || c > '9')
		return -1;
	*out = 0;
	while (c >= '0' && c <= '9') {
		if (*out > 100000)
			return -1;
		*out = *out * 10 + (unsigned long)(c - '0');
		c = fgetc(f);
	}
	/* exactly one whitespace byte ends the header's last number */
	return c == EOF ? -1 : 0;
}

static void count_pixel(struct count *cs, size_t *ncs, unsigned long rgb)
{
	for (size_t i = 0; i < *ncs; i++) {
		if (cs[i].rgb == rgb) {
			cs[i].n++;
			return;
		}
	}
	if (*ncs < MAX_COLOURS) {
		cs[*ncs].rgb = rgb;
		cs[(*ncs)++].n = 1;
	}
}

static void print_cell(const unsigned char *px, unsigned long width,
		       unsigned long x0, unsigned long y0, unsigned long cw,
		       unsigned long ch)
{
	struct count cs[MAX_COLOURS];
	size_t ncs = 0, first = 0, second = 0;

	for (unsigned long y = y0; y < y0 + ch; y++) {
		for (unsigned long x = x0; x < x0 + cw; x++) {
			const unsigned char *p = px + (y * width + x) * 3;

			count_pixel(cs, &ncs,
				    (unsigned long)p[0] << 16 |
					(unsigned long)p[1] << 8 | p[2]);
		}
	}
	for (size_t i = 1; i < ncs; i++)
		if (cs[i].n > cs[first].n)
			first = i;
	second = first == 0 ? 1 : 0;
	for (size_t i = 0; i < ncs; i++)
		if (i != first && cs[i].n > cs[second].n)
			second = i;
	if (ncs == 1 || cs[first].n * 8 >= cw * ch * 7)
		printf("%06lx", cs[first].rgb);
	else
		printf("%06lx/%06lx", cs[first].rgb, cs[second].rgb);
}

int main(int argc, char **argv)
{
	unsigned long width, height, maxval, cols = 80, rows = 25;
	unsigned char *px;
	size_t bytes;
	FILE *f;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: %s SHOT.ppm [COLS ROWS]\n", argv[0]);
		return 1;
	}
	if (argc == 4) {
		cols = strtoul(argv[2], NULL, 10);
		rows = strtoul(argv[3], NULL, 10);
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	if (fgetc(f) != 'P' || fgetc(f) != '6' ||
	    header_number(f, &width) != 0 || header_number(f, &height) != 0 ||
	    header_number(f, &maxval) != 0 || maxval == 0 || maxval > 255) {
		fprintf(stderr,
			"%s: not a binary PPM (P6) with 8-bit samples\n",
			argv[1]);
		return 1;
	}
	if (cols == 0 || rows == 0 || width % cols || height % rows ||
	    width == 0 || height == 0) {
		fprintf(stderr,
			"%s: %lux%lu pixels do not divide into %lux%lu "
			"cells\n",
			argv[1], width, height, cols, rows);
		return 1;
	}
	bytes = (size_t)width * height * 3;
	px = malloc(bytes);
	if (!px || fread(px, 1, bytes, f) != bytes) {
		fprintf(stderr,
			"%s: short image: %zu bytes of pixels expected\n",
			argv[1], bytes);
		return 1;
	}
	fclose(f);
	for (unsigned long r = 0; r < rows; r++) {
		for (unsigned long c = 0; c < cols; c++) {
			if (c)
				putchar(' ');
			print_cell(px, width, c * (width / cols),
				   r * (height / rows), width / cols,
				   height / rows);
		}
		putchar('\n');
	}
	free(px);
	return 0;
}
