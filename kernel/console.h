/*
 * console.h - kernel output, to the serial line and the VGA screen at once.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t len);

#endif
