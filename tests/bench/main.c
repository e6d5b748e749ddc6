/*
 * main.c - `make bench`: alloc's mm/ against the system malloc.
 *
 *   bench [--quick] [--reps N] [--scale F] [--seed N] [--only W[,W...]]
 *         [--param N] [--no-latency] [--no-scaling] [--cached-tid]
 *         [--mt-reps N] [--mt-ops N] [--proc-ops N] [--cap S]
 *         [--proc-cap S] [--out DIR]
 *   bench --smoke OPS [--only WORKLOAD] [--mt-config NAME] [--cap S]
 *         [--hard-cap S]                    checks only, for `make test`
 *   bench --list                            the workloads' names
 *   bench --libraries                       the preloaded mallocs found
 *   bench [--cached-tid] [--scale F] [--param N] --icount WORKLOAD ALLOCATOR
 *                                           one timed replay, for callgrind;
 *                                           N: live set, holes or objects
 *   bench [--pairs N] --icount-pair CONFIG  N malloc(32)/free pairs, for
 *                                           callgrind (mtalloc.h's names)
 *   bench --trace-child WORKLOAD OPS PARAM SEED
 *                                           one warm-up and one timed replay
 *                                           under LD_PRELOAD; what run.c
 *                                           starts
 *   bench --mt-child WORKLOAD CONFIG N OPS CAP SEED
 *                                           one run of threads, remote or
 *                                           procs; what mtrun.c starts
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
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_ZERO_STATS
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(what)
#endif

#include "tests/bench/mtreport.h"
#include "tests/bench/mtrun.h"
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

static _Noreturn void usage(void)
{
	fprintf(stderr,
		"usage: bench [--quick] [--reps N] [--scale F] [--seed N] "
		"[--only W[,W...]]\n"
		"             [--param N] [--no-latency] [--no-scaling] "
		"[--cached-tid]\n"
		"             [--mt-reps N] [--mt-ops N] [--proc-ops N] "
		"[--cap S] [--proc-cap S]\n"
		"             [--out DIR]\n"
		"       bench --smoke OPS [--only WORKLOAD] [--mt-config NAME] "
		"[--cap S] [--hard-cap S]\n"
		"       bench --list | --libraries\n"
		"       bench [--cached-tid] [--scale F] [--param N] --icount "
		"WORKLOAD ALLOCATOR\n"
		"       bench [--pairs N] --icount-pair CONFIG\n"
		"       bench --mt-child WORKLOAD CONFIG N OPS CAP SEED\n");
	exit(2);
}

/* only: NULL (everything) or a comma-separated list of workloads. */
static int wanted(const char *only, const char *name)
{
	size_t len = strlen(name);
	const char *p = only;

	if (!only)
		return 1;
	while ((p = strstr(p, name)) != NULL) {
		if ((p == only || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

static int any_trace_wanted(const char *only)
{
	size_t i;

	for (i = 0; i < workload_count; i++)
		if (wanted(only, workloads[i].name))
			return 1;
	return 0;
}

/* Every name in only must be a workload; 0 when one is not. */
static int only_is_valid(const char *only)
{
	char name[32];
	const char *p = only;

	while (p && *p) {
		size_t len = strcspn(p, ",");

		if (len == 0 || len >= sizeof name)
			return 0;
		memcpy(name, p, len);
		name[len] = '\0';
		if (!workload_find(name) && mt_workload_find(name) < 0)
			return 0;
		p += len + (p[len] == ',');
	}
	return 1;
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

		if ((a == ALLOC_FIRST_FIT && has_aligned(&t)) ||
		    allocators[a].preload)
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

/* N malloc(32)/free pairs on one configuration: callgrind counts the
 * pairs only, inside the ax_* wrappers of mtalloc.c. */
static int icount_pair(const char *config, size_t pairs)
{
	int kind = mt_config_find(config);
	size_t i;

	if (kind < 0 || kind >= MT_MEASURED) {
		fprintf(stderr,
			"bench: no configuration %s (mm-cached, "
			"mm-locked, mm-nohooks, mm-mutex, libc)\n",
			config);
		return 2;
	}
	mt_open((enum mt_kind)kind, 0);
	for (i = 0; i < 1000; i++) /* first touches, the caches filled */
		mt_free(mt_malloc(32));
	CALLGRIND_ZERO_STATS;
	for (i = 0; i < pairs; i++) {
		unsigned char *p = mt_malloc(32);

		*(volatile unsigned char *)p = (unsigned char)i;
		mt_free(p);
	}
	CALLGRIND_DUMP_STATS_AT("pairs");
	printf("ops %zu\n", pairs);
	printf("malloc %s\n", mt_malloc_name());
	return 0;
}

/*
 * --trace-child WORKLOAD OPS PARAM SEED: what run.c starts under
 * LD_PRELOAD. The same trace as the parent's, one warm-up replay as the
 * parent gives each allocator, then one timed.
 */
static void trace_child(int argc, char **argv, int argi)
{
	const struct workload *w;
	struct replay r;
	struct trace t;
	uint64_t ns;

	if (argc - argi < 4 || !(w = workload_find(argv[argi])))
		usage();
	trace_init(&t, w->name);
	w->generate(&t, strtoull(argv[argi + 3], NULL, 0),
		    strtoul(argv[argi + 1], NULL, 0),
		    strtoul(argv[argi + 2], NULL, 0));
	replay_open(&r, &allocators[ALLOC_GLIBC], &t);
	replay_timed(&r, 0);
	replay_close(&r);
	replay_open(&r, &allocators[ALLOC_GLIBC], &t);
	ns = replay_timed(&r, 0);
	replay_close(&r);
	printf("trace-result %.4f %s\n", (double)ns / (double)trace_timed(&t),
	       mt_malloc_name());
	trace_release(&t);
	exit(0);
}

/* --mt-child WORKLOAD CONFIG N OPS CAP SEED */
static void mt_child(int argc, char **argv, int argi)
{
	struct mt_params p;
	int w, k;

	if (argc - argi < 6)
		usage();
	w = mt_workload_find(argv[argi]);
	k = mt_config_find(argv[argi + 1]);
	if (w < 0 || k < 0)
		usage();
	p.workload = (enum mt_workload)w;
	p.kind = (enum mt_kind)k;
	p.n = (unsigned)strtoul(argv[argi + 2], NULL, 0);
	p.ops = strtoul(argv[argi + 3], NULL, 0);
	p.cap = strtod(argv[argi + 4], NULL);
	p.seed = strtoull(argv[argi + 5], NULL, 0);
	spawn_child(&p);
}

static void list_libraries(void)
{
	int k;

	mt_find_libraries();
	for (k = 0; k < MT_COLUMNS; k++)
		if (mt_columns[k].soname)
			printf("%s %s %s\n", mt_columns[k].name,
			       mt_columns[k].path[0] ? mt_columns[k].path
						     : "missing",
			       mt_columns[k].package);
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
		       const struct scale_result *sr,
		       const struct mt_result *mt[MTW_COUNT])
{
	int w;

	report_machine(f, o);
	if (n)
		report_workloads(f, wr, n, o->reps);
	if (lr && n)
		report_latency(f, lr, n);
	if (sr)
		report_scaling(f, sr, o->reps);
	if (n || sr)
		report_targets(f, wr, n, sr);
	for (w = 0; w < MTW_COUNT; w++)
		if (mt[w])
			report_mt(f, mt[w]);
	report_mt_targets(f, mt[MTW_THREADS], mt[MTW_REMOTE], mt[MTW_PROCS], wr,
			  n);
}

/* The smaller sizes of BENCH_ARGS=--quick, for a look in a minute. */
static void quick(struct bench_opts *o, struct mt_opts *m)
{
	o->reps = 3;
	o->scale = 0.3;
	m->reps = 3;
	m->ops = 1000000;
	m->proc_ops = 100000;
	m->cap = 1.5;
	m->proc_cap = 10;
}

static int smoke_all(const char *only, size_t ops, uint64_t seed,
		     const char *config, double cap, double hard_cap)
{
	size_t i;
	int w, failed = 0;

	if (config && mt_config_find(config) < 0) {
		fprintf(stderr, "bench: no configuration %s:", config);
		for (w = 0; w < MT_KINDS; w++)
			fprintf(stderr, " %s", mt_configs[w].name);
		fprintf(stderr, "\n");
		return 2;
	}
	if (!config)
		for (i = 0; i < workload_count; i++)
			if (wanted(only, workloads[i].name))
				smoke(&workloads[i], ops, seed);
	mt_find_libraries();
	for (w = 0; w < MTW_COUNT; w++) {
		if (!wanted(only, mt_workloads[w].name))
			continue;
		if (mt_smoke((enum mt_workload)w, ops, config, cap, hard_cap) ==
		    0)
			printf("ok - bench smoke %s\n", mt_workloads[w].name);
		else
			failed = 1;
	}
	return failed;
}

int main(int argc, char **argv)
{
	static struct wl_result wr[16];
	static struct lat_result lr[16];
	static struct scale_result sr[SCALING_POINTS];
	static struct mt_result mtr[MTW_COUNT];
	const struct mt_result *mt[MTW_COUNT] = {NULL};
	struct bench_opts o = {7, 1.0, 1, NULL, 1, 1, 0};
	struct mt_opts m = {5, 4000000, 300000, 3, 30, 1};
	const char *out = "build/bench", *config = NULL;
	size_t smoke_ops = 0, param = 0, pairs = 100000, n = 0, i;
	double hard_cap = 300, smoke_cap = 0;
	char path[512];
	FILE *txt;
	int argi, w, failed = 0;

	for (argi = 1; argi < argc; argi++) {
		const char *arg = argv[argi];
		const char *val = argi + 1 < argc ? argv[argi + 1] : NULL;

		if (strcmp(arg, "--mt-child") == 0)
			mt_child(argc, argv, argi + 1);
		if (strcmp(arg, "--trace-child") == 0)
			trace_child(argc, argv, argi + 1);
		if (strcmp(arg, "--no-latency") == 0) {
			o.latency = 0;
			continue;
		}
		if (strcmp(arg, "--no-scaling") == 0) {
			o.scaling = 0;
			continue;
		}
		if (strcmp(arg, "--quick") == 0) {
			quick(&o, &m);
			continue;
		}
		if (strcmp(arg, "--list") == 0) {
			for (i = 0; i < workload_count; i++)
				printf("%s\n", workloads[i].name);
			for (w = 0; w < MTW_COUNT; w++)
				printf("%s\n", mt_workloads[w].name);
			return 0;
		}
		if (strcmp(arg, "--libraries") == 0) {
			list_libraries();
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
			o.seed = m.seed = strtoull(val, NULL, 0);
		else if (strcmp(arg, "--only") == 0)
			o.only = val;
		else if (strcmp(arg, "--out") == 0)
			out = val;
		else if (strcmp(arg, "--param") == 0)
			param = strtoul(val, NULL, 0);
		else if (strcmp(arg, "--smoke") == 0)
			smoke_ops = strtoul(val, NULL, 0);
		else if (strcmp(arg, "--mt-reps") == 0)
			m.reps = (unsigned)strtoul(val, NULL, 0);
		else if (strcmp(arg, "--mt-ops") == 0)
			m.ops = strtoul(val, NULL, 0);
		else if (strcmp(arg, "--proc-ops") == 0)
			m.proc_ops = strtoul(val, NULL, 0);
		else if (strcmp(arg, "--cap") == 0)
			m.cap = smoke_cap = strtod(val, NULL);
		else if (strcmp(arg, "--proc-cap") == 0)
			m.proc_cap = strtod(val, NULL);
		else if (strcmp(arg, "--hard-cap") == 0)
			hard_cap = strtod(val, NULL);
		else if (strcmp(arg, "--mt-config") == 0)
			config = val;
		else if (strcmp(arg, "--pairs") == 0)
			pairs = strtoul(val, NULL, 0);
		else if (strcmp(arg, "--icount-pair") == 0)
			return icount_pair(val, pairs);
		else if (strcmp(arg, "--icount") == 0 && argi + 1 < argc) {
			allocators_init(REGION_BYTES, o.cached_tid);
			return icount(val, argv[argi + 1], o.scale, o.seed,
				      param);
		} else
			usage();
	}
	if (o.reps < 1 || o.reps > MAX_REPS || o.scale <= 0 || m.reps < 1 ||
	    m.reps > MT_MAX_REPS || m.cap <= 0 || m.proc_cap <= 0 ||
	    m.ops < 1000 || m.proc_ops < 100 || !only_is_valid(o.only)) {
		fprintf(stderr,
			"bench: reps and mt-reps 1..%d, scale, cap and "
			"proc-cap > 0, mt-ops >= 1000, proc-ops >= 100; "
			"workloads:",
			MAX_REPS);
		for (i = 0; i < workload_count; i++)
			fprintf(stderr, " %s", workloads[i].name);
		for (w = 0; w < MTW_COUNT; w++)
			fprintf(stderr, " %s", mt_workloads[w].name);
		fprintf(stderr, "\n");
		return 2;
	}
	allocators_init(smoke_ops ? SMOKE_REGION_BYTES : REGION_BYTES,
			o.cached_tid);
	if (smoke_ops)
		return smoke_all(o.only, smoke_ops, o.seed, config, smoke_cap,
				 hard_cap);

	mkdir(out, 0777);
	timer_overhead = cycles_overhead();
	fprintf(stderr,
		"bench: %u runs of each trace workload on each allocator, "
		"then latency and scaling;\n"
		"bench: %u of threads, remote and procs, each in a child "
		"process\n",
		o.reps, m.reps);
	mt_find_libraries();
	for (i = 0; i < workload_count; i++) {
		const struct workload *wl = &workloads[i];
		struct trace t;

		if (!wanted(o.only, wl->name))
			continue;
		fprintf(stderr, "bench: %s: generating, checking, timing\n",
			wl->name);
		trace_init(&t, wl->name);
		t.seed = o.seed;
		t.gen_ops = scaled(wl->ops, o.scale);
		t.gen_param = param ? param : wl->param;
		wl->generate(&t, t.seed, t.gen_ops, t.gen_param);
		run_workload(&t, wl->what, &o, &wr[n]);
		if (o.latency) {
			fprintf(stderr, "bench: %s: latency\n", wl->name);
			run_latency(&t, &lr[n]);
		}
		trace_release(&t);
		n++;
	}
	if (o.scaling && any_trace_wanted(o.only))
		run_scaling(&o, sr);
	for (w = 0; w < MTW_COUNT; w++) {
		if (!wanted(o.only, mt_workloads[w].name))
			continue;
		mt_measure((enum mt_workload)w, &m, &mtr[w]);
		mt[w] = &mtr[w];
		failed |= mt_any_failed(&mtr[w]);
	}

	report_all(stdout, &o, wr, n, o.latency ? lr : NULL,
		   o.scaling && any_trace_wanted(o.only) ? sr : NULL, mt);
	fflush(stdout); /* before the file names on stderr */
	snprintf(path, sizeof path, "%s/bench.txt", out);
	txt = fopen(path, "w");
	if (txt) {
		report_all(txt, &o, wr, n, o.latency ? lr : NULL,
			   o.scaling && any_trace_wanted(o.only) ? sr : NULL,
			   mt);
		fclose(txt);
	}
	if (n) {
		snprintf(path, sizeof path, "%s/bench.csv", out);
		write_csv(csv_workloads(path, wr, n, o.reps), path);
	}
	if (o.latency && n) {
		snprintf(path, sizeof path, "%s/latency.csv", out);
		write_csv(csv_latency(path, lr, n), path);
	}
	if (o.scaling && any_trace_wanted(o.only)) {
		snprintf(path, sizeof path, "%s/scaling.csv", out);
		write_csv(csv_scaling(path, sr), path);
	}
	snprintf(path, sizeof path, "%s/mt.csv", out);
	unlink(path);
	for (w = 0; w < MTW_COUNT; w++)
		if (mt[w] && csv_mt(path, mt[w], access(path, F_OK) != 0) != 0)
			write_csv(-1, path);
	if (access(path, F_OK) == 0)
		write_csv(0, path);
	if (failed)
		fprintf(stderr, "bench: some runs FAILED (see above): mm/ "
				"handed out a wrong block or left its heap "
				"inconsistent\n");
	return failed;
}
