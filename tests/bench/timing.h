/*
 * timing.h - clocks and the order statistics the reports are made of.
 */
#ifndef TESTS_BENCH_TIMING_H
#define TESTS_BENCH_TIMING_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic wall clock, for whole replays. */
uint64_t now_ns(void);

/*
 * Cycle counter around one call. The fences keep the call's own work from
 * being reordered across either read, so a reading is the call's cost plus
 * a constant (cycles_overhead()), not a guess about the pipeline.
 */
static inline uint64_t cycles_begin(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
#else
	return now_ns();
#endif
}

static inline uint64_t cycles_end(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi, aux;

	__asm__ volatile("rdtscp\n\tlfence"
			 : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
	return ((uint64_t)hi << 32) | lo;
#else
	return now_ns();
#endif
}

/* Median cost of an empty cycles_begin/cycles_end pair. */
uint64_t cycles_overhead(void);

/* Sort in place, then read quantiles (q in [0, 1]) off the sorted array. */
void sort_u64(uint64_t *v, size_t n);
void sort_double(double *v, size_t n);
uint64_t quantile_u64(const uint64_t *sorted, size_t n, double q);
double median_double(double *v, size_t n); /* sorts v */

#endif
