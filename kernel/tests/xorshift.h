/*
 * xorshift.h - the one pseudo-random generator of the kernel's tests
 * (Marsaglia's xorshift32, shifts 13, 17, 5): a few instructions, no
 * state beyond one word, and the same sequence on every boot and every
 * host, so that a failure reproduces. Never 0 once started from non-zero.
 */
#ifndef KERNEL_TESTS_XORSHIFT_H
#define KERNEL_TESTS_XORSHIFT_H

#include <stdint.h>

/* The next number from *state (which must not be 0), and the new state. */
static inline uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

#endif
