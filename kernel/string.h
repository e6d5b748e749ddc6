/*
 * string.h - the C string functions the kernel and the compiler need.
 *
 * GCC may emit calls to memcpy, memmove, memset and memcmp even in
 * freestanding code (struct copies, zeroing), so they must exist here
 * with their standard names.
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
