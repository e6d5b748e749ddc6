/*
 * mtrun.h - the threads, remote and procs tables of `make bench`: every
 * allocator at every N, each run a child process (spawn.h), interleaved.
 *
 * Repetition r visits the Ns in turn and, at each, the allocators in an
 * order rotated by r, as run.h does for the traces. A cell whose run
 * stopped at the soft cap, was killed at the hard cap or failed is not run
 * again: that run says what there is to say (a capped run's rate joins
 * the cell's samples), and repeating it would only spend the bench's
 * time.
 */
#ifndef TESTS_BENCH_MTRUN_H
#define TESTS_BENCH_MTRUN_H

#include <stddef.h>

#include "tests/bench/mtwork.h"
#include "tests/bench/spawn.h"

#define MT_MAX_REPS 31
#define MT_MAX_NS   4

/* A column of the tables: a configuration, and a library to preload. */
struct mt_column {
	const char *name;
	enum mt_kind kind;
	const char *soname;  /* NULL: no preload */
	const char *package; /* the Debian package that ships soname */
	char path[256];	     /* where soname was found, or "" */
};

enum {
	COL_MM_CACHED,
	COL_MM_LOCKED,
	COL_MM_NOHOOKS,
	COL_MM_MUTEX,
	COL_GLIBC,
	COL_JEMALLOC,
	COL_MIMALLOC,
	COL_TCMALLOC,
	MT_COLUMNS
};

extern struct mt_column mt_columns[MT_COLUMNS];

/* Find each preloaded library; the ones missing are named on stderr with
 * their Debian package, and their columns skipped. */
void mt_find_libraries(void);
/* The column named name, or -1. */
int mt_column_find(const char *name);

struct mt_opts {
	unsigned reps;
	size_t ops;	 /* threads and remote: per run */
	size_t proc_ops; /* procs: per process */
	double cap;	 /* soft cap of a threads or remote run, s */
	double proc_cap; /* of a procs run */
	uint64_t seed;
};

struct mt_cell {
	int ran;		     /* the column exists and was measured */
	enum spawn_status status;    /* of the worst run */
	unsigned runs;		     /* completed, in samples[] */
	double samples[MT_MAX_REPS]; /* M ops/s; procs: seconds */
	double median, min, max;
	size_t ops; /* of the last run */
	size_t lock_taken, lock_waited;
	double done;	   /* capped: the fraction of ops done */
	char message[512]; /* failed: why */
};

struct mt_result {
	enum mt_workload workload;
	unsigned ns[MT_MAX_NS]; /* the Ns measured */
	size_t count;		/* how many of them */
	size_t ops;		/* planned per run (procs: per process) */
	unsigned reps;
	double cap;
	struct mt_cell cell[MT_COLUMNS][MT_MAX_NS];
};

/* Seconds after which a run of w with soft cap soft is killed: time for
 * workers stuck in the allocator to see the stop flag. */
double mt_hard_cap(enum mt_workload w, double soft);

/* The columns a workload measures (-1 ends the list). */
const int *mt_workload_columns(enum mt_workload w);

void mt_measure(enum mt_workload w, const struct mt_opts *o,
		struct mt_result *out);

/*
 * make test's form: tiny, untimed, no soft cap, every column present at
 * every N of the workload (only = one configuration, hidden ones too, at
 * N = 1). Prints each problem; returns the number of runs that failed.
 */
int mt_smoke(enum mt_workload w, size_t ops, const char *only, double cap,
	     double hard_cap);

#endif
