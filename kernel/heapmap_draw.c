/*
 * heapmap_draw.c - the map on the VGA screen, and the same map on serial.
 *
 * The screen, 80 x 25:
 *
 *   row  0      title: what the map shows; size, regions, bytes a cell
 *   rows 1-18   the map, 80 cells a row
 *   row  19     the legend
 *   rows 20-22  the numbers: used, free, largest free, fragmentation...
 *   rows 23-24  the console, for whatever the kernel prints afterwards
 *
 * Map colours are all dim ones, so that each can also be a background
 * (bright backgrounds would blink): a cell of one kind is a blank in its
 * colour; a mixed cell is an upper half block, its kind's colour above the
 * runner-up's. Serial gets one character a cell instead.
 */
#include "kernel/heapmap.h"

#include "kernel/kprintf.h"
#include "kernel/serial.h"
#include "kernel/vga.h"

#define TITLE_ROW   0
#define MAP_ROW	    1
#define LEGEND_ROW  (MAP_ROW + HEAPMAP_ROWS)
#define NUMBERS_ROW (LEGEND_ROW + 1)
#define NUMBERS	    3
#define CONSOLE_ROW (NUMBERS_ROW + NUMBERS)

_Static_assert(HEAPMAP_COLS == VGA_COLS, "a map row is a screen row");
_Static_assert(CONSOLE_ROW + 2 == VGA_ROWS, "two rows stay the console's");

/* Code page 437 glyphs. */
#define CH_LIGHT_SHADE 0xb0u
#define CH_UPPER_HALF  0xdfu

#define TEXT  vga_attr(VGA_LIGHT_GREY, VGA_BLACK)
#define TITLE vga_attr(VGA_BLACK, VGA_LIGHT_GREY)
#define GAP   vga_attr(VGA_DARK_GREY, VGA_BLACK)

static const struct {
	enum vga_color color;
	char ch; /* on serial */
	const char *name;
} kinds[HEAPMAP_KINDS] = {
    [HEAPMAP_BLANK] = {VGA_BLACK, ' ', "blank"},
    [HEAPMAP_GAP] = {VGA_BLACK, '|', "gap"},
    [HEAPMAP_USED] = {VGA_BLUE, '#', "used"},
    [HEAPMAP_FREE] = {VGA_GREEN, '.', "free"},
    [HEAPMAP_META] = {VGA_BROWN, 'H', "metadata"},
    [HEAPMAP_QUARANTINED] = {VGA_MAGENTA, 'q', "quarantined"},
    [HEAPMAP_CACHED] = {VGA_CYAN, 'c', "cached"},
};

#define MIXED_CH '+'

