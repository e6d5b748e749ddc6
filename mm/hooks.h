/*
 * hooks.h - what mm/ needs from its environment, plugged in by it.
 *
 * mm/ knows nothing about the machine it runs on. The kernel (or a host
 * program) fills in a struct mm_hooks once, before creating heaps, to give
 * it interrupt masking for the lock, entropy for the header secret and a
 * default fault reporter. Every hook may be NULL; the fallbacks are noted.
 */
#ifndef MM_HOOKS_H
#define MM_HOOKS_H

#include <stdatomic.h>
#include <stdint.h>

#include "heap.h"

struct mm_hooks {
	/* Disable interrupts on this CPU and return the previous state;
	 * restore it. NULL: no masking (hosted code, single context). */
	uintptr_t (*irq_save)(void);
	void (*irq_restore)(uintptr_t state);

	/* Called now and then while a lock stays busy and there is no
	 * wait/wake pair: a host with more threads than cores yields the core
	 * here, so the holder can run. NULL: just spin. */
	void (*relax)(void);

	/* Sleep while *word == value (it may return early, spuriously);
	 * wake one sleeper on word. A futex on Linux; the word may be in
	 * memory shared between processes. Both or neither; NULL: waiters
	 * spin (and relax). */
	void (*wait)(atomic_uint *word, unsigned value);
	void (*wake)(atomic_uint *word);

	/* The calling CPU's or thread's struct mm_local: where it finds its
	 * caches of heaps made with HEAP_CACHES. Each CPU or thread must get
	 * its own, zeroed before first use, and keep it for as long as it
	 * runs. On the kernel, called with interrupts masked. NULL: no
	 * caches; every operation takes the heap's lock. */
	struct mm_local *(*local)(void);

	/* A small number naming this CPU or thread, for lock debugging.
	 * NULL: every caller counts as CPU 0. */
	unsigned (*cpu_id)(void);

	/* Random bits for the per-heap secret that keys header checks.
	 * NULL: a value mixed from addresses and a counter (weak). */
	uintptr_t (*entropy)(void);

	/* Called when mm/ cannot go on: a misused lock (taken twice on one
	 * CPU, released when not held), or, in a build with MM_ASSERTS, a
	 * broken invariant (mm/assert.h); with a one-line message. Must not
	 * return. NULL: trap. */
	void (*panic)(const char *what);

	/* Reports faults on heaps with no handler of their own. NULL: the
	 * fault is counted and the operation abandoned, silently. */
	heap_fault_fn fault;
	void *fault_ctx;
};

/* Install hooks (copied). NULL resets every hook to its fallback. */
void mm_set_hooks(const struct mm_hooks *hooks);

/*
 * A CPU's or thread's caches, one per heap it used: the heap and its
 * secret (a heap made again at the same address has another), and the
 * cache in it. The environment owns the memory and nothing else; only mm/
 * reads or writes the slots.
 */
#define MM_LOCAL_SLOTS 4

struct mm_local {
	struct {
		const struct heap *heap;
		uintptr_t secret;
		struct mm_cache *cache;
	} slot[MM_LOCAL_SLOTS];
};

/*
 * Give every cache in l back to its heap (a thread that exits, a CPU
 * going offline). Heaps destroyed with heap_destroy() are skipped. The
 * caller is the only user of l.
 */
void mm_local_release(struct mm_local *l);

/* Forget l's caches without touching them: a forked child, whose slots
 * name its parent's caches. */
void mm_local_forget(struct mm_local *l);

#endif
