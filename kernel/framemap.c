/*
 * framemap.c - see framemap.h. Drawn like the heap map (heapmap_draw.c):
 * on serial one character a cell, on VGA a blank in the kind's colour, or
 * an upper half block (the kind over the runner-up) for a mixed cell.
 */
#include "kernel/framemap.h"

#include "kernel/kprintf.h"
#include "kernel/serial.h"
#include "kernel/string.h"
#include "kernel/vga.h"
#include "kernel/vm/frame.h"
#include "kernel/vm/vm.h"

#define CH_UPPER_HALF 0xdfu
#define TEXT	      vga_attr(VGA_LIGHT_GREY, VGA_BLACK)
#define TITLE	      vga_attr(VGA_BLACK, VGA_LIGHT_GREY)

/* From linker.ld. */
extern char __kernel_start[], __kernel_end[];

static const struct {
	char ch;
	enum vga_color color;
	const char *name;
} kinds[FRAMEMAP_KINDS] = {
    [FRAMEMAP_NONE] = {' ', VGA_BLACK, "not RAM"},
    [FRAMEMAP_FREE] = {'.', VGA_GREEN, "free"},
    [FRAMEMAP_KERNEL] = {'K', VGA_BROWN, "kernel"},
    [FRAMEMAP_TABLES] = {'T', VGA_MAGENTA, "page tables"},
    [FRAMEMAP_HEAP] = {'h', VGA_BLUE, "heap"},
    [FRAMEMAP_KSPACE] = {'s', VGA_CYAN, "kernel space"},
    [FRAMEMAP_LOST] = {'?', VGA_RED, "lost"},
};

/* Frames of each use the page tables name, per cell. */
static uint32_t tally[FRAMEMAP_CELLS][FRAMEMAP_KINDS];

struct walk {
	uintptr_t per_cell;
};

static void count_use(uintptr_t pa, enum vm_use use, void *ctx)
{
	const struct walk *w = ctx;
	size_t cell = (size_t)(pa / FRAME_SIZE / w->per_cell);
	static const enum framemap_kind kind_of[] = {
	    [VM_USE_TABLE] = FRAMEMAP_TABLES,
	    [VM_USE_HEAP] = FRAMEMAP_HEAP,
	    [VM_USE_KERNEL] = FRAMEMAP_KSPACE};

	if (cell < FRAMEMAP_CELLS && frame_is_ram(pa) && !frame_is_free(pa))
		tally[cell][kind_of[use]]++;
}

void framemap_build(struct framemap *m)
{
	uintptr_t top = 0, ks = (uintptr_t)__kernel_start,
		  ke = (uintptr_t)__kernel_end;
	struct walk w;

	memset(m, 0, sizeof(*m));
	memset(tally, 0, sizeof(tally));
	for (uint32_t f = FRAME_MAX; f > 0; f--)
		if (frame_is_ram((uintptr_t)(f - 1) * FRAME_SIZE)) {
			top = f;
			break;
		}
	if (top < ke / FRAME_SIZE)
		top = ke / FRAME_SIZE;
	w.per_cell = (top + FRAMEMAP_CELLS - 1) / FRAMEMAP_CELLS;
	m->frames_per_cell = w.per_cell;
	m->cells = (size_t)((top + w.per_cell - 1) / w.per_cell);
	vm_walk_frames(count_use, &w);

	for (size_t c = 0; c < m->cells; c++) {
		uint32_t *t = tally[c];
		uint32_t used = 0, known, best = 0, total = 0;

		for (uintptr_t f = c * w.per_cell;
		     f < (c + 1) * w.per_cell && f < top; f++) {
			uintptr_t pa = f * FRAME_SIZE;

			if (pa >= ks && pa < ke)
				t[FRAMEMAP_KERNEL]++;
			else if (!frame_is_ram(pa))
				t[FRAMEMAP_NONE]++;
			else if (frame_is_free(pa))
				t[FRAMEMAP_FREE]++;
			else
				used++;
		}
		known =
		    t[FRAMEMAP_TABLES] + t[FRAMEMAP_HEAP] + t[FRAMEMAP_KSPACE];
		t[FRAMEMAP_LOST] = used > known ? used - known : 0;
		for (unsigned k = 0; k < FRAMEMAP_KINDS; k++) {
			m->count[k] += t[k];
			total += t[k];
			if (t[k] > best) {
				best = t[k];
				m->cell[c] = (uint8_t)k;
			}
		}
		m->mixed[c] = best * 4 < total * 3;
	}
}

