#include "tests/bench/run.h"

#include <stdio.h>
#include <string.h>

#include "tests/bench/replay.h"
#include "tests/bench/timing.h"
#include "tests/bench/workloads.h"

const size_t scaling_holes[SCALING_POINTS] = {1000, 10000, 100000};
const int table_allocs[TABLE_ALLOCS] = {ALLOC_MM_FAST, ALLOC_MM_CACHED,
					ALLOC_MM_CHECK, ALLOC_GLIBC};
/* in enum order: run_scaling's limit[] is indexed by allocator */
const int scaling_allocs[SCALING_ALLOCS] = {ALLOC_MM_FAST, ALLOC_MM_CHECK,
					    ALLOC_GLIBC, ALLOC_FIRST_FIT};
uint64_t timer_overhead;

static size_t timed_ops(const struct trace *t, size_t limit)
{
	size_t n = trace_timed(t);

	return limit && limit < n ? limit : n;
}

static double one_run(const struct allocator *a, const struct trace *t,
		      size_t limit)
{
	struct replay r;
	uint64_t ns;

	replay_open(&r, a, t);
	ns = replay_timed(&r, limit);
	replay_close(&r);
	return (double)ns / (double)timed_ops(t, limit);
}

/*
 * Time the allocators in `which` on t: one untimed warm-up each (page
 * faults, glibc growing its arena), then o->reps interleaved repetitions.
 * limit[i] caps the timed ops of which[i] (0: all).
 */
static void time_allocators(const struct trace *t, const int *which,
			    const size_t *limit, size_t n, unsigned reps,
			    struct spread *out)
{
	static double samples[ALLOC_COUNT][MAX_REPS];
	unsigned r;
	size_t k;

	for (k = 0; k < n; k++)
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
	}
}

void run_workload(const struct trace *t, const char *what,
		  const struct bench_opts *o, struct wl_result *out)
{
	const int *which = table_allocs;
	static const size_t no_limit[TABLE_ALLOCS];
	size_t k;

	memset(out, 0, sizeof *out);
	out->name = t->name;
	out->what = what;
	out->ops = trace_timed(t);
	out->peak_live = t->peak_live_bytes;
	for (k = 0; k < TABLE_ALLOCS; k++) {
		struct checked c;

		replay_checked(&allocators[which[k]], t, &c);
		out->footprint[which[k]] = c.footprint;
		out->ran[which[k]] = 1;
	}
	time_allocators(t, which, no_limit, TABLE_ALLOCS, o->reps, out->ns);
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
