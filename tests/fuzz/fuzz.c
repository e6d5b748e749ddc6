#include "tests/fuzz/fuzz.h"

#include <stdarg.h>
#include <stdio.h>

_Noreturn void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	/* a trap, not exit(): libFuzzer saves the input only on a crash */
	__builtin_trap();
}
