/*
 * vga.c - text mode console on the VGA buffer at 0xB8000.
 *
 * Each cell is a 16-bit word: character in the low byte, colour attribute
 * in the high byte. The buffer is identity-mapped (paging is off).
 */
#include "kernel/vga.h"

#include <stddef.h>

#include "kernel/io.h"

#define VGA_BUFFER 0xB8000u
#define TAB_WIDTH  8

/* CRT controller: index/data ports and the cursor location registers. */
#define CRTC_INDEX     0x3D4
#define CRTC_DATA      0x3D5
#define CRTC_CURSOR_HI 0x0E
#define CRTC_CURSOR_LO 0x0F

static volatile uint16_t *const vga_buf = (volatile uint16_t *)VGA_BUFFER;
static size_t row, col;
static size_t top; /* first row the console may use (vga_set_console_top) */
static uint8_t attr = VGA_LIGHT_GREY | VGA_BLACK << 4;

static uint16_t cell(char c)
{
	return (uint16_t)((unsigned char)c | attr << 8);
}

static void move_cursor(void)
{
	uint16_t pos = (uint16_t)(row * VGA_COLS + col);

	outb(CRTC_INDEX, CRTC_CURSOR_HI);
	outb(CRTC_DATA, (uint8_t)(pos >> 8));
	outb(CRTC_INDEX, CRTC_CURSOR_LO);
	outb(CRTC_DATA, (uint8_t)pos);
}

static void clear_row(size_t r)
{
	for (size_t c = 0; c < VGA_COLS; c++)
		vga_buf[r * VGA_COLS + c] = cell(' ');
}

static void scroll(void)
{
	for (size_t i = top * VGA_COLS; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		vga_buf[i] = vga_buf[i + VGA_COLS];
	clear_row(VGA_ROWS - 1);
	row = VGA_ROWS - 1;
}

void vga_init(void)
{
	for (size_t r = 0; r < VGA_ROWS; r++)
		clear_row(r);
	row = col = top = 0;
	move_cursor();
}

void vga_set_color(enum vga_color fg, enum vga_color bg)
{
	attr = vga_attr(fg, bg);
}

void vga_put_at(unsigned c, unsigned r, unsigned char ch, uint8_t a)
{
	if (c < VGA_COLS && r < VGA_ROWS)
		vga_buf[r * VGA_COLS + c] = (uint16_t)(ch | a << 8);
}

unsigned vga_put_text(unsigned c, unsigned r, const char *s, uint8_t a)
{
	for (; *s && c < VGA_COLS; s++)
		vga_put_at(c++, r, (unsigned char)*s, a);
	return c;
}

void vga_set_console_top(unsigned r)
{
	top = r < VGA_ROWS ? r : VGA_ROWS - 1;
	for (size_t i = top; i < VGA_ROWS; i++)
		clear_row(i);
	row = top;
	col = 0;
	move_cursor();
}

static void newline(void)
{
	col = 0;
	if (++row == VGA_ROWS)
		scroll();
}

void vga_putc(char c)
{
	switch (c) {
	case '\n':
		newline();
		break;
	case '\r':
		col = 0;
		break;
	case '\t':
		do
			vga_putc(' ');
		while (col % TAB_WIDTH != 0);
		return;
	case '\b':
		if (col > 0)
			col--;
		break;
	default:
		vga_buf[row * VGA_COLS + col] = cell(c);
		if (++col == VGA_COLS)
			newline();
	}
	move_cursor();
}
