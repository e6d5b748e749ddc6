/*
 * mtalloc.h - the allocators of the threads, remote and procs workloads,
 * as one process sees them.
 *
 * Every measurement of those workloads runs in a child process of its
 * own (mtrun.h), which opens exactly one configuration and keeps it:
 * mm/'s hooks are global, and a run that hangs can only be stopped by
 * killing the process it runs in. The system malloc's configuration,
 * "libc", is whatever malloc the child was started with: glibc's, or
 * jemalloc's, mimalloc's or tcmalloc's through LD_PRELOAD.
 *
 * The wrappers are named ax_* like those of allocators.c, so that
 * bench-icount counts only inside them.
 */
#ifndef TESTS_BENCH_MTALLOC_H
#define TESTS_BENCH_MTALLOC_H

#include <stddef.h>

#include "mm/heap.h"

enum mt_kind {
	MT_MM_CACHED,  /* HEAP_CACHES, host hooks: what a program gets */
	MT_MM_LOCKED,  /* no caches: every operation takes the heap lock */
	MT_MM_NOHOOKS, /* no caches, no hooks: the lock on its own */
	MT_MM_MUTEX,   /* mm-locked behind one pthread mutex (reference) */
	MT_LIBC,       /* malloc and free, whichever the process has */
	/* Broken on purpose, for tests/bench/smoke.sh's must-fail cases: */
	MT_BROKEN_TWICE, /* now and then hands out a live block again */
	MT_BROKEN_LEAK,	 /* now and then forgets to free */
	MT_HANG,	 /* never returns from its first malloc */
	MT_SLOW,	 /* sleeps in every malloc, to hit the soft cap */
	MT_KINDS
};

/* The configurations a normal run measures come first. */
#define MT_MEASURED (MT_LIBC + 1)

struct mt_config {
	const char *name;
	const char *what;
	int mm; /* 1: the bench's own heap, checked at the end */
};

extern const struct mt_config mt_configs[MT_KINDS];

/* The kind named name, or -1. */
int mt_config_find(const char *name);

/*
 * Install the configuration's hooks and open its heap, in memory that
 * forked children share when shared is set (the procs workload). Once per
 * process; exits with a message on failure.
 */
void mt_open(enum mt_kind kind, int shared);

/* The configuration's malloc and free (set by mt_open). */
extern void *(*mt_malloc)(size_t n);
extern void (*mt_free)(void *p);

/*
 * After every block has been freed: the heap must be consistent, hold no
 * block in use and have reported no fault. 0, or -1 with the reason in
 * why. Always 0 for libc, which has no such check.
 */
int mt_close(char *why, size_t len);

/* The heap's lock counters (zero for libc). */
void mt_lock_counts(size_t *taken, size_t *waited);

/* Which malloc this process really has: "glibc", "jemalloc", ... */
const char *mt_malloc_name(void);

#endif
