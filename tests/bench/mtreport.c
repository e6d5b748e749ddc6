#include "tests/bench/mtreport.h"

#include <string.h>

#define CELL 21

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static const struct mt_cell *glibc_cell(const struct mt_result *r, size_t i)
{
	const struct mt_cell *g = &r->cell[COL_GLIBC][i];

	return g->runs ? g : NULL;
}

/* Three significant digits, never an exponent: rates here span from
 * thousands of ops/s (a convoy) to tens of millions. */
static void sig3(double v, char *buf, size_t len)
{
	int decimals = v >= 100	    ? 0
		       : v >= 10    ? 1
		       : v >= 1	    ? 2
		       : v >= 0.1   ? 3
		       : v >= 0.01  ? 4
		       : v >= 0.001 ? 5
				    : 6;

	snprintf(buf, len, "%.*f", decimals, v);
}

/* "12.2 (0.34x)", "1.01* (0.0312x)", "timed out", "FAILED" or "-" */
static void rate_cell(const struct mt_result *r, int c, size_t i, char *buf,
		      size_t len)
{
	const struct mt_cell *cell = &r->cell[c][i], *g = glibc_cell(r, i);
	const char *mark = cell->status == SPAWN_CAPPED ? "*" : "";

	if (!cell->ran)
		snprintf(buf, len, "-");
	else if (cell->status == SPAWN_FAILED)
		snprintf(buf, len, "FAILED");
	else if (cell->status == SPAWN_TIMEOUT)
		snprintf(buf, len, "timed out");
	else {
		char v[24], x[24];

		sig3(cell->median, v, sizeof v);
		sig3(g ? ratio(cell->median, g->median) : 0, x, sizeof x);
		if (g)
			snprintf(buf, len, "%s%s (%sx)", v, mark, x);
		else
			snprintf(buf, len, "%s%s", v, mark);
	}
}

static void report_rates(FILE *f, const struct mt_result *r)
{
	const int *cols = mt_workload_columns(r->workload);
	const char *unit = mt_workloads[r->workload].unit;
	size_t i, k;
	char head[32], cell[64];

	fprintf(f,
		"\n%s: %s\nM ops/s, median of %u runs (throughput / glibc's at "
		"the same N); %zu ops a run\n",
		mt_workloads[r->workload].name, mt_workloads[r->workload].what,
		r->reps, r->ops);
	fprintf(f, "%-11s", "allocator");
	for (i = 0; i < r->count; i++) {
		/* "1 thread", "4 pairs": the unit is plural */
		snprintf(head, sizeof head, "%u %.*s", r->ns[i],
			 (int)strlen(unit) - (r->ns[i] == 1), unit);
		fprintf(f, " %-*s", CELL, head);
	}
	fprintf(f, "\n");
	for (k = 0; cols[k] >= 0; k++) {
		fprintf(f, "%-11s", mt_columns[cols[k]].name);
		for (i = 0; i < r->count; i++) {
			rate_cell(r, cols[k], i, cell, sizeof cell);
			fprintf(f, " %-*s", CELL, cell);
		}
		fprintf(f, "\n");
	}
	fprintf(f,
		"* a run stopped at the %.0f s cap: the rate of its part done "
		"counts in the\n  median, and the cell was not run again\n"
		"timed out: killed at the hard cap (%.0f s) before it "
		"could stop\n",
		r->cap, mt_hard_cap(r->workload, r->cap));
}

