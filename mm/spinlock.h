/*
 * spinlock.h - a ticket spinlock that also masks interrupts.
 *
 * Tickets make the lock fair: CPUs get it in the order they asked. Taking it
 * masks interrupts on this CPU (through the irq hooks) before spinning, so an
 * interrupt handler that allocates cannot spin forever on a lock held by the
 * code it interrupted. The state lives entirely in the struct, so the lock
 * works between processes that share the memory it is in.
 */
#ifndef MM_SPINLOCK_H
#define MM_SPINLOCK_H

#include <stdatomic.h>
#include <stdint.h>

struct spinlock {
	atomic_uint next;    /* next ticket to hand out */
	atomic_uint serving; /* ticket now allowed in */
	const char *name;
	unsigned long contended; /* acquisitions that had to wait */
};

void spin_init(struct spinlock *l, const char *name);
/* Returns the interrupt state to give back to spin_unlock(). */
uintptr_t spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l, uintptr_t irq_state);

#endif
