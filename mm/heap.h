/*
 * heap.h - heaps over caller-supplied memory.
 *
 * A heap lives inside the memory it manages: heap_create() puts the control
 * structure at the start of the first region and hands out the rest. Any
 * number of heaps can exist; each has its own lock, so every function here
 * may be called from several CPUs, threads or processes (when the memory is
 * shared) at once.
 *
 * Every pointer returned is aligned to HEAP_ALIGN bytes, or to the requested
 * alignment for heap_aligned_alloc(). Bad pointers passed to heap_free(),
 * heap_realloc() or heap_usable_size() are reported through the heap's fault
 * handler and otherwise ignored: the heap stays consistent and usable.
 *
 * mm/ is freestanding: it needs only the compiler's own headers.
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Alignment of every pointer the heap returns, on every target. */
#define HEAP_ALIGN 16u

/* Largest alignment heap_aligned_alloc() accepts. */
#define HEAP_MAX_ALIGN ((size_t)1 << 24)

/*
 * Flags for heap_create_flags(). Checking mode poisons freed memory and
 * verifies the poison before reuse (use after free), keeps a red zone with a
 * canary after every requested size (overflow), and fills new allocations
 * with HEAP_NEW_BYTE. The quarantine also delays the reuse of the last
 * HEAP_QUARANTINE_SLOTS freed blocks, so that late writes are still caught.
 */
#define HEAP_CHECKING	0x1u
#define HEAP_QUARANTINE 0x2u /* implies HEAP_CHECKING */
/*
 * Per-CPU (kernel) or per-thread (host) caches of small blocks (up to 4 KiB)
 * in front of the heap (mm/cache.h), so that most allocations and frees
 * take no lock. With the environment's local and cpu_id hooks (mm/hooks.h;
 * mm_host_init() and the kernel install them) each CPU or thread owns a
 * cache; without them the caches are shards any thread takes for one call,
 * with an atomic exchange. The checking mode bypasses the caches: it wants
 * every block under its eye. Blocks in caches are counted apart in the
 * stats (cached_blocks), not as used and not as free; heap_drain_caches()
 * gives them back, and an allocation that would fail does so first.
 */
#define HEAP_CACHES 0x4u

#define HEAP_FREE_BYTE	      0xdfu /* freed memory reads 0xdfdfdfdf... */
#define HEAP_NEW_BYTE	      0xa1u /* allocated, not yet written by the caller */
#define HEAP_CANARY_BYTE      0xcbu /* red zone after the requested bytes */
#define HEAP_REDZONE	      8u    /* at least this many canary bytes */
#define HEAP_QUARANTINE_SLOTS 64u

struct heap;

enum heap_fault_kind {
	HEAP_FAULT_DOUBLE_FREE,	    /* a block freed twice */
	HEAP_FAULT_INVALID_POINTER, /* a pointer the heap never returned */
	HEAP_FAULT_CORRUPTED,	    /* metadata damaged: header, links, sizes */
	HEAP_FAULT_USE_AFTER_FREE,  /* freed memory written (checking mode) */
	HEAP_FAULT_OVERFLOW,  /* write past the requested size (checking) */
	HEAP_FAULT_REENTERED, /* called from its own walk callback or fault
				 handler while holding its lock: refused */
	HEAP_FAULT_KINDS      /* number of kinds, not a kind */
};

struct heap_fault {
	enum heap_fault_kind kind;
	const void *ptr;   /* the pointer the caller passed, or NULL */
	const void *block; /* the block header involved, or NULL */
	uintptr_t
	    expected;	 /* what the heap expected to find, where it applies */
	uintptr_t found; /* what it found instead */
	size_t offset;	 /* byte offset of the damage inside the block */
	/* the return address of the call into the heap that found the fault:
	 * the code that freed twice, or whose allocation met the damage; NULL
	 * when unknown (a compiler without __builtin_return_address) */
	const void *caller;
	const char *what; /* one-line, human-readable message */
};

/*
 * Called with the heap's lock held. It may return (the operation is then
 * abandoned and the heap left as it was), or not return (panic, abort). A
 * call back into the same heap from here is refused (counted as
 * HEAP_FAULT_REENTERED, returns NULL or does nothing), never a deadlock.
 */
typedef void (*heap_fault_fn)(const struct heap_fault *f, void *ctx);

struct heap_stats {
	size_t bytes_used;	/* payload bytes of blocks in use */
	size_t bytes_requested; /* bytes callers asked for, of those */
	size_t bytes_free;	/* payload bytes of free blocks */
	size_t bytes_overhead;	/* headers, sentinels, control structures */
	size_t largest_free;	/* largest size one heap_alloc() can get now */
	size_t used_blocks;
	size_t free_blocks;
	size_t peak_used;	   /* high-water mark of bytes_used */
	size_t quarantined_blocks; /* freed, not yet reusable (quarantine) */
	size_t bytes_quarantined;
	size_t cached_blocks; /* freed into a per-CPU cache or the depot */
	size_t bytes_cached;
	size_t regions;
	size_t lock_acquired;  /* times the heap's lock was taken */
	size_t lock_contended; /* of those, times a caller had to wait */
	size_t lock_slept;     /* times a waiter slept (wait hook) */
	/* growth (heap_set_growth): regions the heap asked for, the bytes
	 * of whole free regions given back (purged) and not yet reused, and
	 * blocks that live in memory of their own (large blocks); large
	 * blocks are counted in used_blocks and bytes_used too */
	size_t regions_grown;
	size_t bytes_purged;
	size_t large_blocks;
	size_t bytes_large;
	size_t faults[HEAP_FAULT_KINDS]; /* faults reported, by kind */
};

