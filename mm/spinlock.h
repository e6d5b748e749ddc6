/*
 * spinlock.h - a ticket spinlock that also masks interrupts.
 *
 * Tickets make the lock fair: CPUs get it in the order they asked. Taking it
 * masks interrupts on this CPU (through the irq hooks) before spinning, so an
 * interrupt handler that allocates cannot spin forever on a lock held by the
 * code it interrupted. The state lives entirely in the struct, so the lock
 * works between processes that share the memory it is in.
 *
 * Misuse is fatal and named: taking a lock this CPU already holds (it would
 * spin forever) or releasing one it does not hold calls the panic hook with
 * the lock's name and the caller's address.
 */
#ifndef MM_SPINLOCK_H
#define MM_SPINLOCK_H

#include <stdatomic.h>
#include <stdint.h>

struct spinlock {
	atomic_uint next;    /* next ticket to hand out */
	atomic_uint serving; /* ticket now allowed in */
	atomic_uint holder;  /* cpu_id() + 1 of the holder, 0 when free */
	const char *name;
	unsigned long acquired;	 /* times taken */
	unsigned long contended; /* of those, times a CPU had to wait */
};

void spin_init(struct spinlock *l, const char *name);
/* Returns the interrupt state to give back to spin_unlock(). */
uintptr_t spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l, uintptr_t irq_state);
/* Non-zero when this CPU holds l. */
int spin_held(struct spinlock *l);

#endif
