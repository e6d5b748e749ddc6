/*
 * threads.c - many threads, one heap.
 *
 * Each thread runs a worker (worker.h) on the same heap at once; the heap's
 * lock is all that keeps them apart, and with -c each thread's own cache.
 * Afterwards every block has been freed and every thread has given its
 * cache back as it exited, so the heap must be back to how heap_create
 * left it (endcheck.h).
 *
 *   stress-threads [-w threads] [-n ops-per-thread] [-m heap-MiB] [-s seed]
 *                  [-c] [-b]
 *
 * Prints one "result: ..." line and exits 0, or a "stress: ..." line naming
 * the first problem and exits 1 (or dies on the heap's fault report).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/mm_host.h"
#include "tests/stress/endcheck.h"
#include "tests/stress/fail.h"
#include "tests/stress/options.h"
#include "tests/stress/worker.h"

#define MAX_THREADS 64u

struct thread {
	pthread_t id;
	struct worker w;
	pthread_barrier_t *start;
};

static void *thread_main(void *arg)
{
	struct thread *t = arg;

	/* everyone starts together, so the threads really overlap */
	pthread_barrier_wait(t->start);
	worker_run(&t->w);
	return NULL;
}

int main(int argc, char **argv)
{
	struct options o = {
	    .workers = 8, .ops = 1000000, .heap_bytes = (size_t)32 << 20};
	static struct thread th[MAX_THREADS];
	struct heap_stats start, end;
	struct endcheck e;
	size_t span;
	pthread_barrier_t barrier;
	size_t calls = 0, ops;
	unsigned char *mem;
	struct heap *h;
	double t0, secs;

	options_parse(argc, argv, &o, MAX_THREADS);
	mem = aligned_alloc(4096, o.heap_bytes);
	if (!mem)
		stress_cannot("cannot get %zu bytes for the heap",
			      o.heap_bytes);
	/* junk, not zeros: nothing may pass because the memory was clear */
	memset(mem, 0xa5, o.heap_bytes);
	h = options_heap(&o, mem);
	span = endcheck_span(h);
	heap_get_stats(h, &start);

	pthread_barrier_init(&barrier, NULL, o.workers + 1);
	for (unsigned i = 0; i < o.workers; i++) {
		th[i].w = (struct worker){.heap = h,
					  .owner = i,
					  .kind = "thread",
					  .seed = o.seed + i,
					  .ops = o.ops};
		th[i].start = &barrier;
		if (pthread_create(&th[i].id, NULL, thread_main, &th[i]) != 0)
			stress_cannot("cannot start thread %u", i);
	}
	pthread_barrier_wait(&barrier);
	t0 = now_seconds();
	for (unsigned i = 0; i < o.workers; i++) {
		pthread_join(th[i].id, NULL);
		calls += th[i].w.calls;
	}
	secs = now_seconds() - t0;
	pthread_barrier_destroy(&barrier);

	endcheck(h, &start, span, calls, options_max_caches(&o), &end, &e);
	ops = (size_t)o.workers * o.ops;
	printf("result: threads %ux%zu: %zu ops in %.2f s (%.2f Mops/s); "
	       "peak %.1f MiB used; lock taken %zu times for %zu calls, "
	       "contended %.1f%%; %s; seed %llu\n",
	       o.workers, o.ops, ops, secs, (double)ops / secs / 1e6,
	       (double)end.peak_used / (1 << 20),
	       end.lock_acquired - start.lock_acquired, calls,
	       100.0 * (double)(end.lock_contended - start.lock_contended) /
		   (double)(end.lock_acquired - start.lock_acquired),
	       options_describe(&o, e.internal_blocks),
	       (unsigned long long)o.seed);
	free(mem);
	return 0;
}
