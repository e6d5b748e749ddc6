#define _GNU_SOURCE
#include "host/mm_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mm/hooks.h"

static uintptr_t host_entropy(void)
{
	uintptr_t v = 0;

	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
		/* getrandom only fails before the pool is seeded or on EINTR;
		 * mm/ mixes in addresses, so a weak value is still distinct. */
		v = (uintptr_t)&v;
	}
	return v;
}

/* Thread ids differ between threads and between processes, which is what
 * the lock's holder checks need. */
static unsigned host_thread_id(void)
{
	return (unsigned)syscall(SYS_gettid);
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
	    .panic = host_panic,
	    .fault = mm_host_fault_abort,
	};

	mm_set_hooks(&hooks);
}
