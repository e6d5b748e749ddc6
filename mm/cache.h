/*
 * cache.h - per-CPU caches of small blocks, and the depot behind them.
 * Nothing outside mm/ includes this.
 *
 * With HEAP_CACHES, every CPU (kernel) or thread (host) that uses a heap
 * gets a struct mm_cache inside that heap: for each small block size, up
 * to two batches of free blocks that only it touches, so that most
 * allocations and frees take no lock at all (Bonwick and Adams' magazines,
 * with linked lists for magazines):
 *
 *   CPU 0 cache            CPU 1 cache             depot (heap lock)
 *   class k: head -> b -> b   class k: head -> b      class k: batch -> batch
 *            spare -> b -> b -> b ...  spare (none)
 *
 * alloc takes the head of its class; when head is empty and spare full,
 * the two swap; when both are empty, a full batch comes from the depot or
 * is carved out of the heap, under the lock. free pushes onto head; when
 * head is full, it becomes the spare; when both are full, the spare goes
 * to the depot, under the lock. So the lock is taken at most once per
 * batch of operations, whichever CPU frees what another allocated.
 *
 * A block in a cache or in the depot keeps its header and says so in its
 * meta word (META_CACHED, keyed like every meta): freeing it again is a
 * double free, heap_check and heap_walk count it as cached. Its payload
 * holds the link to the next block of its batch, and, at the head of a
 * batch in the depot, the link to the next batch.
 *
 * A cache holds at most its budget of bytes, the depot a bounded number of
 * batches per class: the rest goes back to the heap, which merges it.
 * When the heap runs out, the depot and the allocating CPU's cache go
 * back first, and every other cache at its next operation.
 */
#ifndef MM_CACHE_H
#define MM_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bitops.h"
#include "block.h"
#include "heap.h"

/*
 * Classes, by payload: every 16 bytes up to 1 KiB (a request gets exactly
 * its rounded size), then 8 to each power of two up to 4 KiB (a request is
 * rounded up to the next, at most 1/8 more; the step, at most 256 bytes,
 * keeps the slack in meta's 8 bits). A block is cached only when its
 * payload is exactly a class's.
 */
#define CACHE_FINE_PAYLOAD 1024u
#define CACHE_FINE_CLASSES (CACHE_FINE_PAYLOAD / HEAP_ALIGN)
#define CACHE_MAX_PAYLOAD  4096u
#define CACHE_MAX_BLOCK	   (HDR_SIZE + CACHE_MAX_PAYLOAD)
#define CACHE_CLASSES	   (CACHE_FINE_CLASSES + 16u)

/* the top octave's step is CACHE_MAX_PAYLOAD / 16 */
_Static_assert(CACHE_MAX_PAYLOAD / 16 <= META_SLACK_MASK + 1,
	       "a coarse class's rounding fits meta's slack field");

/*
 * A batch is about batch bytes, and 4 to 32 blocks; batch bytes are the
 * heap's size / 512, within these bounds, so that a small heap does not
 * vanish into caches.
 */
#define CACHE_BATCH_BYTES_MIN 256u
#define CACHE_BATCH_BYTES_MAX 4096u
#define CACHE_BATCH_MIN	      4u
#define CACHE_BATCH_MAX	      32u

/*
 * What a cache's spare batches may hold: the heap's size / 64, within
 * these bounds. The heads of its bins add at most a batch each.
 */
#define CACHE_BUDGET_MIN ((size_t)8 << 10)
#define CACHE_BUDGET_MAX ((size_t)256 << 10)

/* How many times an allocation that failed looks (lock, relax) for the
 * other caches to give back before it gives up (mm_wait_for_caches): on
 * the host, with relax a sched_yield, some 20 to 40 ms, time enough for a
 * busy thread on a loaded machine to be scheduled and make its call. */
#define CACHE_WAIT_ROUNDS 20000u
/* How many times it tries, waiting between tries (others may have taken
 * what the caches gave back before it looked). */
#define CACHE_WAIT_TRIES 4u