static void legend(char *buf, size_t cap)
{
	size_t at = 0;

	for (unsigned k = 0; k < FRAMEMAP_KINDS && at < cap; k++)
		at +=
		    (size_t)ksnprintf(buf + at, cap - at, "%s'%c' %s",
				      k ? " " : "", kinds[k].ch, kinds[k].name);
	if (at < cap)
		ksnprintf(buf + at, cap - at, " '+' mixed");
}

static void summary(const struct framemap *m, char *buf, size_t cap)
{
	ksnprintf(buf, cap,
		  "framemap: %zu free, %zu heap, %zu page tables, %zu kernel "
		  "space, %zu kernel image, %zu lost",
		  m->count[FRAMEMAP_FREE], m->count[FRAMEMAP_HEAP],
		  m->count[FRAMEMAP_TABLES], m->count[FRAMEMAP_KSPACE],
		  m->count[FRAMEMAP_KERNEL], m->count[FRAMEMAP_LOST]);
}

void framemap_print(const struct framemap *m)
{
	char buf[200], leg[160];

	legend(leg, sizeof(leg));
	ksnprintf(buf, sizeof(buf),
		  "framemap: physical memory, %lu frame(s) of 4 KiB a cell: %s",
		  (unsigned long)m->frames_per_cell, leg);
	serial_put_line(buf);
	for (size_t row = 0; row * FRAMEMAP_COLS < m->cells; row++) {
		size_t first = row * FRAMEMAP_COLS;
		uint64_t pa = (uint64_t)first * m->frames_per_cell * FRAME_SIZE;
		int at = ksnprintf(buf, sizeof(buf), "  0x%08llx ",
				   (unsigned long long)pa);

		for (size_t n = 0; n < FRAMEMAP_COLS && first + n < m->cells;
		     n++)
			buf[at++] = m->mixed[first + n]
					? '+'
					: kinds[m->cell[first + n]].ch;
		buf[at] = 0;
		serial_put_line(buf);
	}
	summary(m, buf, sizeof(buf));
	serial_put_line(buf);
}

void framemap_draw_vga(const struct framemap *m)
{
	char buf[96];
	unsigned col = 1;

	for (unsigned r = 0; r < FRAMEMAP_ROWS + 4; r++)
		for (unsigned c = 0; c < VGA_COLS; c++)
			vga_put_at(c, r, ' ', r ? TEXT : TITLE);
	ksnprintf(buf, sizeof(buf),
		  "frame map: physical memory, %lu frames "
		  "a cell",
		  (unsigned long)m->frames_per_cell);
	vga_put_text(1, 0, buf, TITLE);
	for (size_t i = 0; i < m->cells; i++) {
		unsigned c = (unsigned)(i % FRAMEMAP_COLS),
			 r = (unsigned)(1 + i / FRAMEMAP_COLS);
		enum vga_color fg = kinds[m->cell[i]].color;

		if (m->mixed[i])
			vga_put_at(c, r, CH_UPPER_HALF,
				   vga_attr(fg, VGA_DARK_GREY));
		else
			vga_put_at(c, r, ' ', vga_attr(VGA_LIGHT_GREY, fg));
	}
	for (unsigned k = 1; k < FRAMEMAP_KINDS; k++) {
		col = vga_put_text(col, FRAMEMAP_ROWS + 1, "  ",
				   vga_attr(VGA_LIGHT_GREY, kinds[k].color));
		col = vga_put_text(col + 1, FRAMEMAP_ROWS + 1, kinds[k].name,
				   TEXT) +
		      2;
	}
	summary(m, buf, sizeof(buf));
	vga_put_text(1, FRAMEMAP_ROWS + 2, buf + 10, TEXT);
	vga_set_console_top(FRAMEMAP_ROWS + 4);
}
