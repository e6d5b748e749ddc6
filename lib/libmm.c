/*
 * libmm.c - mm/ as a program's malloc: build/lib/libmm.so (LD_PRELOAD or
 * -lmm) and libmm.a.
 *
 * One heap for the process, made on the first call (from the dynamic
 * loader, a constructor, or main), with per-thread caches, growing through
 * mmap and giving back through munmap and madvise (mm/heap.h, struct
 * heap_growth). LIBMM_OPTIONS picks the mode: words among
 *
 *   check       the checking mode: poison, red zones (mm/heap.h)
 *   quarantine  the checking mode, and freed blocks wait before reuse
 *   nocache     no per-thread caches: every call takes the heap's lock
 *   stats       a summary of the heap on stderr when the program exits
 *
 * A fault - double free, bad pointer, damaged header - prints two lines on
 * stderr and aborts: what, "libmm: double free of 0x... (block already
 * free)", and where, "libmm: called from 0x... (prog+0x1234)": the call
 * into malloc/free that met it, as an offset in its file that
 * `addr2line -f -e prog 0x1234` turns into a function and a line.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host/mm_host.h"
#include "mm/heap.h"

#define EXPORT __attribute__((visibility("default")))

#define FIRST_BYTES ((size_t)1 << 20)
#define PAGE	    ((size_t)4096)
#define LARGE_MIN   ((size_t)256 << 10)

/* What is handed out while the heap is being made: the hooks' own set-up
 * may allocate (a thread key, a fork handler), before the heap exists. */
#define EARLY_BYTES ((size_t)64 << 10)
static _Alignas(16) unsigned char early[EARLY_BYTES];
static atomic_size_t early_used;

static struct heap *heap;
static atomic_int state;	 /* 0 not made, 1 being made, 2 ready */
static _Thread_local int making; /* this thread is making it */
static unsigned flags;
static int want_stats;

static int in_early(const void *p)
{
	return (const unsigned char *)p >= early &&
	       (const unsigned char *)p < early + EARLY_BYTES;
}

static void *early_alloc(size_t n)
{
	size_t need = (n + 15) & ~(size_t)15, at;

	if (n > EARLY_BYTES)
		return NULL;
	at = atomic_fetch_add(&early_used, need);
	if (at + need > EARLY_BYTES)
		return NULL;
	return early + at;
}

/*
 * Where reports go: the program's stderr. With stats on, a copy of it made
 * at start-up, because programs may close stderr before exit (coreutils'
 * close_stdout does, in an atexit handler that runs before our destructor).
 */
static int say_fd = 2;

static void say(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(say_fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void say_hex(uintptr_t v)
{
	char buf[2 + 2 * sizeof v + 1], *at = buf + sizeof buf - 1;

	*at = '\0';
	do {
		*--at = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	*--at = 'x';
	*--at = '0';
	say(at);
}

/* "libmm: called from ADDR (FILE+OFFSET[, SYMBOL])": the file and offset
 * for addr2line, the symbol when the file exports one. */
static void say_caller(const void *caller)
{
	Dl_info in;

	if (!caller)
		return;
	say("libmm: called from ");
	say_hex((uintptr_t)caller);
	if (dladdr(caller, &in) && in.dli_fname) {
		say(" (");
		say(in.dli_fname);
		say("+");
		say_hex((uintptr_t)caller - (uintptr_t)in.dli_fbase);
		if (in.dli_sname) {
			say(", ");
			say(in.dli_sname);
		}
		say(")");
	}
	say("\n");
}

/* Two lines: "libmm: " and the heap's message without its "heap: ", then
 * who called. */
static void fault_abort(const struct heap_fault *f, void *ctx)
{
	const char *what = f->what;

	(void)ctx;
	if (strncmp(what, "heap: ", 6) == 0)
		what += 6;
	say("libmm: ");
	say(what);
	say("\n");
	say_caller(f->caller);
	abort();
}

static void *grow(size_t bytes, void *ctx)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)ctx;
	return p == MAP_FAILED ? NULL : p;
}

static void release(void *mem, size_t bytes, void *ctx)
{
	(void)ctx;
	munmap(mem, bytes);
}

/* the pages read back as zeros when touched again: no commit needed */
static void purge(void *mem, size_t bytes, void *ctx)
{
	(void)ctx;
	madvise(mem, bytes, MADV_DONTNEED);
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		while (*p == ',' || *p == ' ')
			p++;
		if (strncmp(p, word, n) == 0 &&
		    (p[n] == 0 || p[n] == ',' || p[n] == ' '))
			return 1;
		while (*p && *p != ',' && *p != ' ')
			p++;
	}
	return 0;
}

static void read_options(void)
{
	const char *o = getenv("LIBMM_OPTIONS");

	flags = HEAP_CACHES;
	if (has_word(o, "check"))
		flags = HEAP_CHECKING;
	if (has_word(o, "quarantine"))
		flags = HEAP_QUARANTINE;
	if (has_word(o, "nocache"))
		flags &= ~HEAP_CACHES;
	want_stats = has_word(o, "stats");
	if (want_stats) {
		int fd = fcntl(2, F_DUPFD_CLOEXEC, 64);

		if (fd >= 0)
			say_fd = fd;
	}
}

static void fork_prepare(void)
{
	heap_fork_prepare(heap);
}

static void fork_parent(void)
{
	heap_fork_parent(heap);
}

static void fork_child(void)
{
	heap_fork_child(heap);
}