/* A cache (and the depot, with the first) is made only while the heap has
 * this many times its size free. */
#define CACHE_ROOM 4u

/* Full batches the depot keeps per class before the heap takes them. */
#define DEPOT_BATCHES 64u

#define CACHE_MAGIC ((uintptr_t)0x63616368u) /* "cach" */

/*
 * Without the local hook a CPU or thread cannot be told apart, so caches
 * are shards: CACHE_SHARDS of them per heap, each picked by the address of
 * the caller's stack and used by whoever takes its busy word - one atomic
 * exchange a call instead of none, and a busy shard sends the call to the
 * heap's lock. Shards belong to nobody: any thread, or process sharing the
 * heap, may take one, and a drain can empty them all.
 */
#define CACHE_SHARDS 16u
#define CACHE_SHARD  (~0u) /* owner of a shard */

struct cache_bin {
	struct block *head;  /* up to a batch, linked through payload word 0 */
	struct block *spare; /* NULL, or exactly a batch */
	/* written by the owner only; read by heap_get_stats() anywhere */
	atomic_uint count;  /* blocks at head */
	atomic_uint spares; /* blocks at spare: 0 or batch */
	unsigned batch;	    /* blocks in a full batch of this class */
};

struct mm_cache {
	uintptr_t magic;
	struct heap *heap;
	struct mm_cache *next; /* the heap's caches, in claim order (lock) */
	atomic_uint owner;     /* cpu_id() + 1 of its CPU or thread, 0: free,
				  CACHE_SHARD: a shard */
	atomic_uint busy;      /* a shard's: 1 while a thread uses it */
	unsigned index;	       /* 0, 1, ...: the order it was made in */
	unsigned drained;      /* heap drain_gen when it last gave all back */
	size_t budget;	       /* bytes its spare batches may hold */
	size_t spare_bytes;    /* bytes its spare batches hold */

	/* read by heap_get_stats() from any CPU, written by the owner */
	_Atomic intptr_t requested; /* bytes asked for through it, net */

	struct heap_cache_stats st; /* the owner's alone */
	struct cache_bin bins[CACHE_CLASSES];
};

struct depot_class {
	struct block *full; /* batches, linked through payload word 1 */
	unsigned batches;
	unsigned batch; /* blocks in each */
};

/* The class a request of n bytes (n <= CACHE_MAX_PAYLOAD) comes from. */
static inline unsigned cache_class_of(size_t n)
{
	unsigned f;

	if (n <= CACHE_FINE_PAYLOAD)
		return n ? (unsigned)((n - 1) / HEAP_ALIGN) : 0;
	f = bit_fls(n - 1); /* 10 or 11 */
	return CACHE_FINE_CLASSES + ((f - 10) << 3) +
	       (unsigned)(((n - 1) >> (f - 3)) & 7);
}

static inline size_t cache_class_payload(unsigned k)
{
	unsigned j, f;

	if (k < CACHE_FINE_CLASSES)
		return (size_t)(k + 1) * HEAP_ALIGN;
	j = k - CACHE_FINE_CLASSES;
	f = 10 + (j >> 3);
	return ((size_t)1 << f) + ((size_t)((j & 7) + 1) << (f - 3));
}

/* Whole block of class k, header included. */
static inline size_t cache_class_size(unsigned k)
{
	return HDR_SIZE + cache_class_payload(k);
}

static inline unsigned cache_batch(unsigned k, size_t batch_bytes)
{
	size_t n = batch_bytes / cache_class_size(k);

	return n < CACHE_BATCH_MIN   ? CACHE_BATCH_MIN
	       : n > CACHE_BATCH_MAX ? CACHE_BATCH_MAX
				     : (unsigned)n;
}

/* The links a cached block keeps in its payload. */
static inline struct block **cached_next(const struct block *b)
{
	return (struct block **)block_payload(b);
}

static inline struct block **batch_next(const struct block *b)
{
	return (struct block **)block_payload(b) + 1;
}

#endif
