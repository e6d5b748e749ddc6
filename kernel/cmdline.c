/*
 * cmdline.c - see cmdline.h.
 *
 * Strict on purpose: a mistyped word that booted in the default mode would
 * report success for a configuration nobody asked for.
 */
#include "kernel/cmdline.h"

#include "kernel/kprintf.h"
#include "kernel/multiboot.h"
#include "kernel/tests/selftest.h"
#include "kernel/string.h"
#include "mm/heap.h"

/* One valid value of an option and what it sets. */
struct choice {
	const char *name;
	unsigned value;
};

#define CHOICES(a) (a), sizeof(a) / sizeof((a)[0])

static const struct choice fail_choices[] = {
    {"panic", FAIL_PANIC},
    {"triple-fault", FAIL_TRIPLE_FAULT},
    {"hang", FAIL_HANG},
    {"selftest", FAIL_SELFTEST},
    {"selftest-leak", FAIL_SELFTEST_LEAK},
    {"selftest-damage", FAIL_SELFTEST_DAMAGE},
    {"double-free", FAIL_DOUBLE_FREE},
    {"invalid-free", FAIL_INVALID_FREE},
    {"foreign-free", FAIL_FOREIGN_FREE},
    {"misaligned-free", FAIL_MISALIGNED_FREE},
    {"overflow", FAIL_OVERFLOW},
    {"underflow", FAIL_UNDERFLOW},
    {"use-after-free", FAIL_USE_AFTER_FREE},
    {"free-list", FAIL_FREE_LIST},
    {"cache-link", FAIL_CACHE_LINK},
    {"selftest-frames", FAIL_SELFTEST_FRAMES},
    {"null-deref", FAIL_NULL_DEREF},
    {"text-write", FAIL_TEXT_WRITE},
    {"guard-page", FAIL_GUARD_PAGE},
    {"stack-overflow", FAIL_STACK_OVERFLOW},
    {"stale-tlb", FAIL_STALE_TLB},
    {"assert", FAIL_ASSERT},
};

static const struct choice heapmap_choices[] = {
    {"final", HEAPMAP_FINAL},	{"phases", HEAPMAP_PHASES},
    {"filled", HEAPMAP_FILLED}, {"fragmented", HEAPMAP_FRAGMENTED},
    {"frames", HEAPMAP_FRAMES}, {"none", HEAPMAP_NONE},
};

static const struct choice heap_choices[] = {
    {"fast", 0},
    {"check", HEAP_CHECKING},
    {"quarantine", HEAP_QUARANTINE | HEAP_CHECKING},
};

/* By heap_choices' order. */
static const char *const heap_texts[] = {"fast", "checking",
					 "checking + quarantine"};

static const struct choice acpi_choices[] = {{"on", 0}, {"off", 1}};

static const struct choice caches_choices[] = {{"on", HEAP_CACHES}, {"off", 0}};

/* Finds v among the choices; otherwise says what the valid ones are. */
static int choose(const char *option, const char *v, const struct choice *c,
		  size_t n, unsigned *out)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v, c[i].name) == 0) {
			*out = c[i].value;
			return 0;
		}
	}
	kprintf("cmdline: %s%s: unknown value '%s'; the values are:", option, v,
		v);
	for (size_t i = 0; i < n; i++)
		kprintf(" %s", c[i].name);
	kprintf("\n");
	return -1;
}

static size_t heap_index(unsigned flags)
{
	if (flags & HEAP_QUARANTINE)
		return 2;
	return flags & HEAP_CHECKING ? 1 : 0;
}

const char *cmdline_heap_mode(unsigned heap_flags)
{
	return heap_choices[heap_index(heap_flags)].name;
}

const char *cmdline_heap_mode_text(unsigned heap_flags)
{
	return heap_texts[heap_index(heap_flags)];
}

const char *cmdline_caches_word(unsigned heap_flags)
{
	return heap_flags & HEAP_CACHES ? "" : " caches=off";
}

const char *cmdline_fail_name(enum fail_mode mode)
{
	for (size_t i = 0; i < sizeof(fail_choices) / sizeof(fail_choices[0]);
	     i++)
		if (fail_choices[i].value == (unsigned)mode)
			return fail_choices[i].name;
	return "none";
}

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

static int is_test(const char *name)
{
	for (size_t i = 0; selftest_name(i); i++)
		if (strcmp(selftest_name(i), name) == 0)
			return 1;
	return 0;
}

static void list_tests(void)
{
	kprintf("cmdline: the tests are:");
	for (size_t i = 0; selftest_name(i); i++)
		kprintf(" %s", selftest_name(i));
	kprintf(" (or tests=all, tests=none)\n");
}

static int parse_exit(const char *v, struct boot_options *opt)
{
	(void)v;
	opt->exit = 1;
	return 0;
}

