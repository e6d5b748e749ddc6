/*
 * vga.h - the 80x25 VGA text console.
 */
#ifndef KERNEL_VGA_H
#define KERNEL_VGA_H

#include <stdint.h>

#define VGA_COLS 80
#define VGA_ROWS 25

/* The 16 text-mode colours. Only the first 8 may be a background: the
 * attribute's top bit means blink, not bright. */
enum vga_color {
	VGA_BLACK = 0,
	VGA_BLUE = 1,
	VGA_GREEN = 2,
	VGA_CYAN = 3,
	VGA_RED = 4,
	VGA_MAGENTA = 5,
	VGA_BROWN = 6,
	VGA_LIGHT_GREY = 7,
	VGA_DARK_GREY = 8,
	VGA_LIGHT_BLUE = 9,
	VGA_LIGHT_GREEN = 10,
	VGA_LIGHT_CYAN = 11,
	VGA_LIGHT_RED = 12,
	VGA_LIGHT_MAGENTA = 13,
	VGA_YELLOW = 14,
	VGA_WHITE = 15,
};

static inline uint8_t vga_attr(enum vga_color fg, enum vga_color bg)
{
	return (uint8_t)(fg | bg << 4);
}

void vga_init(void);
void vga_set_color(enum vga_color fg, enum vga_color bg);
void vga_putc(char c);

/* One cell, written directly: the console's cursor and colour stay. ch is
 * a code page 437 character (0xb0-0xb2 are the shades, 0xdb the block). */
void vga_put_at(unsigned col, unsigned row, unsigned char ch, uint8_t attr);

/* From now on the console prints only in rows top..VGA_ROWS-1, which are
 * cleared, and scrolls there: a picture drawn above stays on screen while
 * the kernel goes on printing. */
void vga_set_console_top(unsigned top);
/* s from column col of row, cut at the screen's edge; returns the column
 * after it. */
unsigned vga_put_text(unsigned col, unsigned row, const char *s, uint8_t attr);

#endif
