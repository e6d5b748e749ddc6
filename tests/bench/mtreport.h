/*
 * mtreport.h - the tables and CSV of the threads, remote and procs
 * workloads, and the goals of issue 11 beside what was measured.
 */
#ifndef TESTS_BENCH_MTREPORT_H
#define TESTS_BENCH_MTREPORT_H

#include <stdio.h>

#include "tests/bench/mtrun.h"
#include "tests/bench/run.h"

void report_mt(FILE *f, const struct mt_result *r);
/* Any of r NULL: not run. wr: the trace rows, for the one-thread goals. */
void report_mt_targets(FILE *f, const struct mt_result *threads,
		       const struct mt_result *remote,
		       const struct mt_result *procs,
		       const struct wl_result *wr, size_t nwr);
/* 1 when a run of r failed (a damaged block, a bad end check). */
int mt_any_failed(const struct mt_result *r);

/* Appends r's rows (writes the header first when header is set); 0 or -1. */
int csv_mt(const char *path, const struct mt_result *r, int header);

#endif
