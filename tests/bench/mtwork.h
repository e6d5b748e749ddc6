/*
 * mtwork.h - the workloads of several threads or processes on one heap,
 * as one child process runs them (mtrun.h starts the children).
 *
 *   threads  N threads, each a random mix of malloc(8..256) and free over
 *            its own 256 slots (about half live), ops split evenly
 *   remote   N producer/consumer pairs: the producer mallocs 8..256 B and
 *            passes each block through a ring to its consumer, who frees
 *            it; every free is of a block another thread allocated
 *   procs    N forked processes, each running the threads mix, on one heap
 *            in MAP_SHARED memory (libc: each process its own malloc)
 *
 * Every block is stamped over its requested size at malloc (owner and a
 * sequence number, tests/common/stamp.h) and verified before its free; the
 * first damaged block ends the child with a message. An op is one malloc
 * or one free, the final frees of what is still live included.
 */
#ifndef TESTS_BENCH_MTWORK_H
#define TESTS_BENCH_MTWORK_H

#include <stddef.h>
#include <stdint.h>

#include "tests/bench/mtalloc.h"

enum mt_workload { MTW_THREADS, MTW_REMOTE, MTW_PROCS, MTW_COUNT };

#define MT_MAX_N 16 /* threads, pairs or processes */

struct mt_workload_info {
	const char *name;
	const char *unit; /* what N counts: "threads", "pairs", ... */
	const char *what; /* one line for the table's legend */
};

extern const struct mt_workload_info mt_workloads[MTW_COUNT];

/* The workload named name, or -1. */
int mt_workload_find(const char *name);

struct mt_params {
	enum mt_workload workload;
	enum mt_kind kind;
	unsigned n;
	/* threads, remote: ops of the whole run; procs: of each process */
	size_t ops;
	/* Soft cap, in seconds (0: none): then every worker stops at its
	 * next check and the run reports the rate of the part done. */
	double cap;
	uint64_t seed;
};

struct mt_outcome {
	size_t ops;   /* done, final frees included */
	uint64_t ns;  /* wall time from the start signal to the last exit */
	int finished; /* 0: stopped by the soft cap */
};

/* Run in this process, on the configuration mt_open() set up. */
void mt_work(const struct mt_params *p, struct mt_outcome *out);

#endif
