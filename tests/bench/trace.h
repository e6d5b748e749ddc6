/*
 * trace.h - a workload as a flat array of allocator calls.
 *
 * A trace is generated once from a seed and then replayed, unchanged, against
 * every allocator, so that they all see the same calls with the same sizes in
 * the same order. Blocks are named by slot: a small integer the generator
 * hands out at allocation and takes back at free, so the replayer keeps one
 * pointer per slot and never searches.
 *
 *   ops[0 .. setup)         untimed: builds the starting heap (holes, ramp)
 *   ops[setup .. count)     timed
 */
#ifndef TESTS_BENCH_TRACE_H
#define TESTS_BENCH_TRACE_H

#include <stddef.h>
#include <stdint.h>

enum op_kind {
	OP_MALLOC,
	OP_CALLOC,
	OP_ALIGNED, /* aligned_alloc(1 << align_log2, size) */
	OP_REALLOC, /* the slot's block becomes size bytes */
	OP_FREE,
	OP_KINDS
};

/* 12 bytes: a million-op trace stays in a few MiB. */
struct op {
	uint8_t kind;
	uint8_t align_log2;
	uint16_t unused;
	uint32_t slot;
	uint32_t size;
};

struct trace {
	const char *name;
	struct op *ops;
	size_t count, cap;
	size_t setup;		     /* ops before the timed part */
	uint32_t slots;		     /* slot numbers are below this */
	size_t peak_live_bytes;	     /* most requested bytes live at once */
	size_t peak_live_blocks;     /* most blocks live at once */
	size_t kind_count[OP_KINDS]; /* in the timed part */
	/* How the generator was called, so that a child process can make
	 * the same trace (a preloaded malloc is timed there): */
	uint64_t seed;
	size_t gen_ops, gen_param;
};

void trace_init(struct trace *t, const char *name);
void trace_push(struct trace *t, struct op op);
void trace_release(struct trace *t);
/* Number of timed ops. */
size_t trace_timed(const struct trace *t);

#endif
