/*
 * stamp.h - fill a block with bytes that name it, and find later the first
 * byte that no longer does.
 *
 * A stamp is derived from a 64-bit tag: any seed, or stamp_tag(owner, seq).
 * Word k of a stamp, bytes 8k..8k+7 from the block's start whatever its
 * alignment, in the machine's byte order, is
 *
 *     mix(tag + (k + 1) * WORD_STEP)        mix: a bijection that spreads bits
 *
 * so that
 *   - byte i depends on the tag and i alone, not on the block's length:
 *     the first n bytes of a longer stamp verify as a stamp of n bytes
 *     (realloc keeps a prefix);
 *   - different tags, and one tag at different offsets (a copy shifted by
 *     any number of bytes), agree at about one byte in 256: a block that
 *     overlaps its neighbour, was moved, or holds the heap's own words
 *     reads back wrong within its first few bytes;
 *   - word 0 leads back to the tag (stamp_whose): a message can say whose
 *     stamp lies where another's should.
 * Words, not bytes: the stress tests stamp gigabytes.
 *
 * A fill of one byte value (calloc's zeros, the heap's junk) names no one;
 * stamp_find_other checks it the same way.
 *
 * Freestanding (<stddef.h>, <stdint.h>, no C library): the kernel's self-
 * tests link this file too.
 */
#ifndef TESTS_COMMON_STAMP_H
#define TESTS_COMMON_STAMP_H

#include <stddef.h>
#include <stdint.h>

/* stamp_tag's fields: owner in the top 16 bits, seq in the low 48. */
#define STAMP_SEQ_BITS 48

/* A tag distinct for every owner < 2^16 and seq < 2^48 (seq is cut to
 * its low 48 bits). */
uint64_t stamp_tag(unsigned owner, uint64_t seq);
/* The fields of a tag made by stamp_tag. */
unsigned stamp_owner(uint64_t tag);
uint64_t stamp_seq(uint64_t tag);

/* Writes the stamp of tag over the n bytes at p. */
void stamp_fill(void *p, size_t n, uint64_t tag);
/* Offset of the first of the n bytes at p that is not the stamp's, or n
 * when all are. */
size_t stamp_find_damage(const void *p, size_t n, uint64_t tag);
/* Non-zero when all n bytes at p hold the stamp. */
int stamp_intact(const void *p, size_t n, uint64_t tag);
/* The byte the stamp of tag puts at offset i, for messages. */
unsigned char stamp_byte(uint64_t tag, size_t i);
/* The tag whose stamp starts with the 8 bytes at p (any 8 bytes name some
 * tag: only meaningful when they are a stamp's word 0). */
uint64_t stamp_whose(const void *p);

/* Offset of the first of the n bytes at p that is not byte, or n. */
size_t stamp_find_other(const void *p, size_t n, unsigned char byte);
/* Non-zero when all n bytes at p are byte. */
int stamp_uniform(const void *p, size_t n, unsigned char byte);

#endif
