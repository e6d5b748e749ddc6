#define _GNU_SOURCE
#include "host/mm_host.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mm/hooks.h"

static uintptr_t host_entropy(void)
{
	uintptr_t v = 0;

	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
		/* getrandom only fails before the pool is seeded or on EINTR;
		 * mm/ mixes in addresses, so a weak value is still distinct. */
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		v = (uintptr_t)t.tv_nsec ^ ((uintptr_t)getpid() << 16);
	}
	return v;
}

/*
 * Thread ids differ between threads and between processes, which is what
 * the lock's holder checks need. The lock asks on every operation, so the
 * id is cached per thread (a gettid system call each time cost more than
 * the allocation itself); a forked child inherits the cache and must drop
 * it, or it would pass for its parent.
 */
static _Thread_local unsigned cached_tid;

static unsigned host_thread_id(void)
{
	if (!cached_tid)
		cached_tid = (unsigned)syscall(SYS_gettid);
	return cached_tid;
}

static void forget_tid_in_child(void)
{
	cached_tid = 0;
}

/* More threads than cores: let the lock's holder have this one. */
static void host_relax(void)
{
	sched_yield();
}

static void host_panic(const char *what)
{
	fprintf(stderr, "%s\n", what);
	fflush(stderr);
	abort();
}

void mm_host_fault_abort(const struct heap_fault *f, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "%s\n", f->what);
	fflush(stderr);
	abort();
}

void mm_host_init(void)
{
	struct mm_hooks hooks = {
	    .entropy = host_entropy,
	    .cpu_id = host_thread_id,
	    .relax = host_relax,
	    .panic = host_panic,
	    .fault = mm_host_fault_abort,
	};

	static int registered;

	mm_set_hooks(&hooks);
	if (!registered++)
		pthread_atfork(NULL, NULL, forget_tid_in_child);
}
