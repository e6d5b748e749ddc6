/*
 * main.c - `make bench`: alloc's mm/ against the system malloc.
 *
 *   bench [--reps N] [--scale F] [--seed N] [--only WORKLOAD] [--param N]
 *         [--no-latency] [--no-scaling] [--cached-tid] [--out DIR]
 *   bench --smoke OPS [--only WORKLOAD]     checks only, for `make test`
 *   bench --list                            the workloads' names
 *   bench [--cached-tid] [--scale F] [--param N] --icount WORKLOAD ALLOCATOR
 *                                           one timed replay, for callgrind;
 *                                           N: live set, holes or objects
 *
 * Tables go to stdout (and DIR/bench.txt), progress to stderr, CSV files
 * to DIR. tests/bench/README.md says what each number means.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_ZERO_STATS
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(what)
#endif

#include "tests/bench/replay.h"
#include "tests/bench/report.h"
#include "tests/bench/run.h"
#include "tests/bench/timing.h"
#include "tests/bench/workloads.h"

/* Room for the largest workload (mixed: about 25 MiB live) many times
 * over; smoke traces are tiny, and a checking heap poisons all its memory
 * at creation, so they get less. */
#define REGION_BYTES	   ((size_t)256 << 20)
#define SMOKE_REGION_BYTES ((size_t)16 << 20)

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [--reps N] [--scale F] [--seed N] [--only "
		"WORKLOAD] [--param N]\n"
		"             [--no-latency] [--no-scaling] [--cached-tid] "
		"[--out DIR]\n"
		"       bench --smoke OPS [--only WORKLOAD]\n"
		"       bench --list\n"
		"       bench [--cached-tid] [--scale F] [--param N] --icount "
		"WORKLOAD ALLOCATOR\n");
	exit(2);
}

static const struct workload *selected(const char *only, size_t i)
{
	return only ? workload_find(only) : &workloads[i];
}

static size_t scaled(size_t ops, double scale)
{
	double n = (double)ops * scale;

	return n < 100 ? 100 : (size_t)n;
}

static int has_aligned(const struct trace *t)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (t->ops[i].kind == OP_ALIGNED)
			return 1;
	return 0;
}

/*
 * Every allocator through every loop, on a small trace: the checked replay
 * is what can fail (it exits); the timed and latency loops run so that a
 * broken one shows before a long `make bench` does.
 */
static int smoke(const struct workload *w, size_t ops, uint64_t seed)
{
	size_t param = w->param < ops ? w->param : ops;
	struct trace t;
	struct latency l;
	int a;

	trace_init(&t, w->name);
	w->generate(&t, seed, ops, param);
	latency_init(&l, &t);
	for (a = 0; a < ALLOC_COUNT; a++) {
		struct checked c;
		struct replay r;

		if (a == ALLOC_FIRST_FIT && has_aligned(&t))
			continue;
		replay_checked(&allocators[a], &t, &c);
		replay_open(&r, &allocators[a], &t);
		replay_timed(&r, 0);
		replay_close(&r);
		replay_open(&r, &allocators[a], &t);
		replay_latency(&r, &l);
		replay_close(&r);
	}
	latency_release(&l);
	trace_release(&t);
	printf("ok - bench smoke %s\n", w->name);
	return 0;
}

/* One timed replay; callgrind counts only what lies between the two
 * requests (and, with --toggle-collect=ax_*, only inside the allocator). */
static int icount(const char *wname, const char *aname, double scale,
		  uint64_t seed, size_t param)
{
	const struct workload *w = workload_find(wname);
	const struct allocator *a = allocator_find(aname);
	struct replay r;
	struct trace t;

	if (!w || !a) {
		fprintf(stderr, "bench: no workload %s or allocator %s\n",
			wname, aname);
		return 2;
	}
	trace_init(&t, w->name);
	w->generate(&t, seed, scaled(w->ops, scale), param ? param : w->param);
	replay_open(&r, a, &t);
	CALLGRIND_ZERO_STATS;
	replay_timed(&r, 0);
	CALLGRIND_DUMP_STATS_AT("timed");
	replay_close(&r);
	printf("ops %zu\n", trace_timed(&t));
	trace_release(&t);
	return 0;
}

static void write_csv(int rc, const char *path)
{
	if (rc != 0)
		fprintf(stderr, "bench: cannot write %s: %s\n", path,
			strerror(errno));
	else
		fprintf(stderr, "bench: wrote %s\n", path);
}

static void report_all(FILE *f, const struct bench_opts *o,
		       const struct wl_result *wr, size_t n,
		       const struct lat_result *lr,
		       const struct scale_result *sr)
{
	report_machine(f, o);
	report_workloads(f, wr, n, o->reps);
	if (lr)
		report_latency(f, lr, n);
	if (sr)
		report_scaling(f, sr, o->reps);
	report_targets(f, wr, n, sr);
}

