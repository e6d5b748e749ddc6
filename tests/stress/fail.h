/*
 * fail.h - how a stress test stops at the first problem.
 *
 * Any thread or process that finds a problem prints one line starting with
 * "stress: " and ends the whole program with status 1 at once: after the
 * first wrong block nothing the heap does can be trusted, and going on could
 * only bury the first report under later ones, or hang.
 */
#ifndef TESTS_STRESS_FAIL_H
#define TESTS_STRESS_FAIL_H

#if defined(__GNUC__) || defined(__clang__)
#define STRESS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define STRESS_PRINTF(f, a)
#endif

_Noreturn void stress_fail(const char *fmt, ...) STRESS_PRINTF(1, 2);

/* The test could not run at all (no memory, no fork): exit status 3, so that
 * a run that must fail cannot pass for caught when it never ran. */
#define STRESS_CANNOT_RUN 3
_Noreturn void stress_cannot(const char *fmt, ...) STRESS_PRINTF(1, 2);

/* Print a "stress: " line without stopping. */
void stress_note(const char *fmt, ...) STRESS_PRINTF(1, 2);

#endif
