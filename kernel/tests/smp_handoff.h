/*
 * smp_handoff.h - blocks one CPU passes to another, for the SMP stress:
 * the receiver checks each block's stamp and frees it, so that blocks are
 * freed by another CPU than the one that allocated them (remote frees,
 * the traffic the caches' depot carries).
 *
 * A struct stamped is a block with the stamp its allocator wrote over it.
 * One ring per sender, read by one receiver: a single-producer,
 * single-consumer queue. The sender writes an entry, then publishes it by
 * moving tail (release); the receiver reads it after seeing tail move
 * (acquire) and gives the place back by moving head (release).
 */
#ifndef KERNEL_SMP_HANDOFF_H
#define KERNEL_SMP_HANDOFF_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define HANDOFF_SLOTS 64u /* a power of two: head and tail wrap freely */

struct stamped {
	unsigned char *p;
	size_t size;
	size_t align; /* it was allocated with (16: a plain allocation) */
	uint64_t tag; /* stamp_tag(cpu, seq): tests/common/stamp.h */
};

struct handoff {
	atomic_uint head; /* written by the receiver */
	atomic_uint tail; /* written by the sender */
	atomic_int done;  /* the sender sends no more */
	struct stamped e[HANDOFF_SLOTS];
} __attribute__((aligned(64)));

static inline void handoff_reset(struct handoff *q)
{
	atomic_store(&q->head, 0);
	atomic_store(&q->tail, 0);
	atomic_store(&q->done, 0);
}

/* Sender: 0 when queued, -1 when the ring is full. */
static inline int handoff_put(struct handoff *q, const struct stamped *e)
{
	unsigned t = atomic_load_explicit(&q->tail, memory_order_relaxed);

	if (t - atomic_load_explicit(&q->head, memory_order_acquire) ==
	    HANDOFF_SLOTS)
		return -1;
	q->e[t % HANDOFF_SLOTS] = *e;
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	return 0;
}

/* Receiver: 0 with *e filled, -1 when the ring is empty. */
static inline int handoff_get(struct handoff *q, struct stamped *e)
{
	unsigned h = atomic_load_explicit(&q->head, memory_order_relaxed);

	if (h == atomic_load_explicit(&q->tail, memory_order_acquire))
		return -1;
	*e = q->e[h % HANDOFF_SLOTS];
	atomic_store_explicit(&q->head, h + 1, memory_order_release);
	return 0;
}

/* Receiver: the sender is done and everything it sent was taken. Reads
 * done before the last look at tail, so nothing sent before it is missed. */
static inline int handoff_finished(struct handoff *q)
{
	return atomic_load_explicit(&q->done, memory_order_acquire) &&
	       atomic_load_explicit(&q->head, memory_order_relaxed) ==
		   atomic_load_explicit(&q->tail, memory_order_acquire);
}

#endif
