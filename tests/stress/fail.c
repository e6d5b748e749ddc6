#define _GNU_SOURCE
#include "tests/stress/fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void say(const char *fmt, va_list ap)
{
	char line[320] = "stress: ";
	size_t len = strlen(line);
	ssize_t wrote;

	vsnprintf(line + len, sizeof line - len - 1, fmt, ap);
	len = strlen(line);
	line[len++] = '\n';
	/* one write(2) per line: lines from threads and processes failing at
	 * the same moment cannot interleave */
	wrote = write(STDERR_FILENO, line, len);
	(void)wrote;
}

void stress_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

void stress_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	/* _exit: no atexit handlers or stdio flushing racing other threads */
	_exit(1);
}

void stress_cannot(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	_exit(STRESS_CANNOT_RUN);
}
