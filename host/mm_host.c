#define _GNU_SOURCE
#include "host/mm_host.h"

#include <linux/futex.h>
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
 * What each thread keeps: its id, which differs between threads and
 * between processes (what the lock's holder checks and the caches'
 * owners need), and its caches. The lock and the caches ask on every
 * operation, so the id is read from the kernel once per thread (a gettid
 * system call each time cost more than the allocation itself). A forked
 * child inherits all of it and must drop it, or it would pass for its
 * parent and use its parent's caches.
 */
struct host_thread {
	unsigned tid;
	int exit_hooked;
	struct mm_local local;
};

static _Thread_local struct host_thread me;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static unsigned host_thread_id(void)
{
	if (!me.tid)
		me.tid = (unsigned)syscall(SYS_gettid);
	return me.tid;
}

/* A thread that exits gives its caches back (the key's destructor). */
static void give_back_at_exit(void *arg)
{
	mm_local_release(arg);
}

static void make_exit_key(void)
{
	if (pthread_key_create(&exit_key, give_back_at_exit) != 0)
		exit_key = (pthread_key_t)-1;
}

static struct mm_local *host_local(void)
{
	if (!me.exit_hooked) {
		/* before the first cache: a thread that could not be told
		 * of its own exit runs without caches (NULL) */
		pthread_once(&exit_key_once, make_exit_key);
		if (exit_key == (pthread_key_t)-1 ||
		    pthread_setspecific(exit_key, &me.local) != 0)
			return NULL;
		me.exit_hooked = 1;
	}
	return &me.local;
}

void mm_host_release_caches(void)
{
	mm_local_release(&me.local);
}

static void forget_in_child(void)
{
	me.tid = 0;
	mm_local_forget(&me.local);
}

/*
 * The heap's lock sleeps here. Shared futexes (no FUTEX_PRIVATE_FLAG):
 * a heap in MAP_SHARED memory is locked by several processes.
 */
static void host_wait(atomic_uint *word, unsigned value)
{
	syscall(SYS_futex, (void *)word, FUTEX_WAIT, value, NULL, NULL, 0);
}

static void host_wake(atomic_uint *word)
{
	syscall(SYS_futex, (void *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* No wait hook installed: let the lock's holder have this core. */
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

struct mm_hooks mm_host_hooks(void)
{
	struct mm_hooks hooks = {
	    .entropy = host_entropy,
	    .cpu_id = host_thread_id,
	    .relax = host_relax,
	    .wait = host_wait,
	    .wake = host_wake,
	    .local = host_local,
	    .panic = host_panic,
	    .fault = mm_host_fault_abort,
	};

	return hooks;
}

void mm_host_init(void)
{
	struct mm_hooks hooks = mm_host_hooks();
	static int registered;

	mm_set_hooks(&hooks);
	if (!registered++)
		pthread_atfork(NULL, NULL, forget_in_child);
}
