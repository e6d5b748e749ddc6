#define _GNU_SOURCE
#include "tests/bench/timing.h"

#include <stdlib.h>
#include <time.h>

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t cycles_overhead(void)
{
	enum { N = 4001 };
	static uint64_t v[N];
	size_t i;

	for (i = 0; i < N; i++) {
		uint64_t t0 = cycles_begin();

		v[i] = cycles_end() - t0;
	}
	sort_u64(v, N);
	return v[N / 2];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_u64);
}

void sort_double(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
}

/* Nearest rank: the value below which a fraction q of the samples lie. */
uint64_t quantile_u64(const uint64_t *sorted, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return sorted[i < n ? i : n - 1];
}

double median_double(double *v, size_t n)
{
	if (n == 0)
		return 0;
	sort_double(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