static void report_times(FILE *f, const struct mt_result *r)
{
	const int *cols = mt_workload_columns(r->workload);
	size_t i, k;

	fprintf(f,
		"\nprocs: %s\nwall seconds for N x %zu ops, median of %u runs "
		"(x glibc: time / glibc's)\n",
		mt_workloads[r->workload].what, r->ops, r->reps);
	fprintf(f, "%3s  %-11s %8s  %-17s %7s\n", "N", "allocator", "seconds",
		"(min..max)", "x glibc");
	for (i = 0; i < r->count; i++) {
		const struct mt_cell *g = glibc_cell(r, i);
		int first = 1;

		for (k = 0; cols[k] >= 0; k++) {
			const struct mt_cell *c = &r->cell[cols[k]][i];
			char range[40], num[16];

			if (!c->ran)
				continue;
			snprintf(num, sizeof num, "%u", r->ns[i]);
			fprintf(f, "%3s  %-11s ", first ? num : "",
				mt_columns[cols[k]].name);
			first = 0;
			if (c->status == SPAWN_FAILED) {
				fprintf(f, "FAILED\n");
				continue;
			}
			if (c->status == SPAWN_TIMEOUT) {
				fprintf(f,
					"did not finish in %.0f s (killed)\n",
					mt_hard_cap(r->workload, r->cap));
				continue;
			}
			if (c->status == SPAWN_CAPPED) {
				fprintf(f,
					"did not finish in %.0f s (%.1f%% of "
					"its ops done)\n",
					r->cap, 100 * c->done);
				continue;
			}
			snprintf(range, sizeof range, "(%.3f..%.3f)", c->min,
				 c->max);
			fprintf(f, "%8.3f  %-17s %7.2f\n", c->median, range,
				g ? ratio(c->median, g->median) : 0);
		}
	}
	fprintf(f, "mm/: one heap in MAP_SHARED memory; the others: each "
		   "process its own malloc\n");
}

static void report_failures(FILE *f, const struct mt_result *r)
{
	size_t i, k;

	for (k = 0; k < MT_COLUMNS; k++)
		for (i = 0; i < r->count; i++)
			if (r->cell[k][i].status == SPAWN_FAILED)
				fprintf(f, "FAILED %s %s N=%u: %s\n",
					mt_workloads[r->workload].name,
					mt_columns[k].name, r->ns[i],
					r->cell[k][i].message);
}

void report_mt(FILE *f, const struct mt_result *r)
{
	if (r->workload == MTW_PROCS)
		report_times(f, r);
	else
		report_rates(f, r);
	report_failures(f, r);
}

int mt_any_failed(const struct mt_result *r)
{
	size_t i, k;

	for (k = 0; k < MT_COLUMNS; k++)
		for (i = 0; i < r->count; i++)
			if (r->cell[k][i].status == SPAWN_FAILED)
				return 1;
	return 0;
}

static size_t n_index(const struct mt_result *r, unsigned n)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->ns[i] == n)
			return i;
	return r->count;
}

/* A goal line: the ratio, or why there is none. higher: >= goal. */
static void goal_line(FILE *f, const char *what, int higher, double goal,
		      const struct mt_cell *c, const struct mt_cell *g)
{
	char now[32];
	int met;

	if (!c || !c->ran || !g || !g->runs) {
		fprintf(f, "  %-52s %s %5.2f  %-9s %s\n", what,
			higher ? ">=" : "<=", goal, "not run", "");
		return;
	}
	if (c->status == SPAWN_TIMEOUT || c->status == SPAWN_FAILED) {
		fprintf(f, "  %-52s %s %5.2f  %-9s %s\n", what,
			higher ? ">=" : "<=", goal,
			c->status == SPAWN_FAILED ? "FAILED" : "timed out",
			"MISSED");
		return;
	}
	sig3(ratio(c->median, g->median), now, sizeof now);
	if (c->status == SPAWN_CAPPED)
		strcat(now, "*");
	met = higher ? ratio(c->median, g->median) >= goal
		     : ratio(c->median, g->median) <= goal;
	fprintf(f, "  %-52s %s %5.2f  %-9s %s\n", what,
		higher ? ">=" : "<=", goal, now, met ? "met" : "MISSED");
}

static void rate_goal(FILE *f, const struct mt_result *r, int col, unsigned n,
		      double goal)
{
	size_t i;
	char what[80];

	if (!r)
		return;
	i = n_index(r, n);
	snprintf(what, sizeof what, "%s, %u %.*s: %s / glibc throughput",
		 mt_workloads[r->workload].name, n,
		 (int)strlen(mt_workloads[r->workload].unit) - (n == 1),
		 mt_workloads[r->workload].unit, mt_columns[col].name);
	goal_line(f, what, 1, goal, i < r->count ? &r->cell[col][i] : NULL,
		  i < r->count ? &r->cell[COL_GLIBC][i] : NULL);
}

static const struct wl_result *trace_row(const struct wl_result *wr, size_t n,
					 const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(wr[i].name, name) == 0)
			return &wr[i];
	return NULL;
}

