/*
 * internal.h - the heap's control structure and what mm/ files share.
 * Nothing outside mm/ includes this, but tests/unit/test_assert.c, which
 * breaks mm/'s invariants from inside to see MM_ASSERT catch each.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "annotate.h"
#include "assert.h"
#include "block.h"
#include "cache.h"
#include "heap.h"
#include "hooks.h"
#include "spinlock.h"

/*
 * Free-list classes (TLSF's two levels). The first level is the power of two
 * of the block size, the second splits each power of two into SL_COUNT equal
 * steps. Blocks under SMALL_LIMIT all share first level 0, in 16-byte steps.
 */
#define SL_LOG2	    4u
#define SL_COUNT    (1u << SL_LOG2)
#define ALIGN_LOG2  4u
#define FL_SHIFT    (SL_LOG2 + ALIGN_LOG2)
#define SMALL_LIMIT ((size_t)1 << FL_SHIFT)

/* The top first-level class holds blocks from 2^MAX_BLOCK_LOG2 bytes up
 * (2 GiB on i386, 1 TiB on 64-bit): with MAX_REQUEST below, a block can be
 * nearly 4 GiB on i386, nearly 2 TiB on 64-bit. */
#if UINTPTR_MAX > 0xffffffffu
#define MAX_BLOCK_LOG2 40u
#else
#define MAX_BLOCK_LOG2 31u
#endif
#define FL_COUNT (MAX_BLOCK_LOG2 - FL_SHIFT + 2u)
/*
 * Larger requests fail early, so size arithmetic cannot wrap:
 * 2^(MAX_BLOCK_LOG2 + 1) - 2^(MAX_BLOCK_LOG2 - SL_LOG2 + 1) - 1, that is
 * 2^32 - 2^28 - 1 on i386 (a region can be nearly the whole address space)
 * and 2^41 - 2^37 - 1 on 64-bit. Rounding up to a class boundary adds at
 * most 1/16 of the size.
 */
#define MAX_REQUEST                                                            \
	(((size_t)1 << MAX_BLOCK_LOG2) +                                       \
	 (((size_t)1 << MAX_BLOCK_LOG2) - 1 -                                  \
	  ((size_t)1 << (MAX_BLOCK_LOG2 - SL_LOG2 + 1))))

_Static_assert(FL_COUNT <= sizeof(uintptr_t) * 8, "first level fits a word");
_Static_assert(MAX_REQUEST ==
		   ((size_t)2 << MAX_BLOCK_LOG2) -
		       ((size_t)1 << (MAX_BLOCK_LOG2 - SL_LOG2 + 1)) - 1,
	       "MAX_REQUEST is what its comment says");
_Static_assert(SL_COUNT <= 32, "second level fits 32 bits");
_Static_assert(HEAP_ALIGN == 1u << ALIGN_LOG2, "alignment and classes agree");

#define HEAP_MAGIC ((uintptr_t)0x68656170u) /* "heap" */

/* At the start of every region; the first one also follows struct heap. */
struct region {
	struct region *next;
	uintptr_t base;		/* lowest address the region covers */
	struct block *first;	/* first block */
	struct block *sentinel; /* last header, marks the end */
	size_t index;
	size_t purged; /* bytes given to the purge hook, not yet committed */
	size_t grown;  /* bytes from the grow hook (0: given by the caller) */
};

#define REGION_HDR_SIZE round_up(sizeof(struct region), HEAP_ALIGN)

/* What a call back into a heap would find it doing (heap in_callback). */
#define IN_WALK	 1u
#define IN_FAULT 2u

struct heap {
	/* read on every call, written once: first, on a line of their own */
	uintptr_t magic;
	uintptr_t secret; /* keys every header check */
	unsigned flags;
	int cached;		 /* HEAP_CACHES and not checking */
	atomic_uint drain_gen;	 /* caches give all back when it moves */
	atomic_uint in_callback; /* IN_WALK, IN_FAULT: the holder called out */

