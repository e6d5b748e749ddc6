/*
 * ops.h - the shadow model behind fuzz_ops.c: which blocks a program of heap
 * calls must have live, what they hold, and a check for every promise
 * mm/heap.h makes about them. ops_model.c holds the checks; a failed one
 * ends the run through fuzz_fail().
 */
#ifndef TESTS_FUZZ_OPS_H
#define TESTS_FUZZ_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "mm/heap.h"
#include "tests/fuzz/guard.h"
#include "tests/fuzz/input.h"

#define SLOTS	   32
#define MAX_PIECES 6
/* Memory right after the first region, for a region that touches it. */
#define TAIL_BYTES ((size_t)8 << 10)
/* Steps between checks of every live block's contents. */
#define VERIFY_EVERY 4

struct slot {
	unsigned char *p; /* NULL: empty */
	size_t size;	  /* bytes asked for */
	size_t usable;	  /* heap_usable_size() */
	size_t align;	  /* asked for; realloc must keep it */
	uint32_t seed;	  /* the tag of the stamp the block holds */
};

struct run {
	struct heap *h;
	unsigned flags; /* the heap's mode */
	struct input in;
	struct guard g;
	struct slot slot[SLOTS];
	struct piece piece[MAX_PIECES];
	size_t npieces;
	unsigned char *tail;	/* TAIL_BYTES right after the first region */
	size_t live, requested; /* the model's totals */
	size_t free_bytes;	/* bytes_free the heap must have when empty */
	size_t hdr;		/* a block header's bytes */
	uint32_t seed;
	unsigned long step;
};

static inline int run_checking(const struct run *r)
{
	return (r->flags & (HEAP_CHECKING | HEAP_QUARANTINE)) != 0;
}

static inline int run_quarantine(const struct run *r)
{
	return (r->flags & HEAP_QUARANTINE) != 0;
}

/* per-thread caches in front (the checking mode bypasses them) */
static inline int run_cached(const struct run *r)
{
	return (r->flags & HEAP_CACHES) != 0 && !run_checking(r);
}

/* A heap_fault_fn (ctx: the run): a correct program never faults. */
void model_fault(const struct heap_fault *f, void *ctx);
struct heap_stats run_stats(const struct run *r);
size_t payload_for(const struct run *r, size_t n);
size_t largest_payload(const struct run *r, const struct heap_stats *s);

void slot_verify(const struct run *r, const struct slot *s, const char *when);
void slot_accept(struct run *r, struct slot *s, int zeroed, size_t kept);
void slot_release(struct run *r, struct slot *s);
void slot_free(struct run *r, struct slot *s);
void expect_fit(const struct run *r, const struct heap_stats *before, size_t n,
		const void *p, const char *op);

void model_walk(struct run *r);
void model_check_step(struct run *r);
void model_finish(struct run *r);

#endif
