/*
 * fixture.h - a heap over a fresh buffer, for one test.
 *
 * The buffer is page-aligned and filled with junk (never zero), so a test
 * cannot pass by luck on memory the system happened to clear. Every fixture
 * heap records faults in its own log; fixture_teardown() fails the test if
 * the heap is inconsistent or reported a fault the test did not consume
 * (with fault_log_reset) after asserting on it.
 */
#ifndef TESTS_COMMON_FIXTURE_H
#define TESTS_COMMON_FIXTURE_H

#include <stddef.h>

#include "mm/heap.h"
#include "tests/common/fault_log.h"

#define FIXTURE_JUNK 0xa5u

#define FIXTURE_EXTRA 8

struct fixture {
	unsigned char *mem;
	size_t bytes;
	struct heap *heap;
	struct fault_log log;
	/* More buffers the heap may use (heap_add_region), freed with it. */
	unsigned char *extra[FIXTURE_EXTRA];
	size_t nextra;
};

/* Page-aligned memory of at least bytes, filled with FIXTURE_JUNK. */
unsigned char *buffer_get(size_t bytes);
void buffer_put(unsigned char *buf);

/* 0, or -1 when the buffer or the heap could not be made. */
int fixture_open(struct fixture *fx, size_t bytes);
/* A buffer like buffer_get() that lives as long as the fixture's heap. */
unsigned char *fixture_buffer(struct fixture *fx, size_t bytes);

/* Non-zero when [p, p + n) lies inside [buf, buf + bytes). */
int inside(const void *p, size_t n, const void *buf, size_t bytes);

/* 0 when the heap is consistent and every fault was consumed, else -1. */
int fixture_close(struct fixture *fx);

/* The heap's statistics, as a value. */
struct heap_stats stats_of(struct heap *h);

/* cmocka setup/teardown: *state becomes a struct fixture over 1 MiB. */
int fixture_setup(void **state);
int fixture_teardown(void **state);

#define FIXTURE_BYTES ((size_t)1 << 20)

#endif
