/*
 * fail.h - failures on purpose, so the boot test can prove it sees them.
 */
#ifndef KERNEL_FAIL_H
#define KERNEL_FAIL_H

#include "kernel/cmdline.h"

/* Does what the fail= option asked for; returns only for FAIL_NONE and
 * the FAIL_SELFTEST modes (which the self-test runner handles). */
void fail_on_purpose(const struct boot_options *opt);

#endif