static int parse_tests(const char *v, struct boot_options *opt)
{
	const char *all = v;

	opt->all_tests = 0;
	opt->test_count = 0;
	if (strcmp(v, "all") == 0) {
		opt->all_tests = 1;
		return 0;
	}
	if (strcmp(v, "none") == 0)
		return 0;
	for (;;) {
		char *name = opt->tests[opt->test_count];
		/* A name too long to fit is cut, and then matches no test:
		 * len, not the copy, says whether it was whole. */
		size_t len = copy_until(name, CMDLINE_NAME_MAX, v, ',');

		if (len == 0) {
			kprintf("cmdline: tests=%s: an empty name (names are "
				"separated by single commas)\n",
				all);
			return -1;
		}
		if (len >= CMDLINE_NAME_MAX || !is_test(name)) {
			kprintf("cmdline: tests=%s: no test named '%.*s'\n",
				all, (int)len, v);
			list_tests();
			return -1;
		}
		if (++opt->test_count == CMDLINE_MAX_TESTS && v[len]) {
			kprintf("cmdline: tests=%s: more than %d names\n", all,
				CMDLINE_MAX_TESTS);
			return -1;
		}
		if (!v[len])
			return 0;
		v += len + 1;
	}
}

/* heap= and caches= each set their own bits, in either order. */
static int parse_heap(const char *v, struct boot_options *opt)
{
	unsigned mode;

	if (choose("heap=", v, CHOICES(heap_choices), &mode) != 0)
		return -1;
	opt->heap_flags = (opt->heap_flags & HEAP_CACHES) | mode;
	return 0;
}

static int parse_caches(const char *v, struct boot_options *opt)
{
	unsigned on;

	if (choose("caches=", v, CHOICES(caches_choices), &on) != 0)
		return -1;
	opt->heap_flags = (opt->heap_flags & ~HEAP_CACHES) | on;
	return 0;
}

static int parse_acpi(const char *v, struct boot_options *opt)
{
	unsigned off;

	if (choose("acpi=", v, CHOICES(acpi_choices), &off) != 0)
		return -1;
	opt->no_acpi = (int)off;
	return 0;
}

static int parse_fail(const char *v, struct boot_options *opt)
{
	unsigned mode;

	if (choose("fail=", v, CHOICES(fail_choices), &mode) != 0)
		return -1;
	opt->fail = (enum fail_mode)mode;
	return 0;
}

static int parse_heapmap(const char *v, struct boot_options *opt)
{
	unsigned mode;

	if (choose("heapmap=", v, CHOICES(heapmap_choices), &mode) != 0)
		return -1;
	opt->heapmap = (enum heapmap_mode)mode;
	return 0;
}

static int parse_smp_ops(const char *v, struct boot_options *opt)
{
	unsigned long n = 0;
	int too_big = 0;
	const char *d = v;

	for (; *d >= '0' && *d <= '9'; d++) {
		if (n > CMDLINE_SMP_OPS_MAX)
			too_big = 1; /* and stays so: no wrap-around */
		else
			n = n * 10 + (unsigned long)(*d - '0');
	}
	if (d == v || *d) {
		kprintf("cmdline: smp-ops=%s: not a decimal number; it takes "
			"1 to %lu\n",
			v, CMDLINE_SMP_OPS_MAX);
		return -1;
	}
	if (too_big || n < 1 || n > CMDLINE_SMP_OPS_MAX) {
		kprintf("cmdline: smp-ops=%s: out of range; it takes 1 to "
			"%lu\n",
			v, CMDLINE_SMP_OPS_MAX);
		return -1;
	}
	opt->smp_ops = n;
	return 0;
}

/* An option is a bare word, or a name ending in '=' and its value. */
static const struct {
	const char *name;
	int (*parse)(const char *value, struct boot_options *opt);
} options[] = {
    {"exit", parse_exit},  {"tests=", parse_tests},
    {"heap=", parse_heap}, {"caches=", parse_caches},
    {"fail=", parse_fail}, {"heapmap=", parse_heapmap},
    {"acpi=", parse_acpi}, {"smp-ops=", parse_smp_ops},
};

/* The rest of w after name, or NULL when w is not this option. */
static const char *value_of(const char *w, const char *name)
{
	size_t len = strlen(name);

	if (name[len - 1] != '=')
		return strcmp(w, name) == 0 ? w + len : NULL;
	return memcmp(w, name, len) == 0 ? w + len : NULL;
}

static int parse_word(const char *w, struct boot_options *opt)
{
	const size_t n = sizeof(options) / sizeof(options[0]);

	for (size_t i = 0; i < n; i++) {
		const char *v = value_of(w, options[i].name);

		if (v)
			return options[i].parse(v, opt);
	}
	kprintf("cmdline: unknown option '%s'; the options are:", w);
	for (size_t i = 0; i < n; i++)
		kprintf(" %s", options[i].name);
	kprintf("\n");
	return -1;
}

int cmdline_parse(const char *cmdline, struct boot_options *opt)
{
	/* As long as the whole line: multiboot.c bounds that. */
	static char word[MB_CMDLINE_MAX];
	const char *p = cmdline;
	int refused = 0;

	*opt = (struct boot_options){.all_tests = 1,
				     .heap_flags = HEAP_CACHES,
				     .smp_ops = CMDLINE_SMP_OPS};
	while (*p) {
		size_t len;

		while (*p == ' ')
			p++;
		len = copy_until(word, sizeof(word), p, ' ');
		p += len;
		if (len > 0 && !has_slash(word) && parse_word(word, opt) != 0)
			refused++;
	}
	return refused;
}
