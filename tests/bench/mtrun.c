#define _GNU_SOURCE
#include "tests/bench/mtrun.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/bench/timing.h"

struct mt_column mt_columns[MT_COLUMNS] = {
    [COL_MM_CACHED] = {"mm-cached", MT_MM_CACHED, NULL, NULL, ""},
    [COL_MM_LOCKED] = {"mm-locked", MT_MM_LOCKED, NULL, NULL, ""},
    [COL_MM_NOHOOKS] = {"mm-nohooks", MT_MM_NOHOOKS, NULL, NULL, ""},
    [COL_MM_MUTEX] = {"mm-mutex", MT_MM_MUTEX, NULL, NULL, ""},
    [COL_GLIBC] = {"glibc", MT_LIBC, NULL, NULL, ""},
    [COL_JEMALLOC] = {"jemalloc", MT_LIBC, "libjemalloc.so.2", "libjemalloc2",
		      ""},
    [COL_MIMALLOC] = {"mimalloc", MT_LIBC, "libmimalloc.so.2", "libmimalloc2.0",
		      ""},
    [COL_TCMALLOC] = {"tcmalloc", MT_LIBC, "libtcmalloc_minimal.so.4",
		      "libtcmalloc-minimal4", ""},
};

/* Debian puts them in the multiarch directory (dpkg -L shows where). */
#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#else
#define MULTIARCH "unknown"
#endif

static const char *const library_dirs[] = {
    "/usr/lib/" MULTIARCH, "/lib/" MULTIARCH, "/usr/lib64", "/usr/lib"};

static int present(const struct mt_column *c)
{
	return !c->soname || c->path[0];
}

void mt_find_libraries(void)
{
	size_t d;
	int k;

	for (k = 0; k < MT_COLUMNS; k++) {
		struct mt_column *c = &mt_columns[k];

		if (!c->soname || c->path[0])
			continue;
		for (d = 0; d < sizeof library_dirs / sizeof *library_dirs;
		     d++) {
			snprintf(c->path, sizeof c->path, "%s/%s",
				 library_dirs[d], c->soname);
			if (access(c->path, R_OK) == 0)
				break;
			c->path[0] = '\0';
		}
		if (!c->path[0])
			fprintf(stderr,
				"bench: %s not found (%s; Debian package %s): "
				"its column is skipped\n",
				c->name, c->soname, c->package);
	}
}

int mt_column_find(const char *name)
{
	int k;

	for (k = 0; k < MT_COLUMNS; k++)
		if (strcmp(mt_columns[k].name, name) == 0)
			return k;
	return -1;
}

/* Every column runs every workload; libc columns run procs on private
 * heaps (they cannot share one). */
const int *mt_workload_columns(enum mt_workload w)
{
	static const int all[] = {COL_MM_CACHED, COL_MM_LOCKED, COL_MM_NOHOOKS,
				  COL_MM_MUTEX,	 COL_GLIBC,	COL_JEMALLOC,
				  COL_MIMALLOC,	 COL_TCMALLOC,	-1};
	(void)w;
	return all;
}

static size_t count_columns(const int *cols)
{
	size_t n = 0;

	while (cols[n] >= 0)
		n++;
	return n;
}

static void workload_ns(enum mt_workload w, struct mt_result *r)
{
	static const unsigned threads[] = {1, 2, 4, 8}, pairs[] = {1, 4},
			      procs[] = {2, 6};
	const unsigned *v = w == MTW_THREADS  ? threads
			    : w == MTW_REMOTE ? pairs
					      : procs;
	size_t n = w == MTW_THREADS ? 4 : 2, i;

	for (i = 0; i < n; i++)
		r->ns[i] = v[i];
	r->count = n;
}

double mt_hard_cap(enum mt_workload w, double soft)
{
	return w == MTW_PROCS ? soft + 30 : 2 * soft + 10;
}

static const char *expected_malloc(const struct mt_column *c)
{
	return c->kind == MT_LIBC ? c->name : NULL;
}