static void make_heap(void)
{
	struct heap_growth g = {.grow = grow,
				.release = release,
				.purge = purge,
				.page = PAGE,
				.large_min = LARGE_MIN};
	void *mem;
	struct heap *h;

	read_options();
	/* may allocate: served early, since state says "being made" */
	mm_host_init();
	mem = grow(FIRST_BYTES, NULL);
	h = mem ? heap_create_flags(mem, FIRST_BYTES, flags) : NULL;
	if (!h) {
		say("libmm: cannot map the first 1 MiB of the heap\n");
		abort();
	}
	heap_set_fault_handler(h, fault_abort, NULL);
	heap_set_growth(h, &g);
	heap = h;
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* The heap, made by the first caller; NULL while this thread makes it. */
static struct heap *the_heap(void)
{
	int s = atomic_load_explicit(&state, memory_order_acquire);
	int zero = 0;

	if (s == 2)
		return heap;
	if (s == 0 && atomic_compare_exchange_strong(&state, &zero, 1)) {
		making = 1;
		make_heap();
		making = 0;
		atomic_store_explicit(&state, 2, memory_order_release);
		return heap;
	}
	/* being made: by this thread (re-entered from the set-up), which
	 * takes early memory, or by another, which waits */
	if (making)
		return heap;
	while (atomic_load_explicit(&state, memory_order_acquire) != 2)
		sched_yield();
	return heap;
}

EXPORT void *malloc(size_t n)
{
	struct heap *h = the_heap();
	void *p = h ? heap_alloc_from(h, n, HEAP_CALLER()) : early_alloc(n);

	if (!p)
		errno = ENOMEM;
	return p;
}

EXPORT void free(void *p)
{
	if (!p || in_early(p))
		return;
	heap_free_from(the_heap(), p, HEAP_CALLER());
}

EXPORT void *calloc(size_t nmemb, size_t n)
{
	struct heap *h = the_heap();
	void *p;

	if (n && nmemb > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	/* early memory is zero: never handed out twice */
	p = h ? heap_calloc_from(h, nmemb, n, HEAP_CALLER())
	      : early_alloc(nmemb * n);
	if (!p)
		errno = ENOMEM;
	return p;
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (in_early(p))
		return 16;
	return heap_usable_size_from(the_heap(), p, HEAP_CALLER());
}

/* realloc, for the call at caller */
static void *realloc_from(void *p, size_t n, const void *caller)
{
	struct heap *h = the_heap();
	void *q;

	if (p && in_early(p)) {
		/* out of the early memory: its size is not kept; copy what
		 * may be there, up to the end of the early memory */
		size_t room =
		    (size_t)(early + EARLY_BYTES - (unsigned char *)p);

		q = malloc(n);
		if (q)
			memcpy(q, p, n < room ? n : room);
		return q;
	}
	if (!h)
		return early_alloc(n);
	q = heap_realloc_from(h, p, n, caller);
	if (!q && n)
		errno = ENOMEM;
	return q;
}

EXPORT void *realloc(void *p, size_t n)
{
	return realloc_from(p, n, HEAP_CALLER());
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t n)
{
	if (n && nmemb > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc_from(p, nmemb * n, HEAP_CALLER());
}

/* an aligned allocation, for the call at caller */
static void *aligned(size_t align, size_t n, const void *caller)
{
	struct heap *h = the_heap();
	void *p;

	if (align > HEAP_MAX_ALIGN) {
		errno = ENOMEM;
		return NULL;
	}
	if (!h) {
		p = align <= 16 ? early_alloc(n) : NULL;
	} else {
		p = heap_aligned_alloc_from(h, align < 16 ? 16 : align, n,
					    caller);
	}
	if (!p)
		errno = ENOMEM;
	return p;
}

static int power_of_two(size_t x)
{
	return x && (x & (x - 1)) == 0;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;
	int saved = errno;

	if (!power_of_two(align) || align % sizeof(void *) != 0)
		return EINVAL;
	p = aligned(align, n, HEAP_CALLER());
	if (!p) {
		errno = saved;
		return ENOMEM;
	}
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, n, HEAP_CALLER());
}

/* as the C library does: an alignment that is no power of two is rounded
 * up to one */
EXPORT void *memalign(size_t align, size_t n)
{
	size_t a = 16;

	if (align > HEAP_MAX_ALIGN) {
		errno = EINVAL;
		return NULL;
	}
	while (a < align)
		a <<= 1;
	return aligned(a, n, HEAP_CALLER());
}

EXPORT void *valloc(size_t n)
{
	return aligned(PAGE, n, HEAP_CALLER());
}

EXPORT void *pvalloc(size_t n)
{
	if (n > SIZE_MAX - PAGE) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned(PAGE, (n + PAGE - 1) & ~(PAGE - 1), HEAP_CALLER());
}

__attribute__((destructor)) static void print_stats(void)
{
	struct heap_stats s;
	char line[400];

	if (!want_stats || atomic_load(&state) != 2)
		return;
	heap_get_stats(heap, &s);
	snprintf(line, sizeof line,
		 "libmm: stats: %zu blocks in use (%zu bytes), %zu free "
		 "(%zu bytes), %zu cached, %zu large (%zu bytes); peak %zu "
		 "bytes; %zu regions (%zu grown), %zu bytes purged; lock "
		 "taken %zu times, %zu after waiting\n",
		 s.used_blocks, s.bytes_used, s.free_blocks, s.bytes_free,
		 s.cached_blocks, s.large_blocks, s.bytes_large, s.peak_used,
		 s.regions, s.regions_grown, s.bytes_purged, s.lock_acquired,
		 s.lock_contended);
	say(line);
}
