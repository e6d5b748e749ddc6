/*
 * faults.h - what fuzz_faults.c and its misuses (faults_misuse.c) share:
 * the run, and the record of what the misuse did and what the heap owes
 * for it.
 */
#ifndef TESTS_FUZZ_FAULTS_H
#define TESTS_FUZZ_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "mm/heap.h"
#include "tests/common/fault_log.h"
#include "tests/fuzz/guard.h"
#include "tests/fuzz/input.h"
#include "tests/fuzz/layout.h"

#define SLOTS	  16
#define MAX_CALLS 48
#define RULES	  6

#define KIND(k) (1u << (k))

/* The calls a rule says must report the damage. */
#define TOUCH_FREE    1u
#define TOUCH_REALLOC 2u
#define TOUCH_USABLE  4u

struct slot {
	unsigned char *p;
	size_t size;
	uint32_t seed;
};

struct rule {
	uintptr_t ptr;
	unsigned calls;
};

/* What the misuse did, and what the heap owes for it. */
struct damage {
	const char *what;
	unsigned kinds; /* fault kinds that may report it */
	int expected;	/* the heap promises to report it */
	int refused;	/* a bad call: one fault, then a sound heap */
	struct rule rule[RULES];
	size_t nrules;
	size_t before[HEAP_FAULT_KINDS]; /* fault counts at the misuse */
};

struct run {
	struct heap *h, *other;
	unsigned flags;
	struct input in;
	struct guard g;
	struct fault_log log;
	struct slot slot[SLOTS];
	struct piece piece[2];
	size_t npieces;
	uintptr_t start; /* first 16-aligned byte of the first region */
	struct layout lay;
	void *foreign;	 /* a block of the other heap */
	uintptr_t stack; /* 16-aligned, in the caller's frame */
	struct damage d;
	unsigned step;
};

void free_slot(struct run *r, struct slot *s);
struct heap_stats stats_now(struct heap *h);

/* Misuse the heap as the next input byte says, and fill in r->d. */
void misuse(struct run *r);

#endif