	struct spinlock lock;

	uintptr_t fl_map;	   /* bit f: some list in first level f */
	uint32_t sl_map[FL_COUNT]; /* bit s: list (f, s) not empty */
	struct block *lists[FL_COUNT][SL_COUNT];

	/* grown regions first, newest first (a new block is most often in
	 * the newest), then the others in the order they were added */
	struct region *regions;
	size_t bytes_total; /* all memory given to the heap, after rounding */

	/* growth (grow.c, large.c): the environment's hooks, the large
	 * blocks (newest first), and where the last few freed ones were, so
	 * that freeing one again is called a double free */
	struct heap_growth growth;
	struct large *large;
	uintptr_t large_gone[8];
	unsigned large_gone_next;
	size_t purge_debt; /* bytes freed since the last sweep (grow.c) */

	/* checking mode: freed blocks waiting to become reusable, oldest at
	 * q_head */
	struct block *quarantine[HEAP_QUARANTINE_SLOTS];
	unsigned q_head, q_count;

	int relist; /* a free list was found damaged: rebuild them all */
	/* MM_ASSERTS: a block mm_split() left unsealed, not yet marked */
	struct block *unsealed;

	/* HEAP_CACHES (cache.c): the caches, and full batches between them */
	struct mm_cache *caches;
	unsigned ncaches;
	_Atomic(struct mm_cache *) shards[CACHE_SHARDS]; /* no local hook */
	size_t cache_budget, batch_bytes;
	size_t cache_max; /* largest payload cached: by the heap's size */
	struct depot_class
	    *depot; /* [CACHE_CLASSES], made with the first cache */
	size_t depot_blocks, depot_bytes;
	size_t internal_blocks, internal_bytes; /* the caches themselves */
	size_t lost_blocks, lost_bytes; /* cached, behind a damaged link */
	unsigned starved; /* allocations failed while caches were on */

	heap_fault_fn fault_fn;
	void *fault_ctx;
	char msg[160]; /* the message of the fault being reported */
	/* the return address of the public call that holds the lock: a
	 * fault names it (heap_fault.caller) */
	const void *caller;

	/* kept up to date, except largest_free; used_* and bytes_requested
	 * count every block the heap gave out, cached or not (heap_get_stats
	 * takes the caches out) */
	struct heap_stats stats;
};

extern struct mm_hooks mm_hooks;

/* The region whose blocks cover addr (sentinels excluded), or NULL. One
 * compare a region: addr - first wraps above the span when addr < first. */
static inline struct region *mm_region_of(const struct heap *h, uintptr_t addr)
{
	struct region *r;

	for (r = h->regions; r; r = r->next)
		if (addr - (uintptr_t)r->first <
		    (uintptr_t)r->sentinel - (uintptr_t)r->first)
			return r;
	return NULL;
}

#if defined(__GNUC__) || defined(__clang__)
#define MM_COLD	     __attribute__((noinline, cold))
#define MM_NOINLINE  __attribute__((noinline))
#define MM_INLINE    inline __attribute__((always_inline))
#define MM_LIKELY(x) __builtin_expect(!!(x), 1)
/* a helper only an MM_ASSERT calls: unused where they are compiled out */
#define MM_FOR_ASSERTS __attribute__((unused))
/* where the caller's stack is: the frame itself, even under ASan, which
 * may move locals to a "fake stack" of its own */
#define MM_STACK_HERE() ((uintptr_t)__builtin_frame_address(0))
#else
#define MM_COLD
#define MM_NOINLINE
#define MM_INLINE    inline
#define MM_LIKELY(x) (x)
#define MM_FOR_ASSERTS
uintptr_t mm_stack_here(void);
#define MM_STACK_HERE() mm_stack_here()
#endif

