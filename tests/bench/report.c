#define _GNU_SOURCE
#include "tests/bench/report.h"

#include <gnu/libc-version.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* "model name" from /proc/cpuinfo: what lscpu prints as Model name. */
static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			snprintf(buf, len, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

void report_machine(FILE *f, const struct bench_opts *o)
{
	char model[128], date[32];
	struct utsname u;
	time_t now = time(NULL);

	cpu_model(model, sizeof model);
	if (uname(&u) != 0)
		snprintf(u.release, sizeof u.release, "?");
	strftime(date, sizeof date, "%Y-%m-%d %H:%M", localtime(&now));
	fprintf(f, "alloc benchmark, %s\n", date);
	fprintf(f, "  cpu:   %s, %ld online\n", model,
		sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "  build: gcc %s -O2, glibc %s, linux %s\n", __VERSION__,
		gnu_get_libc_version(), u.release);
	fprintf(f, "  runs:  %u interleaved repetitions, seed %llu, scale %g\n",
		o->reps, (unsigned long long)o->seed, o->scale);
	fprintf(f, "  mm/ hooks: %s\n",
		o->cached_tid ? "the bench's, cpu_id cached per thread "
				"(--cached-tid)"
			      : "host/ mm_host_init(), as shipped");
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

void report_workloads(FILE *f, const struct wl_result *r, size_t n,
		      unsigned reps)
{
	size_t i, k;

	fprintf(f,
		"\ntime per operation: median of %u runs (min..max), heap "
		"lock taken as in real use\n",
		reps);
	fprintf(f, "%-8s %8s  %-9s %8s  %-17s %7s  %9s\n", "workload", "ops",
		"allocator", "ns/op", "(min..max)", "x glibc", "footprint");
	for (i = 0; i < n; i++) {
		for (k = 0; k < TABLE_ALLOCS; k++) {
			int a = table_allocs[k];
			const struct spread *s = &r[i].ns[a];
			char range[40], frag[16] = "-", ops[24] = "";

			if (!r[i].ran[a])
				continue;
			snprintf(range, sizeof range, "(%.1f..%.1f)", s->min,
				 s->max);
			if (r[i].footprint[a])
				snprintf(frag, sizeof frag, "%.3f",
					 ratio((double)r[i].footprint[a],
					       (double)r[i].peak_live));
			if (k == 0)
				snprintf(ops, sizeof ops, "%zu", r[i].ops);
			fprintf(f, "%-8s %8s  %-9s %8.1f  %-17s %7.2f  %9s\n",
				k ? "" : r[i].name, ops, allocators[a].name,
				s->median, range,
				ratio(s->median, r[i].ns[ALLOC_GLIBC].median),
				frag);
		}
	}
	fprintf(f, "footprint = highest end of a block handed out (from the "
		   "region start)\n"
		   "            / peak live requested bytes; 1.000 would be no "
		   "waste at all\n");
	for (i = 0; i < n; i++)
		fprintf(f, "  %-8s %s\n", r[i].name, r[i].what);
	fprintf(f, "jemalloc, mimalloc, tcmalloc: LD_PRELOADed into a child "
		   "process for each run, after\none warm-up replay there "
		   "(the others run in this process); one not installed has no "
		   "row\n");
}

static void lat_cells(FILE *f, const struct lat_stats *s)
{
	if (!s->count) {
		fprintf(f, " %6s %6s %6s %8s", "-", "-", "-", "-");
		return;
	}
	fprintf(f, " %6llu %6llu %6llu %8llu", (unsigned long long)s->p50,
		(unsigned long long)s->p99, (unsigned long long)s->p999,
		(unsigned long long)s->max);
}

void report_latency(FILE *f, const struct lat_result *r, size_t n)
{
	size_t i, k;

	fprintf(f,
		"\nsingle-call latency in cycles: rdtsc around each call, %llu "
		"cycles of timer\noverhead subtracted; each call's least cost "
		"over %d runs of the same trace,\nwhich drops interrupts and "
		"preemption (max_raw in latency.csv keeps them)\n",
		(unsigned long long)timer_overhead, LATENCY_REPS);
	fprintf(f, "%-8s  %-9s %-29s %-29s\n", "", "",
		"  ------ alloc ------------", "  ------ free -------------");
	fprintf(f, "%-8s  %-9s %6s %6s %6s %8s %6s %6s %6s %8s\n", "workload",
		"allocator", "p50", "p99", "p99.9", "max", "p50", "p99",
		"p99.9", "max");
	for (i = 0; i < n; i++) {
		for (k = 0; k < TABLE_ALLOCS; k++) {
			int a = table_allocs[k];

			if (!r[i].ran[a])
				continue;
			fprintf(f, "%-8s  %-9s", k ? "" : r[i].name,
				allocators[a].name);
			lat_cells(f, &r[i].call[a][CALL_ALLOC]);
			lat_cells(f, &r[i].call[a][CALL_FREE]);
			fprintf(f, "\n");
		}
	}
	fprintf(f, "alloc = malloc, calloc and aligned_alloc; realloc is in "
		   "latency.csv\n");
}

void report_scaling(FILE *f, const struct scale_result *r, unsigned reps)
{
	size_t i, k;

	fprintf(f,
		"\nscaling: ns/op on the holes workload against the number of "
		"free holes\n(median of %u runs; first-fit is a naive list "
		"scan, a reference line only)\n",
		reps);
	fprintf(f, "%8s", "holes");
	for (k = 0; k < SCALING_ALLOCS; k++)
		fprintf(f, " %11s", allocators[scaling_allocs[k]].name);
	fprintf(f, "\n");
	for (i = 0; i < SCALING_POINTS; i++) {
		fprintf(f, "%8zu", r[i].holes);
		for (k = 0; k < SCALING_ALLOCS; k++)
			fprintf(f, " %11.1f",
				r[i].ns[scaling_allocs[k]].median);
		fprintf(f, "\n");
	}
	fprintf(f, "%8s", "last/1st");
	for (k = 0; k < SCALING_ALLOCS; k++)
		fprintf(
		    f, " %10.2fx",
		    ratio(r[SCALING_POINTS - 1].ns[scaling_allocs[k]].median,
			  r[0].ns[scaling_allocs[k]].median));
	fprintf(f, "\n");
}

static const struct wl_result *find(const struct wl_result *r, size_t n,
				    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(r[i].name, name) == 0)
			return &r[i];
	return NULL;
}

static void target(FILE *f, const char *what, double goal, double got)
{
	fprintf(f, "  %-44s <= %5.2f  %6.2f  %s\n", what, goal, got,
		got <= goal ? "met" : "MISSED");
}

void report_targets(FILE *f, const struct wl_result *r, size_t n,
		    const struct scale_result *s)
{
	const struct wl_result *mixed = find(r, n, "mixed");
	const struct wl_result *small = find(r, n, "small");
	double worst_check = 0;
	const char *worst_name = "";
	char what[64];
	size_t i;

	fprintf(f, "\ntargets of issue 6 (goals, not test assertions)\n");
	fprintf(f, "  %-44s %8s  %6s\n", "", "goal", "now");
	if (mixed) {
		target(f, "mixed: mm-fast time / glibc time", 0.70,
		       ratio(mixed->ns[ALLOC_MM_FAST].median,
			     mixed->ns[ALLOC_GLIBC].median));
		target(f, "mixed: footprint / peak live (mm-fast)", 1.25,
		       ratio((double)mixed->footprint[ALLOC_MM_FAST],
			     (double)mixed->peak_live));
	}
	if (small)
		target(f, "small: mm-fast time / glibc time", 1.20,
		       ratio(small->ns[ALLOC_MM_FAST].median,
			     small->ns[ALLOC_GLIBC].median));
	for (i = 0; i < n; i++) {
		double c = ratio(r[i].ns[ALLOC_MM_CHECK].median,
				 r[i].ns[ALLOC_MM_FAST].median);

		if (c > worst_check) {
			worst_check = c;
			worst_name = r[i].name;
		}
	}
	if (n) {
		snprintf(what, sizeof what, "mm-check / mm-fast (worst: %s)",
			 worst_name);
		target(f, what, 3.0, worst_check);
	}
	if (s)
		target(f, "mm-fast 100000 holes / 1000 holes", 1.30,
		       ratio(s[SCALING_POINTS - 1].ns[ALLOC_MM_FAST].median,
			     s[0].ns[ALLOC_MM_FAST].median));
}

int csv_workloads(const char *path, const struct wl_result *r, size_t n,
		  unsigned reps)
{
	FILE *f = fopen(path, "w");
	size_t i, k;

	if (!f)
		return -1;
	fprintf(f, "workload,allocator,timed_ops,reps,median_ns,min_ns,max_ns,"
		   "ratio_vs_glibc,footprint_bytes,peak_live_bytes,"
		   "fragmentation\n");
	for (i = 0; i < n; i++) {
		for (k = 0; k < TABLE_ALLOCS; k++) {
			int a = table_allocs[k];
			const struct spread *s = &r[i].ns[a];

			if (!r[i].ran[a])
				continue;
			fprintf(f, "%s,%s,%zu,%u,%.2f,%.2f,%.2f,%.3f,%zu,%zu,",
				r[i].name, allocators[a].name, r[i].ops, reps,
				s->median, s->min, s->max,
				ratio(s->median, r[i].ns[ALLOC_GLIBC].median),
				r[i].footprint[a], r[i].peak_live);
			if (r[i].footprint[a])
				fprintf(f, "%.4f\n",
					ratio((double)r[i].footprint[a],
					      (double)r[i].peak_live));
			else
				fprintf(f, "\n");
		}
	}
	return fclose(f) == 0 ? 0 : -1;
}

int csv_latency(const char *path, const struct lat_result *r, size_t n)
{
	static const char *const calls[CALLS] = {"alloc", "realloc", "free"};
	FILE *f = fopen(path, "w");
	size_t i, k, c;

	if (!f)
		return -1;
	fprintf(f, "workload,allocator,call,count,p50_cycles,p99_cycles,"
		   "p999_cycles,max_cycles,max_raw_cycles\n");
	for (i = 0; i < n; i++)
		for (k = 0; k < TABLE_ALLOCS; k++)
			for (c = 0; c < CALLS; c++) {
				int a = table_allocs[k];
				const struct lat_stats *s = &r[i].call[a][c];

				if (!r[i].ran[a] || !s->count)
					continue;
				fprintf(f,
					"%s,%s,%s,%zu,%llu,%llu,%llu,%llu,"
					"%llu\n",
					r[i].name, allocators[a].name, calls[c],
					s->count, (unsigned long long)s->p50,
					(unsigned long long)s->p99,
					(unsigned long long)s->p999,
					(unsigned long long)s->max,
					(unsigned long long)s->max_raw);
			}
	return fclose(f) == 0 ? 0 : -1;
}

/* Wide, one row per hole count: what gnuplot's `using` reads directly. */
int csv_scaling(const char *path, const struct scale_result *r)
{
	FILE *f = fopen(path, "w");
	size_t i, k;

	if (!f)
		return -1;
	fprintf(f, "holes");
	for (k = 0; k < SCALING_ALLOCS; k++) {
		const char *a = allocators[scaling_allocs[k]].name;

		fprintf(f, ",%s,%s_min,%s_max,%s_ops", a, a, a, a);
	}
	fprintf(f, "\n");
	for (i = 0; i < SCALING_POINTS; i++) {
		fprintf(f, "%zu", r[i].holes);
		for (k = 0; k < SCALING_ALLOCS; k++) {
			int a = scaling_allocs[k];

			fprintf(f, ",%.2f,%.2f,%.2f,%zu", r[i].ns[a].median,
				r[i].ns[a].min, r[i].ns[a].max, r[i].ops[a]);
		}
		fprintf(f, "\n");
	}
	return fclose(f) == 0 ? 0 : -1;
}
