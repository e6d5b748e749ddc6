#define _GNU_SOURCE
#include "tests/bench/mtwork.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/bench/timing.h"
#include "tests/common/rng.h"
#include "tests/common/stamp.h"

const struct mt_workload_info mt_workloads[MTW_COUNT] = {
    [MTW_THREADS] = {"threads", "threads",
		     "N threads on one heap, malloc(8..256)/free at random "
		     "over 256 slots each"},
    [MTW_REMOTE] = {"remote", "pairs",
		    "N producer/consumer pairs: one thread mallocs 8..256 B, "
		    "the other frees"},
    [MTW_PROCS] = {"procs", "processes",
		   "N forked processes on one MAP_SHARED heap, the threads "
		   "mix (libc: private heaps)"},
};

#define CHURN_SLOTS 256u /* a power of two: slots are picked by mask */
#define RING_SLOTS  4096u
#define MIN_BLOCK   8u
#define MAX_BLOCK   256u
#define STOP_EVERY  64u /* ops between looks at the stop flag */

_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
	       "the stop flag is shared between processes");

/* What every worker of the run shares; MAP_SHARED, for processes. */
struct control {
	atomic_int go, stop;
	size_t done[MT_MAX_N]; /* each worker's ops */
	int finished[MT_MAX_N];
};

struct block {
	void *p;
	size_t n;
	uint64_t tag;
};

int mt_workload_find(const char *name)
{
	int w;

	for (w = 0; w < MTW_COUNT; w++)
		if (strcmp(mt_workloads[w].name, name) == 0)
			return w;
	return -1;
}

/* After the first wrong block nothing is worth measuring: the whole child
 * ends at once, with the reason. */
static _Noreturn void mt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	fflush(stderr);
	_exit(1);
}

static void *map_shared(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		mt_fail("cannot map %zu bytes: %s", bytes, strerror(errno));
	return p;
}

static size_t block_size(uint64_t draw)
{
	return MIN_BLOCK + (size_t)((draw >> 32) % (MAX_BLOCK - MIN_BLOCK + 1));
}

static void take(struct block *b, size_t n, uint64_t tag, unsigned owner)
{
	b->p = mt_malloc(n);
	if (!b->p)
		mt_fail("worker %u: malloc(%zu) returned NULL", owner, n);
	b->n = n;
	b->tag = tag;
	stamp_fill(b->p, n, tag);
}

static void give_back(struct block *b, unsigned owner)
{
	size_t at = stamp_find_damage(b->p, b->n, b->tag);

	if (at != b->n) {
		/* MIN_BLOCK: every block has a word 0 to say whose it is */
		uint64_t whose = stamp_whose(b->p);

		mt_fail("worker %u: block %p (%zu bytes) damaged at byte %zu: "
			"0x%02x, not its stamp's 0x%02x (handed out twice, or "
			"written by the heap); word 0 names worker %u's block "
			"%llu",
			owner, b->p, b->n, at,
			((const unsigned char *)b->p)[at],
			stamp_byte(b->tag, at), stamp_owner(whose),
			(unsigned long long)stamp_seq(whose));
	}
	mt_free(b->p);
	b->p = NULL;
}

static int stopped(struct control *c, size_t i)
{
	return i % STOP_EVERY == 0 &&
	       atomic_load_explicit(&c->stop, memory_order_relaxed);
}

/* One worker of threads or procs: ops of the mix, then free the rest. */
static void churn(struct control *c, unsigned owner, size_t ops, uint64_t seed)
{
	static _Thread_local struct block slots[CHURN_SLOTS];
	struct rng r;
	size_t i, k, extra = 0;

	memset(slots, 0, sizeof slots);
	rng_seed(&r, seed * 1000003u + owner);
	for (i = 0; i < ops && !stopped(c, i); i++) {
		uint64_t draw = rng_next(&r);
		struct block *b = &slots[draw % CHURN_SLOTS];

		if (b->p)
			give_back(b, owner);
		else
			take(b, block_size(draw), stamp_tag(owner, i), owner);
	}
	c->finished[owner] = i == ops;
	for (k = 0; k < CHURN_SLOTS; k++) {
		if (slots[k].p) {
			give_back(&slots[k], owner);
			extra++;
		}
	}
	c->done[owner] = i + extra;
}

struct ring {
	_Alignas(64) atomic_size_t head;  /* blocks the producer put in */
	_Alignas(64) atomic_size_t tail;  /* blocks the consumer took out */
	_Alignas(64) atomic_size_t final; /* head once the producer is done */
	struct block slot[RING_SLOTS];
};

struct worker {
	pthread_t id;
	struct control *c;
	struct ring *ring;
	pthread_barrier_t *start;
	unsigned owner;
	size_t ops;
	uint64_t seed;
};

static void produce(struct worker *w)
{
	struct ring *q = w->ring;
	size_t i, tail = 0;
	struct rng r;

	rng_seed(&r, w->seed * 1000003u + w->owner);
	for (i = 0; i < w->ops && !stopped(w->c, i); i++) {
		struct block b;

		take(&b, block_size(rng_next(&r)), stamp_tag(w->owner, i),
		     w->owner);
		while (i - tail >= RING_SLOTS) {
			tail = atomic_load_explicit(&q->tail,
						    memory_order_acquire);
			if (i - tail >= RING_SLOTS)
				sched_yield();
		}
		q->slot[i % RING_SLOTS] = b;
		atomic_store_explicit(&q->head, i + 1, memory_order_release);
	}
	atomic_store_explicit(&q->final, i, memory_order_release);
	w->c->finished[w->owner] = i == w->ops;
	w->c->done[w->owner] = i;
}