/* freelist.c */
void mm_fl_insert(struct heap *h, struct block *b);
int mm_fl_remove(struct heap *h, struct block *b);
struct block *mm_fl_take(struct heap *h, size_t size);
void mm_fl_class(size_t size, unsigned *fl, unsigned *sl);
void mm_relist(struct heap *h);

/* For reading memory of any type a word at a time. */
#if defined(__GNUC__) || defined(__clang__)
typedef uintptr_t __attribute__((__may_alias__)) mm_word;
#else
typedef uintptr_t mm_word;
#endif

/* Poison begins after the links a free block keeps in its payload. */
#define LINKS_SIZE ((uintptr_t)sizeof(struct free_links))

static inline int mm_checking(const struct heap *h)
{
	return (h->flags & HEAP_CHECKING) != 0;
}

/* block operations shared by alloc, free and realloc (alloc.c, free.c) */
int mm_request_size(const struct heap *h, size_t n, size_t *block_bytes);
void mm_set_prev(struct heap *h, struct block *n, const struct block *was,
		 struct block *prev);
void mm_mark_used(struct heap *h, struct block *b, size_t requested,
		  unsigned align_log2);
void mm_uncount_used(struct heap *h, struct block *b);
void mm_mark_free(struct heap *h, struct block *b, size_t size);
void mm_split(struct heap *h, struct block *b, size_t size, int rest_poisoned);
void *mm_alloc_locked(struct heap *h, size_t n, size_t align);
int mm_neighbours_intact(struct heap *h, struct block *b);
void mm_account_out(struct heap *h, size_t blocks, size_t payload,
		    size_t requested, int add);
void mm_free_locked(struct heap *h, struct block *b);
void mm_release(struct heap *h, struct block *b);
enum mm_op { MM_FREE, MM_REALLOC, MM_USABLE_SIZE };
struct block *mm_lookup(struct heap *h, const void *ptr, enum mm_op op);

/* poison.c: checking mode */
size_t mm_usable(const struct heap *h, const struct block *b);
int mm_poison_verify(struct heap *h, const struct block *b, uintptr_t from,
		     uintptr_t to);
void mm_fill_new(struct block *b, size_t from, size_t requested);

/*
 * Checking mode: free block b is about to be handed out, or taken into its
 * neighbour, up to address upto (its payload, and the header of the rest
 * that a split writes). That part must still hold the poison it was given
 * when freed; its links are the heap's own and are not poison.
 */
static inline void mm_verify_reused(struct heap *h, const struct block *b,
				    uintptr_t upto)
{
	uintptr_t from = (uintptr_t)block_payload(b) + LINKS_SIZE;

	if (upto > block_end(b))
		upto = block_end(b);
	if (mm_checking(h) && upto > from)
		(void)mm_poison_verify(h, b, from, upto);
}

int mm_canary_verify(struct heap *h, const struct block *b);
void mm_quarantine_push(struct heap *h, struct block *b);
void mm_quarantine_flush(struct heap *h);

/*
 * fault.c: count a fault and report it through the heap's handler (lock
 * held). f gives everything but the message, which fmt builds: %s, %p,
 * %x (uintptr_t, 0x-prefixed), %b (a byte), %u (size_t) and %B (a block,
 * printed as its payload address).
 */
void mm_fault(struct heap *h, struct heap_fault f, const char *fmt, ...);
/* The same formatting into any buffer; always NUL-terminated. */
struct mm_out {
	char *buf;
	size_t len, cap;
};
void mm_format(struct mm_out *o, const char *fmt, ...);
/* The header of b does not verify (ptr: what the caller passed, or NULL). */
void mm_report_header(struct heap *h, const struct block *b, const void *ptr);
/* The end of the road (a misused lock, a failed assertion): the panic
 * hook with msg, which must not return; a trap without one. */
_Noreturn void mm_panic(const char *msg);

