#define _GNU_SOURCE
#include "tests/stress/options.h"

#include "host/mm_host.h"
#include "mm/cache.h"
#include "tests/stress/fail.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static _Noreturn void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-w workers] [-n ops-per-worker] [-m heap-MiB] "
		"[-s seed] [-c] [-b]\n",
		prog);
	exit(2);
}

static unsigned long long number(const char *prog, const char *arg)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 0);

	if (*arg == '\0' || *end != '\0')
		usage(prog);
	return v;
}

void options_parse(int argc, char **argv, struct options *o,
		   unsigned max_workers)
{
	int c;

	o->seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	while ((c = getopt(argc, argv, "w:n:m:s:cb")) != -1) {
		switch (c) {
		case 'w':
			o->workers = (unsigned)number(argv[0], optarg);
			break;
		case 'n':
			o->ops = (size_t)number(argv[0], optarg);
			break;
		case 'm':
			o->heap_bytes = (size_t)number(argv[0], optarg) << 20;
			break;
		case 's':
			o->seed = number(argv[0], optarg);
			break;
		case 'c':
			o->caches = 1;
			break;
		case 'b':
			o->bare = 1;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || o->workers == 0 || o->workers > max_workers ||
	    o->ops == 0 || o->heap_bytes == 0)
		usage(argv[0]);
}

struct heap *options_heap(const struct options *o, void *mem)
{
	struct heap *h;

	if (!o->bare)
		mm_host_init();
	h = heap_create_flags(mem, o->heap_bytes, o->caches ? HEAP_CACHES : 0);
	if (!h)
		stress_cannot("heap_create(%zu bytes) failed", o->heap_bytes);
	return h;
}

unsigned options_max_caches(const struct options *o)
{
	if (!o->caches)
		return 0;
	return o->bare ? CACHE_SHARDS : o->workers;
}

const char *options_describe(const struct options *o, size_t own_blocks)
{
	static char text[80];

	if (!o->caches)
		return o->bare ? "no caches, no hooks" : "no caches";
	/* the depot is one of the heap's own blocks, the caches the rest */
	snprintf(text, sizeof text, "%s, %zu made%s",
		 o->bare ? "shared shards" : "per-thread caches",
		 own_blocks ? own_blocks - 1 : 0, o->bare ? ", no hooks" : "");
	return text;
}

double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
