/*
 * console.c - fans every character out to serial and VGA.
 *
 * Serial is what the boot test and `make run` read; VGA is what a person
 * watching a QEMU window (or real hardware) sees.
 */
#include "kernel/console.h"

#include "kernel/serial.h"
#include "kernel/vga.h"

void console_init(void)
{
	serial_init();
	vga_init();
}

void console_putc(char c)
{
	serial_putc(c);
	vga_putc(c);
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
}
