/*
 * cmdline.c - see cmdline.h.
 */
#include "kernel/cmdline.h"

#include "kernel/kprintf.h"
#include "kernel/multiboot.h"
#include "kernel/string.h"
#include "mm/heap.h"

static const struct {
	const char *name;
	enum fail_mode mode;
} fail_modes[] = {
    {"panic", FAIL_PANIC},
    {"double-free", FAIL_DOUBLE_FREE},
    {"triple-fault", FAIL_TRIPLE_FAULT},
    {"hang", FAIL_HANG},
    {"selftest", FAIL_SELFTEST},
    {"invalid-free", FAIL_INVALID_FREE},
    {"foreign-free", FAIL_FOREIGN_FREE},
    {"misaligned-free", FAIL_MISALIGNED_FREE},
    {"overflow", FAIL_OVERFLOW},
    {"underflow", FAIL_UNDERFLOW},
    {"use-after-free", FAIL_USE_AFTER_FREE},
    {"free-list", FAIL_FREE_LIST},
};

static const struct {
	const char *name;
	enum heapmap_mode mode;
} heapmap_modes[] = {
    {"final", HEAPMAP_FINAL},	{"none", HEAPMAP_NONE},
    {"filled", HEAPMAP_FILLED}, {"fragmented", HEAPMAP_FRAGMENTED},
    {"phases", HEAPMAP_PHASES},
};

/* Copies up to the first stop character (or NUL) into dst; returns the
 * length in src, which may exceed what fitted. */
static size_t copy_until(char *dst, size_t cap, const char *src, char stop)
{
	size_t n = 0;

	for (; src[n] && src[n] != stop; n++)
		if (n + 1 < cap)
			dst[n] = src[n];
	dst[n < cap ? n : cap - 1] = '\0';
	return n;
}

static int has_slash(const char *s)
{
	for (; *s; s++)
		if (*s == '/')
			return 1;
	return 0;
}

static void parse_tests(const char *v, struct boot_options *opt)
{
	opt->all_tests = 0;
	opt->test_count = 0;
	if (strcmp(v, "all") == 0) {
		opt->all_tests = 1;
		return;
	}
	if (strcmp(v, "none") == 0)
		return;
	while (*v) {
		size_t len;

		if (opt->test_count == CMDLINE_MAX_TESTS) {
			kprintf("cmdline: more than %d tests named; ignoring "
				"%s\n",
				CMDLINE_MAX_TESTS, v);
			return;
		}
		/* A name too long to fit is cut, then matches no test and
		 * is reported as unknown: never silently skipped. */
		len = copy_until(opt->tests[opt->test_count], CMDLINE_NAME_MAX,
				 v, ',');
		if (len > 0)
			opt->test_count++;
		v += len + (v[len] == ',');
	}
}

/* The rest of w after prefix, or NULL when w does not start with it. */
static const char *after(const char *w, const char *prefix)
{
	while (*prefix)
		if (*w++ != *prefix++)
			return NULL;
	return w;
}

/* A decimal number that fits; 0 when v is anything else. */
static unsigned long number(const char *v)
{
	unsigned long n = 0;

	if (!*v)
		return 0;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || n > (~0ul - 9) / 10)
			return 0;
		n = n * 10 + (unsigned long)(*v - '0');
	}
	return n;
}

static void parse_word(const char *w, struct boot_options *opt)
{
	const char *v;

	if (strcmp(w, "exit") == 0) {
		opt->exit = 1;
	} else if ((v = after(w, "tests="))) {
		parse_tests(v, opt);
	} else if (strcmp(w, "heap=check") == 0) {
		opt->heap_flags = HEAP_CHECKING;
	} else if (strcmp(w, "heap=quarantine") == 0) {
		opt->heap_flags = HEAP_QUARANTINE;
	} else if (strcmp(w, "heap=fast") == 0) {
		opt->heap_flags = 0;
	} else if (strcmp(w, "acpi=off") == 0) {
		opt->no_acpi = 1;
	} else if ((v = after(w, "smp-ops="))) {
		if (number(v) > 0)
			opt->smp_ops = number(v);
		else
			kprintf("cmdline: smp-ops wants a positive number, "
				"not '%s'\n",
				v);
	} else if ((v = after(w, "fail="))) {
		for (size_t i = 0;
		     i < sizeof(fail_modes) / sizeof(fail_modes[0]); i++) {
			if (strcmp(v, fail_modes[i].name) == 0) {
				opt->fail = fail_modes[i].mode;
				return;
			}
		}
		kprintf("cmdline: unknown fail mode '%s' ignored\n", v);
	} else if ((v = after(w, "heapmap="))) {
		for (size_t i = 0;
		     i < sizeof(heapmap_modes) / sizeof(heapmap_modes[0]);
		     i++) {
			if (strcmp(v, heapmap_modes[i].name) == 0) {
				opt->heapmap = heapmap_modes[i].mode;
				return;
			}
		}
		kprintf("cmdline: unknown heapmap mode '%s' ignored\n", v);
	} else {
		kprintf("cmdline: unknown option '%s' ignored\n", w);
	}
}

void cmdline_parse(const char *cmdline, struct boot_options *opt)
{
	/* As long as the whole line: multiboot.c bounds that. */
	static char word[MB_CMDLINE_MAX];
	const char *p = cmdline;

	*opt =
	    (struct boot_options){.all_tests = 1, .smp_ops = CMDLINE_SMP_OPS};
	while (*p) {
		size_t len;

		while (*p == ' ')
			p++;
		len = copy_until(word, sizeof(word), p, ' ');
		p += len;
		if (len > 0 && !has_slash(word))
			parse_word(word, opt);
	}
}
