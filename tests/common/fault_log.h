/*
 * fault_log.h - a fault handler that records instead of aborting.
 *
 * Tests install fault_log_record() on each heap they make, then assert on
 * the counts. The handler runs with the heap's lock held, so it only copies
 * what it is given; it never calls back into the heap.
 */
#ifndef TESTS_COMMON_FAULT_LOG_H
#define TESTS_COMMON_FAULT_LOG_H

#include <stddef.h>

#include "mm/heap.h"

struct fault_log {
	size_t total;
	size_t count[HEAP_FAULT_KINDS];
	struct heap_fault last; /* last.what points into last_what */
	char last_what[200];
};

/* A heap_fault_fn; ctx must be a struct fault_log. */
void fault_log_record(const struct heap_fault *f, void *ctx);

void fault_log_reset(struct fault_log *log);

/* Install a fresh log as h's fault handler. */
void fault_log_attach(struct fault_log *log, struct heap *h);

#endif
