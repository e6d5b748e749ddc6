/*
 * block.h - the block: header layout and the integrity check.
 *
 * A region of a heap is tiled by blocks, in address order, and ends in a
 * sentinel (a header with no payload, never free) so that merging can never
 * run past the region:
 *
 *   | struct region | block | block | ... | block | sentinel |
 *
 * A block is a header followed by its payload. Every field is one machine
 * word, so the header is 16 bytes on i386 and 32 on x86_64, and a block that
 * starts 16-aligned has a 16-aligned payload:
 *
 *   block                                                   payload (ptr)
 *   v                                                       v
 *   +-------------+-------------+-------------+-------------+------------
 *   | check       | size | flags| prev        | meta        | data ...
 *   +-------------+-------------+-------------+-------------+------------
 *                                             free block:   | next | prev |
 *                                                           (free list)
 *
 *   check  keyed hash of the other three fields and the block's address
 *   size   bytes of the whole block, header included (multiple of 16);
 *          bit 0: free, bit 1: sentinel, bit 2: quarantined (free, but
 *          not yet on a free list)
 *   prev   the block just before this one in memory; NULL for the first
 *   meta   in-use blocks: slack (payload - requested) and alignment shift
 *
 * check comes first so that a small overflow off the end of the previous
 * block ruins only the check: size and prev survive, and the damage can be
 * reported with the real neighbours named. The next block is always at
 * (char *)block + size, so the list is walkable both ways.
 */
#ifndef MM_BLOCK_H
#define MM_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "heap.h"

struct block {
	uintptr_t check;
	uintptr_t size;
	struct block *prev;
	uintptr_t meta;
};

/* Free blocks keep their list links at the start of the payload. */
struct free_links {
	struct block *next;
	struct block *prev;
};

#define BLOCK_FREE	  ((uintptr_t)1)
#define BLOCK_SENTINEL	  ((uintptr_t)2)
#define BLOCK_QUARANTINED ((uintptr_t)4)
#define BLOCK_FLAGS	  ((uintptr_t)(HEAP_ALIGN - 1))

#define HDR_SIZE ((size_t)sizeof(struct block))
/* The payload of a free block must hold its links. */
#define MIN_PAYLOAD ((size_t)HEAP_ALIGN)
#define MIN_BLOCK   (HDR_SIZE + MIN_PAYLOAD)

/* meta of a used block: low 16 bits slack, next 8 bits log2(alignment). */
#define META_SLACK_MASK	 ((uintptr_t)0xffff)
#define META_ALIGN_SHIFT 16

_Static_assert(sizeof(struct block) % HEAP_ALIGN == 0,
	       "header must keep payloads aligned");
_Static_assert(sizeof(struct block) == 4 * sizeof(uintptr_t),
	       "header is four words: 16 bytes on i386, 32 on x86_64");
_Static_assert(sizeof(struct free_links) <= MIN_PAYLOAD,
	       "a minimal payload must hold the free-list links");

static inline uintptr_t round_up(uintptr_t x, uintptr_t align)
{
	return (x + align - 1) & ~(align - 1);
}

static inline uintptr_t round_down(uintptr_t x, uintptr_t align)
{
	return x & ~(align - 1);
}

static inline size_t block_size(const struct block *b)
{
	return (size_t)(b->size & ~BLOCK_FLAGS);
}

static inline int block_is_free(const struct block *b)
{
	return (b->size & BLOCK_FREE) != 0;
}

/* Free and on a free list: the only kind of block a neighbour may merge. */
static inline int block_is_listed(const struct block *b)
{
	return (b->size & (BLOCK_FREE | BLOCK_QUARANTINED)) == BLOCK_FREE;
}

static inline int block_is_sentinel(const struct block *b)
{
	return (b->size & BLOCK_SENTINEL) != 0;
}

static inline size_t block_payload_size(const struct block *b)
{
	return block_size(b) - HDR_SIZE;
}

/* Bytes the owner asked for: the payload less the slack kept in meta. */
static inline size_t block_requested(const struct block *b)
{
	return block_payload_size(b) - (size_t)(b->meta & META_SLACK_MASK);
}

static inline struct block *block_next(const struct block *b)
{
	return (struct block *)((uintptr_t)b + block_size(b));
}

static inline void *block_payload(const struct block *b)
{
	return (void *)((uintptr_t)b + HDR_SIZE);
}

static inline struct block *block_from_payload(const void *p)
{
	return (struct block *)((uintptr_t)p - HDR_SIZE);
}

static inline uintptr_t block_end(const struct block *b)
{
	return (uintptr_t)b + block_size(b);
}

static inline struct free_links *block_links(const struct block *b)
{
	return (struct free_links *)block_payload(b);
}

/*
 * Each step (h ^ field) * odd is a bijection in the field, and the final
 * xor-shift, multiply, xor-shift is a bijection too, so changing any single
 * field (by any number of bits) always changes the hash; several fields at
 * once slip through with probability 2^-wordbits. The secret makes a header
 * impossible to forge without reading one first. The finaliser matters: a
 * multiply only carries upwards, so without the shift-then-multiply a flip
 * of a field's top bit would flip fixed, predictable bits of the result
 * (the fault fuzzer forged such a header without the secret).
 */
static inline uintptr_t block_hash(uintptr_t secret, const struct block *b)
{
#if UINTPTR_MAX > 0xffffffffu
	const uintptr_t k = (uintptr_t)0x9e3779b97f4a7c15u;
	const uintptr_t k2 = (uintptr_t)0xbf58476d1ce4e5b9u;
	const unsigned half = 32;
#else
	const uintptr_t k = (uintptr_t)0x9e3779b1u;
	const uintptr_t k2 = (uintptr_t)0x85ebca6bu;
	const unsigned half = 16;
#endif
	uintptr_t h = secret ^ (uintptr_t)b;

	h = (h ^ b->size) * k;
	h = (h ^ (uintptr_t)b->prev) * k;
	h = (h ^ b->meta) * k;
	h ^= h >> half;
	h *= k2;
	return h ^ (h >> (half - 3));
}

static inline void block_seal(uintptr_t secret, struct block *b)
{
	b->check = block_hash(secret, b);
}

static inline int block_intact(uintptr_t secret, const struct block *b)
{
	return b->check == block_hash(secret, b);
}

#endif