static void trace_goal(FILE *f, const struct wl_result *wr, size_t n,
		       const char *name, double goal)
{
	const struct wl_result *w = trace_row(wr, n, name);
	struct mt_cell c = {0}, g = {0};
	char what[80];

	if (!w || !w->ran[ALLOC_MM_CACHED])
		return;
	c.ran = g.ran = 1;
	c.runs = g.runs = 1;
	c.median = w->ns[ALLOC_MM_CACHED].median;
	g.median = w->ns[ALLOC_GLIBC].median;
	snprintf(what, sizeof what, "%s, one thread: mm-cached / glibc time",
		 name);
	goal_line(f, what, 0, goal, &c, &g);
}

static void procs_goal(FILE *f, const struct mt_result *r, unsigned n,
		       double goal)
{
	size_t i;
	const struct mt_cell *c;
	char what[80], now[48];

	if (!r)
		return;
	i = n_index(r, n);
	snprintf(what, sizeof what, "procs, %u x %zu ops: mm-cached seconds", n,
		 r->ops);
	if (i == r->count || !r->cell[COL_MM_CACHED][i].ran) {
		fprintf(f, "  %-52s <= %5.0f  %-9s\n", what, goal, "not run");
		return;
	}
	c = &r->cell[COL_MM_CACHED][i];
	if (c->status == SPAWN_OK)
		snprintf(now, sizeof now, "%.2f", c->median);
	else if (c->status == SPAWN_FAILED)
		snprintf(now, sizeof now, "FAILED");
	else
		snprintf(now, sizeof now, "> %.0f s",
			 c->status == SPAWN_CAPPED
			     ? r->cap
			     : mt_hard_cap(r->workload, r->cap));
	fprintf(f, "  %-52s <= %5.0f  %-9s %s\n", what, goal, now,
		c->status == SPAWN_OK && c->median <= goal ? "met" : "MISSED");
}

void report_mt_targets(FILE *f, const struct mt_result *threads,
		       const struct mt_result *remote,
		       const struct mt_result *procs,
		       const struct wl_result *wr, size_t nwr)
{
	fprintf(f, "\ntargets of issue 11 (goals, not test assertions)\n");
	fprintf(f, "  %-52s %8s  %-9s\n", "", "goal", "now");
	trace_goal(f, wr, nwr, "small", 1.0);
	trace_goal(f, wr, nwr, "mixed", 0.8);
	rate_goal(f, threads, COL_MM_CACHED, 2, 0.8);
	rate_goal(f, threads, COL_MM_CACHED, 8, 0.8);
	rate_goal(f, threads, COL_MM_NOHOOKS, 8, 0.25);
	if (remote) {
		size_t i;

		for (i = 0; i < remote->count; i++)
			rate_goal(f, remote, COL_MM_CACHED, remote->ns[i], 0.5);
	}
	procs_goal(f, procs, 6, 10);
	fprintf(f, "  (* : a run stopped at its cap; procs' goal is "
		   "\"seconds\", read here as 10 s)\n");
}

int csv_mt(const char *path, const struct mt_result *r, int header)
{
	static const char *const status[] = {"ok", "capped", "timeout",
					     "failed"};
	FILE *f = fopen(path, header ? "w" : "a");
	size_t i, k;

	if (!f)
		return -1;
	if (header)
		fprintf(f, "workload,allocator,n,status,runs,median,min,max,"
			   "unit,ratio_vs_glibc,ops_last_run,done_fraction,"
			   "lock_taken,lock_waited\n");
	for (k = 0; k < MT_COLUMNS; k++) {
		for (i = 0; i < r->count; i++) {
			const struct mt_cell *c = &r->cell[k][i];
			const struct mt_cell *g = glibc_cell(r, i);

			if (!c->ran)
				continue;
			fprintf(f,
				"%s,%s,%u,%s,%u,%.4f,%.4f,%.4f,%s,%.4f,%zu,"
				"%.4f,%zu,%zu\n",
				mt_workloads[r->workload].name,
				mt_columns[k].name, r->ns[i], status[c->status],
				c->runs, c->median, c->min, c->max,
				r->workload == MTW_PROCS ? "seconds" : "Mops/s",
				g && c->runs ? ratio(c->median, g->median) : 0,
				c->ops, c->done, c->lock_taken, c->lock_waited);
		}
	}
	return fclose(f) == 0 ? 0 : -1;
}
