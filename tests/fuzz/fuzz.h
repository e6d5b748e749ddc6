/*
 * fuzz.h - what every libFuzzer harness in tests/fuzz/ shares.
 *
 * A harness stops a run by crashing: libFuzzer records the input that did
 * it. fuzz_fail() prints why first, so that the crash report says which
 * promise of the heap was broken and at which step.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry point. Declared here because the build warns about
 * (and fails on) a global function without a prototype. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "fuzz: " and the message on stderr, then trap. */
_Noreturn void fuzz_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#define FUZZ_EXPECT(cond, ...)                                                 \
	do {                                                                   \
		if (!(cond))                                                   \
			fuzz_fail(__VA_ARGS__);                                \
	} while (0)

#endif