static void record(struct mt_result *r, struct mt_cell *cell,
		   const struct mt_params *p, const struct spawn_result *s)
{
	double planned = (double)p->ops * (r->workload == MTW_PROCS ? p->n : 1);

	cell->ran = 1;
	if (s->status > cell->status)
		cell->status = s->status;
	cell->ops = s->ops;
	cell->lock_taken = s->lock_taken;
	cell->lock_waited = s->lock_waited;
	if (s->status == SPAWN_FAILED)
		snprintf(cell->message, sizeof cell->message, "%s", s->message);
	if (s->status == SPAWN_TIMEOUT || s->status == SPAWN_FAILED)
		return;
	cell->done = (double)s->ops / planned;
	if (cell->done > 1)
		cell->done = 1;
	cell->samples[cell->runs++] =
	    r->workload == MTW_PROCS ? (double)s->ns / 1e9
				     : (double)s->ops / (double)s->ns * 1e3;
}

static void summarize(struct mt_cell *cell)
{
	double *s = cell->samples;

	if (!cell->runs)
		return;
	cell->median = median_double(s, cell->runs); /* sorts s */
	cell->min = s[0];
	cell->max = s[cell->runs - 1];
}

void mt_measure(enum mt_workload w, const struct mt_opts *o,
		struct mt_result *out)
{
	const int *cols = mt_workload_columns(w);
	size_t ncols = count_columns(cols), i, k;
	double cap = w == MTW_PROCS ? o->proc_cap : o->cap;
	unsigned r;

	memset(out, 0, sizeof *out);
	out->workload = w;
	out->ops = w == MTW_PROCS ? o->proc_ops : o->ops;
	out->reps = o->reps;
	out->cap = cap;
	workload_ns(w, out);
	for (r = 0; r < o->reps; r++) {
		fprintf(stderr, "bench: %s: run %u of %u\n",
			mt_workloads[w].name, r + 1, o->reps);
		for (i = 0; i < out->count; i++) {
			for (k = 0; k < ncols; k++) {
				int c = cols[(k + r + i) % ncols];
				struct mt_column *col = &mt_columns[c];
				struct mt_cell *cell = &out->cell[c][i];
				struct mt_params p = {w,	  col->kind,
						      out->ns[i], out->ops,
						      cap,	  o->seed};
				struct spawn_result s;

				if (!present(col) ||
				    (cell->ran && cell->status != SPAWN_OK))
					continue;
				spawn_run(&p, col->soname ? col->path : NULL,
					  expected_malloc(col),
					  mt_hard_cap(w, cap), &s);
				record(out, cell, &p, &s);
				if (s.status == SPAWN_FAILED)
					fprintf(stderr,
						"bench: %s %s N=%u FAILED: "
						"%s\n",
						mt_workloads[w].name, col->name,
						out->ns[i], s.message);
			}
		}
	}
	for (k = 0; k < MT_COLUMNS; k++)
		for (i = 0; i < out->count; i++)
			summarize(&out->cell[k][i]);
}

static int smoke_one(const struct mt_params *p, const char *preload,
		     const char *expect, const char *label, double hard_cap)
{
	struct spawn_result s;

	spawn_run(p, preload, expect, hard_cap, &s);
	switch (s.status) {
	case SPAWN_OK:
		return 0;
	case SPAWN_CAPPED:
		printf("bench: %s %s N=%u stopped at the %.1f s cap after "
		       "%zu ops, every block checked\n",
		       mt_workloads[p->workload].name, label, p->n, p->cap,
		       s.ops);
		return 0;
	case SPAWN_TIMEOUT:
		printf("bench: %s %s N=%u did not finish in %.0f s\n",
		       mt_workloads[p->workload].name, label, p->n, hard_cap);
		return 1;
	default:
		printf("bench: %s %s N=%u FAILED: %s\n",
		       mt_workloads[p->workload].name, label, p->n, s.message);
		return 1;
	}
}

int mt_smoke(enum mt_workload w, size_t ops, const char *only, double cap,
	     double hard_cap)
{
	const int *cols = mt_workload_columns(w);
	struct mt_result shape;
	int failed = 0;
	size_t i, k;

	if (only) {
		struct mt_params p = {
		    w, (enum mt_kind)mt_config_find(only), 1, ops, cap, 1};

		return smoke_one(&p, NULL, NULL, only, hard_cap);
	}
	workload_ns(w, &shape);
	for (i = 0; i < shape.count; i++) {
		for (k = 0; cols[k] >= 0; k++) {
			const struct mt_column *col = &mt_columns[cols[k]];
			struct mt_params p = {w,   col->kind, shape.ns[i],
					      ops, cap,	      1};

			if (!present(col))
				continue;
			failed += smoke_one(&p, col->soname ? col->path : NULL,
					    expected_malloc(col), col->name,
					    hard_cap);
		}
	}
	return failed;
}
