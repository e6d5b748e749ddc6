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

#include <stdint.h>

#include "heap.h"

struct mm_hooks {
	/* Disable interrupts on this CPU and return the previous state;
	 * restore it. NULL: no masking (hosted code, single context). */
	uintptr_t (*irq_save)(void);
	void (*irq_restore)(uintptr_t state);

	/* Called now and then while a lock is busy. A host with more threads
	 * than cores yields the core here, so the holder can run (a ticket
	 * lock otherwise convoys). NULL: just spin. */
	void (*relax)(void);

	/* A small number naming this CPU or thread, for lock debugging.
	 * NULL: every caller counts as CPU 0. */
	unsigned (*cpu_id)(void);

	/* Random bits for the per-heap secret that keys header checks.
	 * NULL: a value mixed from addresses and a counter (weak). */
	uintptr_t (*entropy)(void);

	/* Called on a misused lock (taken twice on one CPU, released when not
	 * held) with a one-line message; must not return. NULL: trap. */
	void (*panic)(const char *what);

	/* Reports faults on heaps with no handler of their own. NULL: the
	 * fault is counted and the operation abandoned, silently. */
	heap_fault_fn fault;
	void *fault_ctx;
};

/* Install hooks (copied). NULL resets every hook to its fallback. */
void mm_set_hooks(const struct mm_hooks *hooks);

#endif