/* "512 B", "87.9 KiB", "126.0 MiB": a tenth is enough to compare. */
static const char *fmt_size(char *buf, size_t cap, uint64_t bytes)
{
	static const char *const units[] = {"KiB", "MiB", "GiB"};
	uint64_t unit = 1024;
	unsigned u = 0;

	if (bytes < 1024) {
		ksnprintf(buf, cap, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	while (u + 1 < sizeof(units) / sizeof(units[0]) &&
	       bytes >= unit * 1024) {
		unit *= 1024;
		u++;
	}
	ksnprintf(buf, cap, "%llu.%llu %s", (unsigned long long)(bytes / unit),
		  (unsigned long long)(bytes % unit * 10 / unit), units[u]);
	return buf;
}

/* The title's right half, the legend's sizes and the numbers: the same
 * words on the screen and on serial. */
static void describe(const struct heapmap *m, char *line, size_t cap)
{
	char size[16], cell[16];

	if (m->regions == 1)
		ksnprintf(line, cap, "%s, %s a cell",
			  fmt_size(size, sizeof(size), m->bytes),
			  fmt_size(cell, sizeof(cell), m->bytes_per_cell));
	else
		ksnprintf(line, cap, "%s in %zu regions, %s a cell",
			  fmt_size(size, sizeof(size), m->bytes), m->regions,
			  fmt_size(cell, sizeof(cell), m->bytes_per_cell));
}

static void numbers(const struct heapmap *m, char line[NUMBERS][96])
{
	const struct heap_stats *s = &m->stats;
	char a[16], b[16];
	/* 1 - largest_free / bytes_free, in tenths of a percent */
	unsigned frag = s->bytes_free
			    ? 1000u - (unsigned)((uint64_t)s->largest_free *
						 1000u / s->bytes_free)
			    : 0;

	ksnprintf(line[0], sizeof(line[0]),
		  "used %s in %zu block%s   free %s in %zu block%s",
		  fmt_size(a, sizeof(a), s->bytes_used), s->used_blocks,
		  s->used_blocks == 1 ? "" : "s",
		  fmt_size(b, sizeof(b), s->bytes_free), s->free_blocks,
		  s->free_blocks == 1 ? "" : "s");
	ksnprintf(line[1], sizeof(line[1]),
		  "largest free %s   fragmentation %u.%u%% "
		  "(1 - largest free / all free)",
		  fmt_size(a, sizeof(a), s->largest_free), frag / 10,
		  frag % 10);
	/* only the checking modes quarantine, and they bypass the caches:
	 * one of the two is enough to fit a screen row */
	if (s->quarantined_blocks || !s->cached_blocks)
		ksnprintf(line[2], sizeof(line[2]),
			  "metadata %s   quarantined %s in %zu blocks%s",
			  fmt_size(a, sizeof(a), s->bytes_overhead),
			  fmt_size(b, sizeof(b), s->bytes_quarantined),
			  s->quarantined_blocks,
			  m->unmapped ? "   (regions left off the map)" : "");
	else
		ksnprintf(line[2], sizeof(line[2]),
			  "metadata %s   cached %s in %zu blocks%s",
			  fmt_size(a, sizeof(a), s->bytes_overhead),
			  fmt_size(b, sizeof(b), s->bytes_cached),
			  s->cached_blocks,
			  m->unmapped ? "   (regions left off the map)" : "");
}

static void clear_rows(unsigned from, unsigned to)
{
	for (unsigned r = from; r < to; r++)
		for (unsigned c = 0; c < VGA_COLS; c++)
			vga_put_at(c, r, ' ', TEXT);
}

static void draw_cell(const struct heapmap_cell *c, unsigned col, unsigned row)
{
	enum vga_color fg = kinds[c->kind].color;

	if (c->kind == HEAPMAP_GAP)
		vga_put_at(col, row, CH_LIGHT_SHADE, GAP);
	else if (c->mixed)
		vga_put_at(col, row, CH_UPPER_HALF,
			   vga_attr(fg, kinds[c->second].color));
	else
		vga_put_at(col, row, ' ', vga_attr(VGA_LIGHT_GREY, fg));
}

static void draw_legend(void)
{
	static const enum heapmap_kind shown[] = {
	    HEAPMAP_USED, HEAPMAP_FREE, HEAPMAP_META, HEAPMAP_QUARANTINED,
	    HEAPMAP_CACHED};
	unsigned col = 1;

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		uint8_t swatch =
		    vga_attr(VGA_LIGHT_GREY, kinds[shown[i]].color);

		col = vga_put_text(col, LEGEND_ROW, "  ", swatch);
		col = vga_put_text(col + 1, LEGEND_ROW, kinds[shown[i]].name,
				   TEXT);
		col += 2;
	}
	vga_put_at(col, LEGEND_ROW, CH_UPPER_HALF,
		   vga_attr(VGA_BLUE, VGA_GREEN));
	vga_put_at(col + 1, LEGEND_ROW, CH_UPPER_HALF,
		   vga_attr(VGA_BLUE, VGA_GREEN));
	col = vga_put_text(col + 3, LEGEND_ROW, "mixed", TEXT) + 2;
	vga_put_at(col, LEGEND_ROW, CH_LIGHT_SHADE, GAP);
	vga_put_at(col + 1, LEGEND_ROW, CH_LIGHT_SHADE, GAP);
	vga_put_text(col + 3, LEGEND_ROW, "gap", TEXT);
}

void heapmap_draw_vga(const struct heapmap *m, const char *title)
{
	char line[NUMBERS][96], right[64];
	unsigned len = 0;

	clear_rows(0, CONSOLE_ROW);
	for (unsigned c = 0; c < VGA_COLS; c++)
		vga_put_at(c, TITLE_ROW, ' ', TITLE);
	vga_put_text(1, TITLE_ROW, "heap map: ", TITLE);
	vga_put_text(11, TITLE_ROW, title, TITLE);
	describe(m, right, sizeof(right));
	while (right[len])
		len++;
	vga_put_text(VGA_COLS - 1 - len, TITLE_ROW, right, TITLE);

	for (size_t i = 0; i < m->cells; i++)
		draw_cell(&m->cell[i], (unsigned)(i % HEAPMAP_COLS),
			  (unsigned)(MAP_ROW + i / HEAPMAP_COLS));
	draw_legend();
	numbers(m, line);
	for (unsigned i = 0; i < NUMBERS; i++)
		vga_put_text(1, NUMBERS_ROW + i, line[i], TEXT);
	vga_set_console_top(CONSOLE_ROW);
}

void heapmap_print(const struct heapmap *m, const char *title)
{
	char line[NUMBERS][96], buf[160], about[64];

	ksnprintf(buf, sizeof(buf), "heapmap: %s", title);
	serial_put_line(buf);
	describe(m, about, sizeof(about));
	ksnprintf(buf, sizeof(buf),
		  "heapmap: %s: '%c' used '%c' free '%c' metadata "
		  "'%c' quarantined '%c' cached '%c' mixed '%c' gap",
		  about, kinds[HEAPMAP_USED].ch, kinds[HEAPMAP_FREE].ch,
		  kinds[HEAPMAP_META].ch, kinds[HEAPMAP_QUARANTINED].ch,
		  kinds[HEAPMAP_CACHED].ch, MIXED_CH, kinds[HEAPMAP_GAP].ch);
	serial_put_line(buf);
	for (size_t row = 0; row * HEAPMAP_COLS < m->cells; row++) {
		size_t first = row * HEAPMAP_COLS;
		size_t n = 0;
		int at = ksnprintf(buf, sizeof(buf), "  0x%08lx ",
				   (unsigned long)heapmap_cell_addr(m, first));

		for (; n < HEAPMAP_COLS && first + n < m->cells; n++) {
			const struct heapmap_cell *c = &m->cell[first + n];

			buf[at + (int)n] =
			    c->mixed ? MIXED_CH : kinds[c->kind].ch;
		}
		buf[at + (int)n] = '\0';
		serial_put_line(buf);
	}
	numbers(m, line);
	for (unsigned i = 0; i < NUMBERS; i++) {
		ksnprintf(buf, sizeof(buf), "heapmap: %s", line[i]);
		serial_put_line(buf);
	}
	ksnprintf(buf, sizeof(buf), "heapmap: drawn (%s)", title);
	serial_put_line(buf);
}