/*
 * Byte copying and filling. gcc and clang require every freestanding
 * environment to provide memcpy and memset (they emit calls to them on their
 * own), so mm/ uses them through the builtins rather than re-invent them.
 * Under AddressSanitizer those would be the checked versions, which would
 * object to mm/ touching memory it has poisoned: plain loops there.
 */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(MM_ASAN)
#define mm_copy(dst, src, n)  __builtin_memcpy((dst), (src), (n))
#define mm_fill(dst, byte, n) __builtin_memset((dst), (byte), (n))
#else
static inline void mm_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
}

static inline void mm_fill(void *dst, unsigned char byte, size_t n)
{
	volatile unsigned char *d = dst;

	while (n--)
		*d++ = byte;
}
#endif

/*
 * Every word of n's header as it must be: its check, and its meta (0 for
 * a free block or a sentinel, keyed for one the heap gave out). n may be
 * another CPU's block, whose meta changes without the lock: one word,
 * read once, and either value verifies.
 */
static inline int mm_header_sound(const struct heap *h, const struct block *n)
{
	if (!block_intact(h->secret, n))
		return 0;
	if (block_is_freed(n) || block_is_sentinel(n))
		return block_meta(n) == 0;
	return block_meta_data(h->secret, n) != META_BAD;
}

/*
 * A link read from a free block: NULL, or a genuine free block on a list,
 * in one of this heap's regions. Checked before it is followed or written
 * through: a forged or stale link would otherwise turn an unlink into a
 * write anywhere, and a link into the gap between two regions into a read
 * of memory the heap does not own.
 */
static inline int mm_link_ok(const struct heap *h, const struct block *b)
{
	uintptr_t a = (uintptr_t)b;

	if (!b)
		return 1;
	if ((a & (HEAP_ALIGN - 1)) != 0 || !mm_region_of(h, a))
		return 0;
	return mm_header_sound(h, b) && block_is_listed(b);
}

/*
 * b's size tiles region r: b starts before the sentinel, is at least a
 * minimal block, and ends at or before the sentinel. Subtracted, not
 * added, so that no size can wrap past the sentinel. The one test of "a
 * block fits its region"; it says nothing of the header's check.
 */
static inline int mm_block_tiles(const struct region *r, const struct block *b)
{
	return (uintptr_t)b < (uintptr_t)r->sentinel &&
	       block_size(b) >= MIN_BLOCK &&
	       block_size(b) <= (uintptr_t)r->sentinel - (uintptr_t)b;
}

/*
 * b is a genuine block of region r: its header verifies and it tiles the
 * region. A header that verifies but runs past its region was forged with
 * the secret read out of memory; following it would leave the heap.
 */
static inline int mm_block_fits(const struct heap *h, const struct region *r,
				const struct block *b)
{
	return block_intact(h->secret, b) && mm_block_tiles(r, b);
}

int mm_reentered(struct heap *h, const void *caller);

/*
 * b's prev link names the block that ends where b starts, or nothing for
 * the first block of r. prev is outside b's check, so this is its check:
 * only the genuine neighbour passes.
 */
static inline int mm_prev_ok(const struct heap *h, const struct region *r,
			     const struct block *b)
{
	const struct block *p = b->prev;

	if (!p)
		return b == r->first;
	return ((uintptr_t)p & (HEAP_ALIGN - 1)) == 0 &&
	       (uintptr_t)p >= (uintptr_t)r->first &&
	       (uintptr_t)p < (uintptr_t)b && mm_block_fits(h, r, p) &&
	       block_next(p) == b;
}

/*
 * Every public operation that needs the lock runs between these two.
 * mm_heap_lock() returns 0 with the lock held, or -1 (reported) when the call
 * comes from inside one of this heap's own callbacks, whose caller holds
 * the lock: taking it would deadlock. caller is the return address of the
 * public call (HEAP_CALLER(), or a wrapper's): a fault reported while the
 * lock is held names it.
 */
