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

#include "block.h"
#include "heap.h"

/* Payloads up to this size are cached: one class per 16 bytes. */
#define CACHE_MAX_PAYLOAD 1024u
#define CACHE_MAX_BLOCK	  (HDR_SIZE + CACHE_MAX_PAYLOAD)
#define CACHE_CLASSES	  ((CACHE_MAX_BLOCK - MIN_BLOCK) / HEAP_ALIGN + 1)

/*
 * A batch is about batch bytes, and 4 to 32 blocks; batch bytes are the
 * heap's size / 512, within these bounds, so that a small heap does not
 * vanish into caches.
 */
#define CACHE_BATCH_BYTES_MIN 256u
#define CACHE_BATCH_BYTES_MAX 2048u
#define CACHE_BATCH_MIN	      4u
#define CACHE_BATCH_MAX	      32u

/*
 * What a cache's spare batches may hold: the heap's size / 64, within
 * these bounds. The heads of its bins add at most a batch each.
 */
#define CACHE_BUDGET_MIN ((size_t)8 << 10)
#define CACHE_BUDGET_MAX ((size_t)256 << 10)

/* Full batches the depot keeps per class before the heap takes them. */
#define DEPOT_BATCHES 4u

#define CACHE_MAGIC ((uintptr_t)0x63616368u) /* "cach" */

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
	atomic_uint owner;     /* cpu_id() + 1 of its CPU or thread, 0: free */
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

/* Class of a block of exactly `size` bytes (MIN_BLOCK..CACHE_MAX_BLOCK). */
static inline unsigned cache_class(size_t size)
{
	return (unsigned)((size - MIN_BLOCK) / HEAP_ALIGN);
}

static inline size_t cache_class_size(unsigned k)
{
	return MIN_BLOCK + (size_t)k * HEAP_ALIGN;
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