/* What heap_walk() shows of each block, in address order. */
struct heap_block_info {
	const void *block; /* header address */
	void *ptr;	   /* payload: what heap_alloc() returned for it */
	size_t size;	   /* payload bytes */
	size_t requested;  /* bytes asked for (0 for a free block) */
	int free;	   /* free, or quarantined (not yet reusable) */
	int quarantined;   /* freed, waiting in the quarantine */
	int cached;	   /* freed into a per-CPU cache or the depot */
	int internal;	   /* the heap's own: a per-CPU cache's memory */
	int large;	   /* a large block, in memory of its own (growth) */
	int region; /* index of the region, 0 = the one given to heap_create;
		       -1 for a large block */
};

/*
 * Return non-zero to stop the walk; heap_walk() then returns that value
 * (never return HEAP_WALK_DAMAGED, which is heap_walk's own).
 * Called with the heap's lock held: a call back into the heap that needs
 * the lock is refused (HEAP_FAULT_REENTERED), never a deadlock. Without a
 * cpu_id hook mm/ cannot tell callers apart, and refuses any other
 * thread's call on this heap while a callback runs.
 */
typedef int (*heap_walk_fn)(const struct heap_block_info *b, void *ctx);

/* What one CPU's or thread's cache did (heap_get_cache_stats). */
struct heap_cache_stats {
	size_t alloc_hits;   /* allocations served without the lock */
	size_t alloc_misses; /* refills: from the depot or the heap (lock) */
	size_t free_hits;    /* frees kept without the lock */
	size_t free_misses;  /* frees that took the lock: a full batch went to
				the depot, or the cache was over its budget */
	size_t blocks;	     /* held now */
	size_t bytes;
	unsigned index; /* which cache of the heap: 0 is the first made */
};

/*
 * NULL if bytes is too small to hold the control structure and one block.
 * In checking mode heap_usable_size() is the size asked for: the bytes after
 * it are the red zone.
 */
struct heap *heap_create(void *mem, size_t bytes);
struct heap *heap_create_flags(void *mem, size_t bytes, unsigned flags);

/*
 * Add another, non-contiguous piece of memory to the heap. The base and size
 * are rounded inward to HEAP_ALIGN. Returns 0, or -1 when the piece is too
 * small or overlaps a region the heap already has.
 */
int heap_add_region(struct heap *h, void *mem, size_t bytes);

void *heap_alloc(struct heap *h, size_t size);
void *heap_calloc(struct heap *h, size_t nmemb, size_t size);
void *heap_realloc(struct heap *h, void *ptr, size_t size);
/* align: a power of two up to HEAP_MAX_ALIGN; anything else returns NULL. */
void *heap_aligned_alloc(struct heap *h, size_t align, size_t size);
void heap_free(struct heap *h, void *ptr);
/* Bytes the caller may use at ptr (at least what was asked for). */
size_t heap_usable_size(struct heap *h, const void *ptr);

/*
 * The same, for a wrapper around them (a kernel's kmalloc, a libc's malloc):
 * caller is the address a fault report names as the code that called
 * (heap_fault.caller), instead of the wrapper. A wrapper passes its own
 * HEAP_CALLER().
 */
void *heap_alloc_from(struct heap *h, size_t size, const void *caller);
void *heap_calloc_from(struct heap *h, size_t nmemb, size_t size,
		       const void *caller);
void *heap_realloc_from(struct heap *h, void *ptr, size_t size,
			const void *caller);
void *heap_aligned_alloc_from(struct heap *h, size_t align, size_t size,
			      const void *caller);
void heap_free_from(struct heap *h, void *ptr, const void *caller);
size_t heap_usable_size_from(struct heap *h, const void *ptr,
			     const void *caller);

/* The return address of the function this is written in: who called it. */
#if defined(__GNUC__) || defined(__clang__)
#define HEAP_CALLER() ((const void *)__builtin_return_address(0))
#else
#define HEAP_CALLER() ((const void *)0)
#endif

/* 0 when every invariant holds; otherwise the number of problems found. */
int heap_check(struct heap *h);
void heap_get_stats(struct heap *h, struct heap_stats *out);
int heap_walk(struct heap *h, heap_walk_fn fn, void *ctx);
/* heap_walk's result when it could not walk: not a heap, no callback, the
 * lock refused, or a damaged header (reported through the fault handler).
 * Apart from every value a callback may return to stop the walk. */
