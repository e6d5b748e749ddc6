/*
 * procs.c - many processes, one heap in shared memory.
 *
 * The parent creates the heap in MAP_SHARED anonymous memory, so the heap,
 * and the spinlock inside it, are the same bytes in every child it forks.
 * Each child runs a worker (worker.h) and logs the life of every block it
 * holds on a clock all children share (span.h). Once all have exited, the
 * parent replays the logs: no two blocks may ever have shared a byte while
 * both were live. Then the heap must be back to how heap_create left it
 * (endcheck.h). With -c each process has its own caches in the shared
 * heap, and gives them back before it exits.
 *
 *   stress-procs [-w processes] [-n ops-per-process] [-m heap-MiB] [-s seed]
 *                [-c] [-b]
 *
 * Prints one "result: ..." line and exits 0, or "stress: ..." lines naming
 * what went wrong and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/mm_host.h"
#include "tests/stress/endcheck.h"
#include "tests/stress/fail.h"
#include "tests/stress/options.h"
#include "tests/stress/span.h"
#include "tests/stress/worker.h"

#define MAX_PROCS 16u

_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
	       "atomics shared between processes must not hide a lock");

/* Everything the processes share besides the heap. */
struct shared {
	atomic_uint clock;
	atomic_uint go; /* set once every child exists */
	struct {
		size_t calls, logged;
	} result[MAX_PROCS];
};

static void *map_shared(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		stress_cannot("mmap of %zu shared bytes: %s", bytes,
			      strerror(errno));
	return p;
}

static _Noreturn void child(struct shared *sh, struct worker *w, pid_t parent,
			    int release)
{
	/* a parent killed by a timeout must not leave children spinning on
	 * a heap nobody checks */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(STRESS_CANNOT_RUN);
	while (!atomic_load(&sh->go))
		sched_yield();
	worker_run(w);
	sh->result[w->owner].calls = w->calls;
	sh->result[w->owner].logged = w->logged;
	/* a process leaving a shared heap gives its caches back first */
	if (release)
		mm_host_release_caches();
	_exit(0);
}

/* Wait for every child; fail naming each one that failed. */
static void reap(const pid_t *pid, unsigned n)
{
	int failed = 0, cannot = 0, status;

	for (unsigned i = 0; i < n; i++) {
		while (waitpid(pid[i], &status, 0) < 0) {
			if (errno != EINTR)
				stress_cannot("waitpid: %s", strerror(errno));
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFEXITED(status) &&
		    WEXITSTATUS(status) == STRESS_CANNOT_RUN)
			cannot = 1;
		else
			failed = 1;
		if (WIFSIGNALED(status))
			stress_note("process %u killed by signal %d (%s)", i,
				    WTERMSIG(status),
				    strsignal(WTERMSIG(status)));
		else
			stress_note("process %u exited with status %d", i,
				    WEXITSTATUS(status));
	}
	if (failed)
		stress_fail("%s", "a process failed");
	if (cannot)
		stress_cannot("%s", "a process could not run");
}

static void check_overlap(struct shared *sh, struct span *const *log,
			  unsigned n, uintptr_t lo, uintptr_t hi)
{
	const struct span *lists[MAX_PROCS];
	size_t counts[MAX_PROCS];
	struct span_overlap o;
	int r;

	for (unsigned i = 0; i < n; i++) {
		lists[i] = log[i];
		counts[i] = sh->result[i].logged;
	}
	r = span_find_overlap(lists, counts, n, lo, hi, atomic_load(&sh->clock),
			      &o);
	if (r == -2)
		stress_cannot("%s", "no memory to replay the span logs");
	if (r == -1)
		stress_fail("process %u logged an impossible span [%#" PRIxPTR
			    ", %#" PRIxPTR "), ticks %u-%u",
			    o.a->owner, o.a->start, o.a->end, o.a->born,
			    o.a->died);
	if (r == 1)
		stress_fail(
		    "blocks overlapped while both live: process %u's "
		    "[%#" PRIxPTR ", %#" PRIxPTR ") (ticks %u-%u) and "
		    "process %u's [%#" PRIxPTR ", %#" PRIxPTR ") (ticks %u-%u)",
		    o.a->owner, o.a->start, o.a->end, o.a->born, o.a->died,
		    o.b->owner, o.b->start, o.b->end, o.b->born, o.b->died);
}

int main(int argc, char **argv)
{
	struct options o = {
	    .workers = 6, .ops = 200000, .heap_bytes = (size_t)32 << 20};
	struct span *log[MAX_PROCS];
	pid_t pid[MAX_PROCS], parent = getpid();
	struct heap_stats start, end;
	struct endcheck e;
	size_t span;
	size_t calls = 0, spans = 0, ops;
	struct shared *sh;
	unsigned char *mem;
	struct heap *h;
	double t0, secs;

	options_parse(argc, argv, &o, MAX_PROCS);
	/* each op takes at most two ticks (realloc: died, born), each final
	 * free one: the 32-bit clock must not wrap */
	if (o.ops > (UINT32_MAX / 2 - WORKER_SLOTS) / o.workers)
		stress_cannot("%zu ops per process would wrap the clock",
			      o.ops);
	sh = map_shared(sizeof *sh);
	for (unsigned i = 0; i < o.workers; i++)
		log[i] = map_shared(o.ops * sizeof(struct span));
	mem = map_shared(o.heap_bytes);
	memset(mem, 0xa5, o.heap_bytes);
	h = options_heap(&o, mem);
	span = endcheck_span(h);
	heap_get_stats(h, &start);
	atomic_init(&sh->clock, 0);
	atomic_init(&sh->go, 0);

	fflush(NULL); /* nothing buffered may be written twice */
	for (unsigned i = 0; i < o.workers; i++) {
		struct worker w = {.heap = h,
				   .owner = i,
				   .kind = "process",
				   .seed = o.seed + i,
				   .ops = o.ops,
				   .log = log[i],
				   .clock = &sh->clock};

		pid[i] = fork();
		if (pid[i] < 0)
			stress_cannot("fork: %s", strerror(errno));
		if (pid[i] == 0)
			child(sh, &w, parent, o.caches && !o.bare);
	}
	t0 = now_seconds();
	atomic_store(&sh->go, 1);
	reap(pid, o.workers);
	secs = now_seconds() - t0;

	check_overlap(sh, log, o.workers, (uintptr_t)mem,
		      (uintptr_t)mem + o.heap_bytes);
	for (unsigned i = 0; i < o.workers; i++) {
		calls += sh->result[i].calls;
		spans += sh->result[i].logged;
	}
	endcheck(h, &start, span, calls, options_max_caches(&o), &end, &e);
	ops = (size_t)o.workers * o.ops;
	printf("result: processes %ux%zu: %zu ops in %.2f s (%.2f Mops/s); "
	       "%zu blocks' lives replayed, none overlapped; peak %.1f MiB "
	       "used; lock taken %zu times for %zu calls, contended %.1f%%; "
	       "%s; seed %llu\n",
	       o.workers, o.ops, ops, secs, (double)ops / secs / 1e6, spans,
	       (double)end.peak_used / (1 << 20),
	       end.lock_acquired - start.lock_acquired, calls,
	       100.0 * (double)(end.lock_contended - start.lock_contended) /
		   (double)(end.lock_acquired - start.lock_acquired),
	       options_describe(&o, e.internal_blocks),
	       (unsigned long long)o.seed);
	return 0;
}
