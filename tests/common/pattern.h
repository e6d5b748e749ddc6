/*
 * pattern.h - fill a block with bytes derived from a seed, verify them later.
 *
 * Neighbouring blocks get different seeds, so a block that overlaps another,
 * or a header written over a payload, shows up as a mismatch.
 */
#ifndef TESTS_COMMON_PATTERN_H
#define TESTS_COMMON_PATTERN_H

#include <stddef.h>
#include <stdint.h>

void pattern_fill(void *p, size_t n, uint32_t seed);
/* Index of the first byte that differs from the pattern, or n if none. */
size_t pattern_find_damage(const void *p, size_t n, uint32_t seed);
/* Non-zero when all n bytes hold the pattern. */
int pattern_intact(const void *p, size_t n, uint32_t seed);
/* Non-zero when all n bytes equal value. */
int bytes_all(const void *p, size_t n, unsigned char value);

#endif
