#include "tests/bench/run.h"

#include <stdio.h>
#include <string.h>

#include "tests/bench/mtrun.h"
#include "tests/bench/replay.h"
#include "tests/bench/spawn.h"
#include "tests/bench/timing.h"
#include "tests/bench/workloads.h"

const size_t scaling_holes[SCALING_POINTS] = {1000, 10000, 100000};
const int table_allocs[TABLE_ALLOCS] = {
    ALLOC_MM_FAST,  ALLOC_MM_CACHED, ALLOC_MM_CHECK, ALLOC_GLIBC,
    ALLOC_JEMALLOC, ALLOC_MIMALLOC,  ALLOC_TCMALLOC};
/* in enum order: run_scaling's limit[] is indexed by allocator */
const int scaling_allocs[SCALING_ALLOCS] = {ALLOC_MM_FAST, ALLOC_MM_CHECK,
					    ALLOC_GLIBC, ALLOC_FIRST_FIT};
uint64_t timer_overhead;

static size_t timed_ops(const struct trace *t, size_t limit)
{
	size_t n = trace_timed(t);

	return limit && limit < n ? limit : n;
}

/* Generating, one warm-up and one timed replay: well under a second even
 * for mixed; the cap only keeps a broken library from hanging the bench. */
#define EXTERNAL_CAP 120.0

/*
 * The same trace, timed in a child process with a.preload's library as
 * its malloc (bench --trace-child): ns per op, or -1 when the child
 * failed, which is said on stderr.
 */
static double external_run(const struct allocator *a, const struct trace *t)
{
	static char output[4096];
	int col = mt_column_find(a->preload);
	char ops[32], param[32], seed[32], got[16] = "";
	char *argv[] = {
	    "bench", "--trace-child", (char *)t->name, ops, param, seed, NULL};
	double ns = -1;
	const char *line;

	snprintf(ops, sizeof ops, "%zu", t->gen_ops);
	snprintf(param, sizeof param, "%zu", t->gen_param);
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)t->seed);
	if (spawn_capture(argv, mt_columns[col].path, EXTERNAL_CAP, output,
			  sizeof output) != SPAWN_OK) {
		output[strcspn(output, "\n")] = '\0';
		fprintf(stderr, "bench: %s on %s failed: %s\n", a->name,
			t->name, *output ? output : "killed at the cap");
		return -1;
	}
	line = strstr(output, "trace-result ");
	if (!line || sscanf(line, "trace-result %lf %15s", &ns, got) != 2 ||
	    strcmp(got, a->preload) != 0) {
		fprintf(stderr,
			"bench: %s on %s: the child's malloc is %s (LD_PRELOAD "
			"did not take?): %.200s\n",
			a->name, t->name, *got ? got : "unknown", output);
		return -1;
	}
	return ns;
}

static double one_run(const struct allocator *a, const struct trace *t,
		      size_t limit)
{
	struct replay r;
	uint64_t ns;

	if (a->preload)
		return external_run(a, t);

	replay_open(&r, a, t);
	ns = replay_timed(&r, limit);
	replay_close(&r);
	return (double)ns / (double)timed_ops(t, limit);
}

/*
 * Time the allocators in `which` on t: one untimed warm-up each (page
 * faults, glibc growing its arena), then o->reps interleaved repetitions.
 * limit[i] caps the timed ops of which[i] (0: all). A preloaded malloc
 * warms up in each of its children; when one of them fails, the median
 * is -1.
 */
static void time_allocators(const struct trace *t, const int *which,
			    const size_t *limit, size_t n, unsigned reps,
			    struct spread *out)
{
	static double samples[ALLOC_COUNT][MAX_REPS];
	unsigned r;
	size_t k;

	for (k = 0; k < n; k++)
		if (!allocators[which[k]].preload)
			one_run(&allocators[which[k]], t, limit[k]);
	for (r = 0; r < reps; r++) {
		for (k = 0; k < n; k++) {
			size_t j = (k + r) % n;

			samples[which[j]][r] =
			    one_run(&allocators[which[j]], t, limit[j]);
		}
	}
	for (k = 0; k < n; k++) {
		double *s = samples[which[k]];
		struct spread *sp = &out[which[k]];

		sp->median = median_double(s, reps); /* sorts s */
		sp->min = s[0];
		sp->max = s[reps - 1];
		if (s[0] < 0)
			sp->median = -1;
	}
}

/* In-process allocators always; preloaded ones when installed. */
static int available(int a)
{
	const char *p = allocators[a].preload;

	return !p || mt_columns[mt_column_find(p)].path[0];
}

