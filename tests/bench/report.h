/*
 * report.h - the terminal tables and the CSV files of `make bench`.
 */
#ifndef TESTS_BENCH_REPORT_H
#define TESTS_BENCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "tests/bench/run.h"

void report_machine(FILE *f, const struct bench_opts *o);
void report_workloads(FILE *f, const struct wl_result *r, size_t n,
		      unsigned reps);
void report_latency(FILE *f, const struct lat_result *r, size_t n);
void report_scaling(FILE *f, const struct scale_result *r, unsigned reps);
/* The goals of issue 6 beside what this run measured (NULL: not run). */
void report_targets(FILE *f, const struct wl_result *r, size_t n,
		    const struct scale_result *s);

/* Each returns 0, or -1 when the file could not be written. */
int csv_workloads(const char *path, const struct wl_result *r, size_t n,
		  unsigned reps);
int csv_latency(const char *path, const struct lat_result *r, size_t n);
int csv_scaling(const char *path, const struct scale_result *r);

#endif
