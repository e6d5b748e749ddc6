/*
 * size.h - byte counts for people: "639 KiB", "3071 MiB".
 */
#ifndef KERNEL_SIZE_H
#define KERNEL_SIZE_H

#include <stdint.h>

/* Prints bytes in the largest unit that keeps the number exact or under
 * 10000 (rounding down). width > 0 right-aligns the number in that many
 * columns and pads the unit to 3, so tables line up. */
void print_size(uint64_t bytes, int width);

#endif
