/*
 * kprintf.h - formatted output for the kernel.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, with the length modifiers
 * hh h l ll z, the flags '-' and '0', a width (number or *) and, for %s,
 * a precision (number or *). %p prints 0x and 8 hex digits (addresses
 * are 32-bit here).
 */
#ifndef KERNEL_KPRINTF_H
#define KERNEL_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

#define KPRINTF_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))

/* To the console; returns the number of characters written. */
int kprintf(const char *fmt, ...) KPRINTF_FORMAT(1, 2);
int kvprintf(const char *fmt, va_list ap);

/* To buf, always NUL-terminated when size > 0; returns the length the full
 * output would have had, like snprintf. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    KPRINTF_FORMAT(3, 4);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
