/*
 * spinlock.h - the heap's lock: spin briefly, then sleep, and never hand
 * the lock to a waiter that is not running.
 *
 * The lock is one word: 0 free, 1 held, 2 held with waiters that may be
 * asleep. Whoever finds it free takes it, so a running CPU never waits for
 * a preempted one to take its turn (a FIFO ticket lock does: with more
 * threads than cores every hand-off could wait for a scheduler tick). A
 * waiter spins for a while; then, when the environment gives mm/ a way to
 * sleep (the wait/wake hooks: a futex on Linux), it marks the word 2 and
 * sleeps until the holder, seeing 2, wakes one waiter. Without those hooks
 * it keeps spinning, calling the relax hook now and then.
 *
 * Taking it masks interrupts on this CPU (through the irq hooks) before
 * spinning, so an interrupt handler that allocates cannot spin forever on
 * a lock held by the code it interrupted. The state lives entirely in the
 * struct, so the lock works between processes that share its memory.
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
	atomic_uint word;   /* 0 free, 1 held, 2 held and maybe waiters */
	atomic_uint holder; /* cpu_id() + 1 of the holder, 0 when free */
	const char *name;
	/* written by the holder only */
	unsigned long acquired;	 /* times taken */
	unsigned long contended; /* of those, times a CPU had to wait */
	unsigned long slept;	 /* of those, times a waiter went to sleep */
};

void mm_spin_init(struct spinlock *l, const char *name);
/* Returns the interrupt state to give back to mm_spin_unlock_irqrestore(). */
uintptr_t mm_spin_lock_irqsave(struct spinlock *l);
void mm_spin_unlock_irqrestore(struct spinlock *l, uintptr_t irq_state);
/* Make l free, whoever held it: a forked child, whose holder is gone. */
void mm_spin_reset(struct spinlock *l);
/* Non-zero when this CPU holds l (always 0 without a cpu_id hook). */
int mm_spin_held(struct spinlock *l);
/* Non-zero when somebody holds l. */
int mm_spin_busy(struct spinlock *l);
/* Non-zero when the caller may be l's holder, as far as can be told:
 * this CPU holds it; or, without a cpu_id hook, somebody does. For
 * MM_ASSERT (xv6's holding()). */
int mm_spin_owned(struct spinlock *l);

#endif
