/*
 * block.h - the block: header layout and the integrity checks.
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
 *                                             cached block: | next | batch|
 *
 *   check  keyed hash of size|flags and the block's address
 *   size   bytes of the whole block, header included (multiple of 16);
 *          bit 0: free, bit 1: sentinel, bit 2: quarantined (free, but
 *          not yet on a free list)
 *   prev   the block just before this one in memory; NULL for the first
 *   meta   who holds a block the heap gave out, with its own keyed check:
 *          a caller (slack = payload - requested, alignment), a CPU's
 *          cache, or the heap itself (a cache's own memory)
 *
 * Each word is checked on its own, so that each can change without the
 * others: check covers size and flags, which only the block's holder
 * changes, under the heap's lock. prev is rewritten by operations on the
 * neighbour before it, under the lock; it is checked by what it must
 * name, a genuine block that ends where this one starts. meta changes
 * without the lock when a per-CPU cache takes a block in or hands it out,
 * in one store, so a reader anywhere sees either the old word or the new,
 * and both verify.
 *
 * check comes first so that a small overflow off the end of the previous
 * block ruins the check: size and prev survive, and the damage can be
 * reported with the real neighbours named. The next block is always at
 * (char *)block + size, so the list is walkable both ways.
 */
#ifndef MM_BLOCK_H
#define MM_BLOCK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"

struct block {
	uintptr_t check;
	uintptr_t size;
	struct block *prev;
	_Atomic uintptr_t meta;
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

/*
 * meta: the low META_BITS hold what is known about the block, the rest a
 * keyed check of those bits and the block's address. For a caller's block,
 * 8 bits of slack (payload - requested: below MIN_BLOCK + 2 * HEAP_ALIGN,
 * since a larger tail is split off) and 5 bits of log2(alignment). The
 * alignment field's top value marks the two other holders.
 */
#define META_BITS	 13u
#define META_SLACK_MASK	 ((uintptr_t)0xff)
#define META_ALIGN_SHIFT 8u
#define META_ALIGN_MASK	 ((uintptr_t)0x1f)
#define META_HOLDER	 (META_ALIGN_MASK << META_ALIGN_SHIFT)
#define META_CACHED	 (META_HOLDER | 1u) /* in a per-CPU cache or depot */
#define META_INTERNAL	 (META_HOLDER | 2u) /* the heap's own: a cache */
#define META_DATA_MASK	 (((uintptr_t)1 << META_BITS) - 1)

_Static_assert(sizeof(struct block) % HEAP_ALIGN == 0,
	       "header must keep payloads aligned");
_Static_assert(sizeof(struct block) == 4 * sizeof(uintptr_t),
	       "header is four words: 16 bytes on i386, 32 on x86_64");
_Static_assert(sizeof(struct free_links) <= MIN_PAYLOAD,
	       "a minimal payload must hold the free-list links");
_Static_assert(MIN_BLOCK + (size_t)2 * HEAP_ALIGN + HEAP_REDZONE <=
		   META_SLACK_MASK,
	       "the largest slack a block can keep fits its meta field");

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

/* Freed by its caller: free, or held by the quarantine (block_is_listed
 * tells the two apart). */
static inline int block_is_freed(const struct block *b)
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

#if UINTPTR_MAX > 0xffffffffu
#define HASH_K1	  ((uintptr_t)0x9e3779b97f4a7c15u)
#define HASH_K2	  ((uintptr_t)0xbf58476d1ce4e5b9u)
#define HASH_K3	  ((uintptr_t)0x94d049bb133111ebu)
#define HASH_HALF 32u
#else
#define HASH_K1	  ((uintptr_t)0x9e3779b1u)
#define HASH_K2	  ((uintptr_t)0x85ebca6bu)
#define HASH_K3	  ((uintptr_t)0xc2b2ae35u)
#define HASH_HALF 16u
#endif

/* The per-block key both checks start from: the address, keyed. */
static inline uintptr_t block_key(uintptr_t secret, const struct block *b)
{
	return (secret ^ (uintptr_t)b) * HASH_K1;
}

/*
 * xor-shift, multiply by an odd constant, xor-shift: each step is a
 * bijection, so changing x (by any number of bits) always changes the
 * result. The shifts matter: a multiply only carries upwards, so without
 * them a flip of a field's top bit would flip fixed, predictable bits of
 * the hash (the fault fuzzer forged such a header without the secret).
 */
static inline uintptr_t hash_finish(uintptr_t x)
{
	x ^= x >> HASH_HALF;
	x *= HASH_K2;
	return x ^ (x >> (HASH_HALF - 3));
}

/*
 * check: any change of size or flags always changes it (key ^ size is a
 * bijection in size, and so is the finish); a header copied to another
 * address gets another key. The secret makes a header impossible to forge
 * without reading one first.
 */
static inline uintptr_t block_hash(uintptr_t secret, const struct block *b)
{
	return hash_finish(block_key(secret, b) ^ b->size);
}

static inline void block_seal(uintptr_t secret, struct block *b)
{
	b->check = block_hash(secret, b);
}

static inline int block_intact(uintptr_t secret, const struct block *b)
{
	return b->check == block_hash(secret, b);
}

/*
 * meta for data (META_DATA_MASK bits), keyed to the block: the data, and
 * above it the top bits of a product that every data bit and the key's
 * high bits reach (data * K3 moves data upwards, the multiply by K2 mixes
 * it with the key). Cheaper than the check's finish: meta changes on every
 * cached allocation and free.
 */
static inline uintptr_t meta_make(uintptr_t key, uintptr_t data)
{
	return (((key ^ (data * HASH_K3)) * HASH_K2) & ~META_DATA_MASK) | data;
}

static inline uintptr_t block_meta(const struct block *b)
{
	return atomic_load_explicit(&b->meta, memory_order_relaxed);
}

static inline void block_set_meta(struct block *b, uintptr_t meta)
{
	atomic_store_explicit(&b->meta, meta, memory_order_relaxed);
}

/* The data bits of b's meta, or META_BAD when meta does not verify. */
#define META_BAD (~(uintptr_t)0)
static inline uintptr_t block_meta_data(uintptr_t secret, const struct block *b)
{
	uintptr_t m = block_meta(b);

	if (m != meta_make(block_key(secret, b), m & META_DATA_MASK))
		return META_BAD;
	return m & META_DATA_MASK;
}

/* A caller's block: slack and alignment, or a holder mark. */
static inline uintptr_t meta_used(size_t slack, unsigned align_log2)
{
	return (uintptr_t)slack | ((uintptr_t)align_log2 << META_ALIGN_SHIFT);
}

static inline int meta_is_callers(uintptr_t data)
{
	return (data & META_HOLDER) != META_HOLDER;
}

static inline size_t meta_slack(uintptr_t data)
{
	return (size_t)(data & META_SLACK_MASK);
}

static inline unsigned meta_align_log2(uintptr_t data)
{
	return (unsigned)((data >> META_ALIGN_SHIFT) & META_ALIGN_MASK);
}

#endif
