/*
 * selftest.h - the allocator's tests, run by the kernel on real RAM.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <stddef.h>

#include "kernel/cmdline.h"

/* Runs the tests the command line selected against the system heap, one
 * "ok - name" or "FAIL - name (why)" line each, then the count line
 * "self-tests: R run, P passed, F failed (heap=MODE)" and ALL TESTS PASSED
 * or SOME TESTS FAILED. The last rows check the whole run: heap_check,
 * no_leaks, and frames_back (every frame the tests took is free again).
 * Returns F, the number of FAIL lines printed. */
int selftest_run(const struct boot_options *opt);

/* The name of test i, for tests=; NULL past the last. */
const char *selftest_name(size_t i);

#endif
