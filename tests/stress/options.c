#define _GNU_SOURCE
#include "tests/stress/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static _Noreturn void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-w workers] [-n ops-per-worker] [-m heap-MiB] "
		"[-s seed]\n",
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
	while ((c = getopt(argc, argv, "w:n:m:s:")) != -1) {
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
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || o->workers == 0 || o->workers > max_workers ||
	    o->ops == 0 || o->heap_bytes == 0)
		usage(argv[0]);
}

double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
