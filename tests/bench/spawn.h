/*
 * spawn.h - one measurement in a child process of its own, bounded.
 *
 * The bench runs itself again (/proc/self/exe) with --mt-child, optionally
 * under LD_PRELOAD, and reads the child's one "mt-result" line. A child
 * that has not finished by the hard cap is killed with its whole process
 * group (the procs workload's workers too), so no allocator can hang the
 * bench: the cap is a guard of the benchmark, never a verdict on speed.
 */
#ifndef TESTS_BENCH_SPAWN_H
#define TESTS_BENCH_SPAWN_H

#include <stddef.h>
#include <stdint.h>

#include "tests/bench/mtwork.h"

enum spawn_status {
	SPAWN_OK,      /* finished every op */
	SPAWN_CAPPED,  /* stopped by the soft cap: the rate of the part done */
	SPAWN_TIMEOUT, /* killed at the hard cap */
	SPAWN_FAILED,  /* a damaged block, a bad end check, a crash */
};

struct spawn_result {
	enum spawn_status status;
	size_t ops;
	uint64_t ns;
	size_t lock_taken, lock_waited;
	char malloc_name[16]; /* what the child found it had */
	char message[512];    /* the child's output, when it failed */
};

/*
 * preload: a shared library for LD_PRELOAD, or NULL. hard_cap: seconds.
 * expect_malloc: the malloc the child must report ("glibc", "jemalloc"...),
 * or NULL; a mismatch is a failure, so that a preload which did not take
 * cannot pass for its library.
 */
void spawn_run(const struct mt_params *p, const char *preload,
	       const char *expect_malloc, double hard_cap,
	       struct spawn_result *out);

/*
 * The general form: run the bench with argv (argv[0] is only a name) and
 * preload, and keep the first bytes of what it prints in out. Returns
 * SPAWN_OK when it exited 0, SPAWN_TIMEOUT, or SPAWN_FAILED with the
 * reason in out.
 */
enum spawn_status spawn_capture(char *const argv[], const char *preload,
				double hard_cap, char *out, size_t len);

/* The --mt-child side: run p here, print the result line, exit. */
_Noreturn void spawn_child(const struct mt_params *p);

#endif