static inline int mm_heap_lock(struct heap *h, uintptr_t *irq,
			       const void *caller)
{
	if (atomic_load_explicit(&h->in_callback, memory_order_relaxed) &&
	    mm_reentered(h, caller))
		return -1;
	ann_enter();
	*irq = mm_spin_lock_irqsave(&h->lock);
	h->caller = caller;
	return 0;
}

static inline void mm_heap_unlock(struct heap *h, uintptr_t irq)
{
	MM_ASSERT(h->unsealed == NULL,
		  "a block mm_split() leaves unsealed is marked before the "
		  "lock goes");
	if (h->relist)
		mm_relist(h);
	mm_spin_unlock_irqrestore(&h->lock, irq);
	ann_leave();
}

/* For MM_ASSERT: the caller holds h's lock (mm_spin_owned). */
static inline int mm_heap_locked(struct heap *h)
{
	return mm_spin_owned(&h->lock);
}

static inline int mm_heap_valid(const struct heap *h)
{
	return h != NULL && h->magic == HEAP_MAGIC;
}

/* The meta data of a block the heap gave out, or META_BAD. */
static inline uintptr_t mm_meta(const struct heap *h, const struct block *b)
{
	return block_meta_data(h->secret, b);
}

/* Bytes a caller asked for in b: 0 for a cached or internal block. */
static inline size_t mm_requested(const struct heap *h, const struct block *b)
{
	uintptr_t data = mm_meta(h, b);
	size_t payload = block_payload_size(b);

	if (data == META_BAD || !meta_is_callers(data) ||
	    meta_slack(data) > payload)
		return 0;
	return payload - meta_slack(data);
}

/* cache.c: what the heap asks of the caches (the lock-free paths are in
 * cache_ops.h) */
struct block *mm_owned_block(const struct heap *h, const void *ptr,
			     uintptr_t *data);
struct mm_cache *mm_cache_mine(struct heap *h);
size_t mm_cache_give_back(struct heap *h, struct mm_cache *c);
void mm_depot_give_back(struct heap *h);
void mm_cache_release_block(struct heap *h, struct block *b);
size_t mm_cache_count(const struct heap *h, size_t *bytes, intptr_t *requested);
int mm_cache_check(struct heap *h, struct mm_cache *c);
void *mm_shard_alloc(struct heap *h, size_t n, const void *caller);
int mm_shard_free(struct heap *h, void *ptr, const void *caller);
size_t mm_shards_give_back(struct heap *h);
int mm_wait_for_caches(struct heap *h, const void *caller);
/* alloc.c: a locked operation, tried again when caches starved it */
typedef void *(*mm_locked_fn)(struct heap *h, void *ptr, size_t n,
			      size_t align);
void *mm_locked_retrying(struct heap *h, mm_locked_fn fn, void *ptr, size_t n,
			 size_t align, const void *caller);
int mm_shards_check(struct heap *h);
void mm_caches_init(struct heap *h);
/* registry.c */
int mm_registry_add(struct heap *h);
/* create.c */
int mm_add_region(struct heap *h, uintptr_t cover, uintptr_t start,
		  uintptr_t end, int grown);
/* grow.c: growth and purging (lock held) */
int mm_grow(struct heap *h, size_t need, size_t align);
void mm_maybe_purge(struct heap *h, struct block *b);
void mm_purge_sweep(struct heap *h, size_t freed);
int mm_commit_region(struct heap *h, struct region *r);
/* large.c: blocks in memory of their own */
void *mm_large_alloc(struct heap *h, size_t n, size_t align);
struct large *mm_large_find(struct heap *h, const void *ptr);
void mm_large_free(struct heap *h, struct large *l);
size_t mm_large_usable(const struct heap *h, const struct large *l);
void *mm_large_realloc(struct heap *h, struct large *l, size_t n);
int mm_large_check(struct heap *h, size_t *requested);
int mm_large_walk(struct heap *h, heap_walk_fn fn, void *ctx);
int mm_large_is_gone(const struct heap *h, const void *ptr);

#endif
