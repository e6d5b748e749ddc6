/*
 * stamp.h - mark a block as its owner's, and check the mark later.
 *
 * A stamp covers every usable byte of a block with words derived from the
 * owner and the block's sequence number and from each word's position. Two
 * blocks never share a stamp, so a block that was also handed to someone
 * else, or that the heap wrote its own metadata into, no longer verifies.
 * Words, not bytes: the stress tests stamp gigabytes, and must stay fast.
 */
#ifndef TESTS_STRESS_STAMP_H
#define TESTS_STRESS_STAMP_H

#include <stddef.h>
#include <stdint.h>

/* A stamp's identity: distinct for every (owner, seq) with seq < 2^48. */
uint64_t stamp_tag(unsigned owner, uint64_t seq);

void stamp_fill(void *p, size_t n, uint64_t tag);
/* Offset of the first byte that is not the stamp's, or n if none. */
size_t stamp_find_damage(const void *p, size_t n, uint64_t tag);
/* The byte the stamp puts at offset i, for messages. */
unsigned char stamp_byte(uint64_t tag, size_t i);

#endif