/* The producer's stamp is checked here, in another thread: a block must
 * arrive as its allocator's caller left it. */
static void consume(struct worker *w)
{
	struct ring *q = w->ring;
	size_t k = 0;

	for (;;) {
		size_t head =
		    atomic_load_explicit(&q->head, memory_order_acquire);

		if (k == head) {
			if (atomic_load_explicit(&q->final,
						 memory_order_acquire) == k)
				break;
			sched_yield();
			continue;
		}
		for (; k < head; k++) {
			struct block b = q->slot[k % RING_SLOTS];

			if (b.tag != stamp_tag(w->owner - 1, k))
				mt_fail("worker %u: ring slot %zu out of "
					"order",
					w->owner, k);
			give_back(&b, w->owner);
		}
		atomic_store_explicit(&q->tail, k, memory_order_release);
	}
	w->c->finished[w->owner] = 1;
	w->c->done[w->owner] = k;
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(w->start);
	if (!w->ring)
		churn(w->c, w->owner, w->ops, w->seed);
	else if (w->owner % 2 == 0)
		produce(w);
	else
		consume(w);
	return NULL;
}

static struct timespec deadline_after(double secs)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += (time_t)secs;
	t.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* threads and remote: workers started together, joined by the deadline
 * or stopped at it. */
static uint64_t run_threads(const struct mt_params *p, struct control *c,
			    unsigned workers)
{
	static struct worker w[2 * MT_MAX_N];
	struct ring *rings = NULL;
	pthread_barrier_t start;
	struct timespec deadline;
	uint64_t t0;
	unsigned i;

	if (p->workload == MTW_REMOTE)
		rings = map_shared(p->n * sizeof *rings);
	pthread_barrier_init(&start, NULL, workers + 1);
	for (i = 0; i < workers; i++) {
		w[i] = (struct worker){
		    .c = c, .start = &start, .owner = i, .seed = p->seed};
		if (rings) {
			w[i].ring = &rings[i / 2];
			w[i].ops = p->ops / 2 / p->n;
			atomic_init(&rings[i / 2].final, SIZE_MAX);
		} else {
			w[i].ops = p->ops / workers;
		}
		if (pthread_create(&w[i].id, NULL, thread_main, &w[i]) != 0)
			mt_fail("cannot start thread %u", i);
	}
	pthread_barrier_wait(&start);
	t0 = now_ns();
	deadline = deadline_after(p->cap);
	for (i = 0; i < workers; i++) {
		if (p->cap > 0 &&
		    pthread_timedjoin_np(w[i].id, NULL, &deadline) == 0)
			continue;
		if (p->cap > 0)
			atomic_store(&c->stop, 1);
		pthread_join(w[i].id, NULL);
	}
	return now_ns() - t0;
}

static void reap_one(pid_t pid, int status, const pid_t *pids, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && pids[i] != pid; i++)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFSIGNALED(status))
		mt_fail("process %u killed by signal %d (%s)", i,
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	mt_fail("process %u exited with status %d", i, WEXITSTATUS(status));
}

/* procs: the workers are forked before the clock starts and wait for go;
 * SIGCHLD, blocked, is how the deadline and the exits are waited for. */
static uint64_t run_procs(const struct mt_params *p, struct control *c)
{
	pid_t pids[MT_MAX_N], parent = getpid();
	unsigned i, left = p->n;
	sigset_t chld;
	uint64_t t0, cap_ns = (uint64_t)(p->cap * 1e9);

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	fflush(NULL); /* nothing buffered may be written twice */
	for (i = 0; i < p->n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			mt_fail("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			/* a killed run must not leave workers spinning */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			while (!atomic_load(&c->go))
				sched_yield();
			churn(c, i, p->ops, p->seed);
			_exit(0);
		}
	}
	t0 = now_ns();
	atomic_store(&c->go, 1);
	while (left) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			reap_one(pid, status, pids, p->n);
			left--;
			continue;
		}
		if (pid < 0 && errno != EINTR)
			mt_fail("waitpid: %s", strerror(errno));
		if (cap_ns && !atomic_load(&c->stop)) {
			uint64_t spent = now_ns() - t0;
			struct timespec wait;

			if (spent >= cap_ns) {
				atomic_store(&c->stop, 1);
				continue;
			}
			wait.tv_sec = (time_t)((cap_ns - spent) / 1000000000u);
			wait.tv_nsec = (long)((cap_ns - spent) % 1000000000u);
			sigtimedwait(&chld, NULL, &wait);
		} else {
			sigwaitinfo(&chld, NULL);
		}
	}
	return now_ns() - t0;
}

void mt_work(const struct mt_params *p, struct mt_outcome *out)
{
	struct control *c = map_shared(sizeof *c);
	unsigned workers = p->workload == MTW_REMOTE ? 2 * p->n : p->n, i;

	if (p->n < 1 || p->n > MT_MAX_N)
		mt_fail("N must be 1..%d", MT_MAX_N);
	if (p->workload == MTW_PROCS)
		out->ns = run_procs(p, c);
	else
		out->ns = run_threads(p, c, workers);
	out->ops = 0;
	out->finished = 1;
	for (i = 0; i < workers; i++) {
		out->ops += c->done[i];
		out->finished &= c->finished[i];
	}
	munmap(c, sizeof *c);
}