int main(int argc, char **argv)
{
	static struct wl_result wr[16];
	static struct lat_result lr[16];
	static struct scale_result sr[SCALING_POINTS];
	struct bench_opts o = {7, 1.0, 1, NULL, 1, 1, 0};
	const char *out = "build/bench";
	size_t smoke_ops = 0, param = 0, n = 0, i;
	char path[512];
	FILE *txt;
	int argi;

	for (argi = 1; argi < argc; argi++) {
		const char *arg = argv[argi];
		const char *val = argi + 1 < argc ? argv[argi + 1] : NULL;

		if (strcmp(arg, "--no-latency") == 0) {
			o.latency = 0;
			continue;
		}
		if (strcmp(arg, "--no-scaling") == 0) {
			o.scaling = 0;
			continue;
		}
		if (strcmp(arg, "--list") == 0) {
			for (i = 0; i < workload_count; i++)
				printf("%s\n", workloads[i].name);
			return 0;
		}
		if (strcmp(arg, "--cached-tid") == 0) {
			o.cached_tid = 1;
			continue;
		}
		if (!val)
			usage();
		argi++;
		if (strcmp(arg, "--reps") == 0)
			o.reps = (unsigned)strtoul(val, NULL, 0);
		else if (strcmp(arg, "--scale") == 0)
			o.scale = strtod(val, NULL);
		else if (strcmp(arg, "--seed") == 0)
			o.seed = strtoull(val, NULL, 0);
		else if (strcmp(arg, "--only") == 0)
			o.only = val;
		else if (strcmp(arg, "--out") == 0)
			out = val;
		else if (strcmp(arg, "--param") == 0)
			param = strtoul(val, NULL, 0);
		else if (strcmp(arg, "--smoke") == 0)
			smoke_ops = strtoul(val, NULL, 0);
		else if (strcmp(arg, "--icount") == 0 && argi + 1 < argc) {
			allocators_init(REGION_BYTES, o.cached_tid);
			return icount(val, argv[argi + 1], o.scale, o.seed,
				      param);
		} else
			usage();
	}
	if (o.reps < 1 || o.reps > MAX_REPS || o.scale <= 0 ||
	    (o.only && !workload_find(o.only))) {
		fprintf(stderr,
			"bench: reps 1..%d, scale > 0, workloads:", MAX_REPS);
		for (i = 0; i < workload_count; i++)
			fprintf(stderr, " %s", workloads[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	allocators_init(smoke_ops ? SMOKE_REGION_BYTES : REGION_BYTES,
			o.cached_tid);
	if (smoke_ops) {
		for (i = 0; i < (o.only ? 1 : workload_count); i++)
			smoke(selected(o.only, i), smoke_ops, o.seed);
		return 0;
	}

	mkdir(out, 0777);
	timer_overhead = cycles_overhead();
	fprintf(stderr,
		"bench: %u runs of each workload on each allocator, then "
		"latency and scaling\n",
		o.reps);
	for (i = 0; i < (o.only ? 1 : workload_count); i++) {
		const struct workload *w = selected(o.only, i);
		struct trace t;

		fprintf(stderr, "bench: %s: generating, checking, timing\n",
			w->name);
		trace_init(&t, w->name);
		w->generate(&t, o.seed, scaled(w->ops, o.scale),
			    param ? param : w->param);
		run_workload(&t, w->what, &o, &wr[n]);
		if (o.latency) {
			fprintf(stderr, "bench: %s: latency\n", w->name);
			run_latency(&t, &lr[n]);
		}
		trace_release(&t);
		n++;
	}
	if (o.scaling)
		run_scaling(&o, sr);

	report_all(stdout, &o, wr, n, o.latency ? lr : NULL,
		   o.scaling ? sr : NULL);
	fflush(stdout); /* before the file names on stderr */
	snprintf(path, sizeof path, "%s/bench.txt", out);
	txt = fopen(path, "w");
	if (txt) {
		report_all(txt, &o, wr, n, o.latency ? lr : NULL,
			   o.scaling ? sr : NULL);
		fclose(txt);
	}
	snprintf(path, sizeof path, "%s/bench.csv", out);
	write_csv(csv_workloads(path, wr, n, o.reps), path);
	if (o.latency) {
		snprintf(path, sizeof path, "%s/latency.csv", out);
		write_csv(csv_latency(path, lr, n), path);
	}
	if (o.scaling) {
		snprintf(path, sizeof path, "%s/scaling.csv", out);
		write_csv(csv_scaling(path, sr), path);
	}
	return 0;
}
