/*
 * vga.h - the 80x25 VGA text console.
 */
#ifndef KERNEL_VGA_H
#define KERNEL_VGA_H

#include <stdint.h>

enum vga_color {
	VGA_BLACK = 0,
	VGA_RED = 4,
	VGA_LIGHT_GREY = 7,
	VGA_LIGHT_GREEN = 10,
	VGA_LIGHT_RED = 12,
	VGA_WHITE = 15,
};

void vga_init(void);
void vga_set_color(enum vga_color fg, enum vga_color bg);
void vga_putc(char c);

#endif