void run_workload(const struct trace *t, const char *what,
		  const struct bench_opts *o, struct wl_result *out)
{
	static const size_t no_limit[TABLE_ALLOCS];
	int which[TABLE_ALLOCS];
	size_t k, n = 0;

	memset(out, 0, sizeof *out);
	out->name = t->name;
	out->what = what;
	out->ops = trace_timed(t);
	out->peak_live = t->peak_live_bytes;
	for (k = 0; k < TABLE_ALLOCS; k++) {
		int a = table_allocs[k];
		struct checked c;

		if (!available(a))
			continue;
		which[n++] = a;
		if (allocators[a].preload)
			continue; /* not checked: not ours */
		replay_checked(&allocators[a], t, &c);
		out->footprint[a] = c.footprint;
	}
	time_allocators(t, which, no_limit, n, o->reps, out->ns);
	for (k = 0; k < n; k++)
		out->ran[which[k]] = out->ns[which[k]].median >= 0;
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return c < lo ? lo : c > hi ? hi : c;
}

_Static_assert(LATENCY_REPS == 3, "max_raw is the median of three");

static uint64_t max_of(const uint64_t *v, size_t n)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

/* best[i] = min(best[i], v[i]); r == 0 starts afresh. */
static void keep_least(uint64_t *best, const uint64_t *v, size_t n, unsigned r)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r == 0 || v[i] < best[i])
			best[i] = v[i];
}

static void summarize(uint64_t *v, size_t n, const uint64_t raw[3],
		      struct lat_stats *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = v[i] > timer_overhead ? v[i] - timer_overhead : 0;
	sort_u64(v, n);
	s->count = n;
	s->p50 = quantile_u64(v, n, 0.5);
	s->p99 = quantile_u64(v, n, 0.99);
	s->p999 = quantile_u64(v, n, 0.999);
	s->max = n ? v[n - 1] : 0;
	s->max_raw = median3(raw[0], raw[1], raw[2]);
	s->max_raw =
	    s->max_raw > timer_overhead ? s->max_raw - timer_overhead : 0;
}

/* Not interleaved: taking each call's least cost already removes the
 * noise that interleaving spreads out. */
void run_latency(const struct trace *t, struct lat_result *out)
{
	const int *which = table_allocs;
	struct latency l, best;
	uint64_t raw[CALLS][LATENCY_REPS];
	unsigned r;
	size_t k;

	memset(out, 0, sizeof *out);
	out->name = t->name;
	latency_init(&l, t);
	latency_init(&best, t);
	for (k = 0; k < TABLE_ALLOCS; k++) {
		int a = which[k];
		struct lat_stats *s = out->call[a];

		if (allocators[a].preload)
			continue; /* timed in children: no per-call cycles */
		for (r = 0; r < LATENCY_REPS; r++) {
			struct replay rp;

			replay_open(&rp, &allocators[a], t);
			replay_latency(&rp, &l);
			replay_close(&rp);
			keep_least(best.alloc, l.alloc, l.nalloc, r);
			keep_least(best.realloc, l.realloc, l.nrealloc, r);
			keep_least(best.free, l.free, l.nfree, r);
			raw[CALL_ALLOC][r] = max_of(l.alloc, l.nalloc);
			raw[CALL_REALLOC][r] = max_of(l.realloc, l.nrealloc);
			raw[CALL_FREE][r] = max_of(l.free, l.nfree);
		}
		summarize(best.alloc, l.nalloc, raw[CALL_ALLOC],
			  &s[CALL_ALLOC]);
		summarize(best.realloc, l.nrealloc, raw[CALL_REALLOC],
			  &s[CALL_REALLOC]);
		summarize(best.free, l.nfree, raw[CALL_FREE], &s[CALL_FREE]);
		out->ran[a] = 1;
	}
	latency_release(&l);
	latency_release(&best);
}

/*
 * Cost per op against the number of holes. The first-fit reference walks
 * every hole on every call, so it gets fewer ops as holes grow: about 2e7
 * hole visits per run, which keeps it to a fraction of a second.
 */
void run_scaling(const struct bench_opts *o,
		 struct scale_result out[SCALING_POINTS])
{
	const int *which = scaling_allocs;
	size_t ops = (size_t)(100000 * o->scale), i, k;

	if (ops < 1000)
		ops = 1000;
	for (i = 0; i < SCALING_POINTS; i++) {
		size_t holes = scaling_holes[i];
		size_t limit[ALLOC_COUNT] = {0};
		struct trace t;

		fprintf(stderr, "bench: scaling, %zu holes\n", holes);
		trace_init(&t, "holes");
		workload_holes(&t, o->seed, ops, holes);
		limit[ALLOC_FIRST_FIT] = 20000000 / holes;
		if (limit[ALLOC_FIRST_FIT] < 200)
			limit[ALLOC_FIRST_FIT] = 200;
		memset(&out[i], 0, sizeof out[i]);
		out[i].holes = holes;
		time_allocators(&t, which, limit, SCALING_ALLOCS, o->reps,
				out[i].ns);
		for (k = 0; k < SCALING_ALLOCS; k++)
			out[i].ops[which[k]] = timed_ops(&t, limit[k]);
		trace_release(&t);
	}
}
