/*
 * selftest.h - the allocator's tests, run by the kernel on real RAM.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <stddef.h>

#include "kernel/cmdline.h"

/* Runs the tests the command line selected against the system heap, one
 * "ok - name" or "FAIL - name (why)" line each, then ALL TESTS PASSED or
 * SOME TESTS FAILED. regions: how many the heap was given. Returns the
 * number of failures. */
int selftest_run(const struct boot_options *opt, size_t regions);

#endif
