/*
 * libcheck.c - what a program sees of build/lib/libmm.so: run under
 * LD_PRELOAD by tests/lib/run.sh, one case per argument. Exit 0 when the
 * case holds; any other exit (or a signal) is its failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#c);                                           \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* the compiler must not fold the calls whose results are checked */
static void *volatile sink;
static size_t volatile huge = SIZE_MAX;

static int api(void)
{
	void *p;

	errno = 0;
	CHECK(malloc(huge) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(calloc(huge / 2, 4) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(reallocarray(NULL, huge / 2, 4) == NULL && errno == ENOMEM);
	CHECK(posix_memalign(&p, 3, 16) == EINVAL);
	CHECK(posix_memalign(&p, 2, 16) == EINVAL);
	CHECK(posix_memalign(&p, 64, huge) == ENOMEM);
	CHECK(posix_memalign(&p, 4096, 100) == 0 && (uintptr_t)p % 4096 == 0);
	free(p);
	errno = 0;
	CHECK(aligned_alloc(24, 48) == NULL && errno == EINVAL);
	CHECK((p = aligned_alloc(256, 512)) && (uintptr_t)p % 256 == 0);
	free(p);
	CHECK((p = memalign(100, 10)) && (uintptr_t)p % 128 == 0);
	free(p);
	CHECK((p = valloc(10)) && (uintptr_t)p % 4096 == 0);
	free(p);
	CHECK((p = pvalloc(5000)) && (uintptr_t)p % 4096 == 0 &&
	      malloc_usable_size(p) >= 8192);
	free(p);
	CHECK((p = malloc(100)) && malloc_usable_size(p) >= 100);
	CHECK(malloc_usable_size(NULL) == 0);
	memset(p, 1, 100);
	CHECK((p = realloc(p, 100000)) && ((unsigned char *)p)[99] == 1);
	CHECK((p = realloc(p, 1 << 22)) && ((unsigned char *)p)[99] == 1);
	CHECK(realloc(p, 0) == NULL);
	CHECK((p = calloc(1000, 1000)) != NULL);
	for (int i = 0; i < 1000000; i++)
		CHECK(((unsigned char *)p)[i] == 0);
	free(p);
	sink = malloc(0);
	CHECK(sink != NULL);
	free(sink);
	return 0;
}

static volatile int stop;

static void *churn(void *arg)
{
	(void)arg;
	while (!stop) {
		void *a[64];

		for (int i = 0; i < 64; i++)
			a[i] = malloc((size_t)(i * 37 % 3000) + 1);
		for (int i = 0; i < 64; i++)
			free(a[i]);
	}
	return NULL;
}

/* fork while other threads are inside the heap: the child's heap works */
static int forks(void)
{
	pthread_t t[3];

	for (int i = 0; i < 3; i++)
		CHECK(pthread_create(&t[i], NULL, churn, NULL) == 0);
	for (int i = 0; i < 200; i++) {
		pid_t pid = fork();
		int status;

		CHECK(pid >= 0);
		if (pid == 0) {
			void *a[1000];

			for (int j = 0; j < 1000; j++)
				CHECK((a[j] = malloc((size_t)j + 1)) != NULL);
			for (int j = 0; j < 1000; j++)
				free(a[j]);
			_exit(0);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static void *short_life(void *arg)
{
	void *a[200];

	(void)arg;
	for (int i = 0; i < 200; i++)
		a[i] = malloc(64 + (size_t)i);
	for (int i = 0; i < 200; i++)
		free(a[i]);
	return NULL;
}

/* threads that exit leave no caches behind: run.sh reads the stats */
static int threads(void)
{
	for (int i = 0; i < 500; i++) {
		pthread_t t;

		CHECK(pthread_create(&t, NULL, short_life, NULL) == 0);
		CHECK(pthread_join(t, NULL) == 0);
	}
	return 0;
}

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	CHECK(f && fscanf(f, "%ld %ld", &pages, &resident) == 2);
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 256 MiB in small blocks, all freed: most of it goes back */
static int rss(void)
{
	enum { N = 4 << 20 };
	void **a = malloc(N * sizeof *a);
	long start, peak, end;

	CHECK(a != NULL);
	start = rss_kib();
	for (int i = 0; i < N; i++) {
		CHECK((a[i] = malloc(48)) != NULL);
		memset(a[i], 7, 48);
	}
	peak = rss_kib();
	for (int i = 0; i < N; i++)
		free(a[i]);
	free(a);
	end = rss_kib();
	printf("rss: start %ld KiB, peak %ld KiB, after free %ld KiB\n", start,
	       peak, end);
	CHECK(peak - start > 200 * 1024);
	CHECK(end - start < (peak - start) / 10);
	return 0;
}

static int double_free(void)
{
	void *volatile p = malloc(40);

	free(p);
	free(p);
	return 0; /* not reached: libmm aborts */
}

static int overflow(void)
{
	char *p = malloc(40);

	/* volatile: a store right before free() is otherwise dead */
	static size_t volatile forty = 40;
	volatile char *past = p + forty;

	*past = 'x';
	free(p);
	return 0; /* not reached with LIBMM_OPTIONS=check */
}

static int bad_pointer(void)
{
	char *p = malloc(64);
	char *volatile inside = p + 16;

	free(inside);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {{"api", api},
		     {"fork", forks},
		     {"threads", threads},
		     {"rss", rss},
		     {"double-free", double_free},
		     {"overflow", overflow},
		     {"bad-pointer", bad_pointer}};

	for (size_t i = 0; argc > 1 && i < sizeof cases / sizeof cases[0]; i++)
		if (strcmp(argv[1], cases[i].name) == 0)
			return cases[i].fn();
	fprintf(stderr,
		"usage: %s api|fork|threads|rss|double-free|overflow|"
		"bad-pointer\n",
		argv[0]);
	return 2;
}