#define HEAP_WALK_DAMAGED (-__INT_MAX__ - 1) /* INT_MIN, without limits.h */

/* Make every quarantined block reusable now (checking mode). */
void heap_flush_quarantine(struct heap *h);

/*
 * HEAP_CACHES: give back to the heap the depot and the calling CPU's cache
 * now, and every other CPU's cache at its next call on this heap.
 */
void heap_drain_caches(struct heap *h);

/* The calling CPU's or thread's cache; all zero when it has none. */
void heap_get_cache_stats(struct heap *h, struct heap_cache_stats *out);

/*
 * The heap is finished: later calls on it do nothing, and its memory may be
 * reused. Threads' caches in it are abandoned, not touched: a thread that
 * exits skips them. Needed only for HEAP_CACHES heaps whose memory is
 * given away while the program runs on.
 */
void heap_destroy(struct heap *h);

/*
 * Growth: where a heap gets more memory when none of its blocks fits, and
 * where memory goes back. The hooks are the environment's (a host program
 * maps pages; a kernel maps frames); mm/ only calls them, with the heap's
 * lock held, so they must not call this heap. Any hook may be NULL.
 *
 *   grow(bytes)       fresh memory, HEAP_ALIGN-aligned, `bytes` long (a
 *                     multiple of page); NULL when there is none. It
 *                     becomes a region of its own, checked and walked like
 *                     the others (regions_grown in the stats).
 *   release(mem, n)   memory from grow() back, whole: a large block freed.
 *   purge(mem, n)     the heap will not read [mem, mem + n) (whole pages)
 *                     before it writes there again: the environment may
 *                     take the pages away. Called for a region that has
 *                     become one free block, while other free memory worth
 *                     at least `keep` bytes is left in the heap.
 *   commit(mem, n)    before a purged region is used again: make the pages
 *                     usable; non-zero when it cannot (the allocation then
 *                     fails). NULL: purged pages come back by themselves
 *                     when touched (Linux anonymous memory does).
 *
 * Sizes: a growth asks for at least grow_min bytes (0: 1 MiB), and for a
 * quarter of all the heap has once that is more (at most grow_max; 0: 64
 * MiB), so that a heap of N bytes has O(log N) regions. Requests of at
 * least large_min bytes (0: none) get memory of their own from grow(),
 * still with a verified header (double frees and bad pointers are caught
 * for them too), given back by release() when freed; the checking modes
 * keep every block in regions, under their eye. page: the granularity of
 * purge and grow, a power of two (0: 4096).
 *
 * guarded: the environment leaves an unmapped page after every piece that
 * grow() returns. Large blocks then end where their piece ends (as far as
 * their alignment allows: the last 0-15 bytes are a red zone in the
 * checking modes), so that a write past the end faults at once (Electric
 * Fence, PageHeap, KFENCE), and the checking modes serve large blocks
 * too. A freed large block goes back at once, quarantine or not: its pages
 * are gone, so a use after free faults too.
 */
struct heap_growth {
	void *(*grow)(size_t bytes, void *ctx);
	void (*release)(void *mem, size_t bytes, void *ctx);
	void (*purge)(void *mem, size_t bytes, void *ctx);
	int (*commit)(void *mem, size_t bytes, void *ctx);
	void *ctx;
	size_t page, grow_min, grow_max, large_min;
	size_t keep; /* free bytes kept before purging (0: grow_min) */
	int guarded;
};

/*
 * For a fault report (a page fault in a guard page): the large block whose
 * memory from grow() begins at mem. 1 with its description, 0 if there is
 * none. Reads the list without the lock, as a report that ends in a panic
 * must (the fault may have hit inside the heap): it follows only links
 * that verify, and reports nothing itself.
 */
int heap_large_at(struct heap *h, const void *mem, struct heap_block_info *out);

/*
 * Every grown region that has become one free block goes back through
 * release (malloc_trim's job); returns the bytes given back. Regions are
 * read without the lock by the caches' fast paths: call it only when no
 * other thread or CPU is inside this heap (the kernel does, with its other
 * CPUs idle, after the self-tests).
 */
size_t heap_trim(struct heap *h);

/* Install (a copy of) g; NULL stops growth. -1 when g is not valid (page
 * not a power of two, large_min below page). */
int heap_set_growth(struct heap *h, const struct heap_growth *g);

/*
 * Around fork() (pthread_atfork): prepare takes the heap's lock, so that no
 * other thread is inside the heap when the process is copied; parent gives
 * it back; child makes it free in the child, whose one thread is the one
 * that forked (the other threads' caches are left to them, unused).
 */
void heap_fork_prepare(struct heap *h);
void heap_fork_parent(struct heap *h);
void heap_fork_child(struct heap *h);

/* NULL restores the default handler (see mm/hooks.h). */
void heap_set_fault_handler(struct heap *h, heap_fault_fn fn, void *ctx);

/* A short name for a fault kind: "double free", "overflow", ... */
const char *heap_fault_name(enum heap_fault_kind kind);

#ifdef __cplusplus
}
#endif

#endif
