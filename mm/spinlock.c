#include "spinlock.h"

#include "internal.h"

/*
 * MM_UNSAFE_NO_LOCK builds a heap whose lock does nothing. It exists only to
 * show that the concurrency tests can fail: with it, CPUs and threads
 * corrupt the heap. Never ship it.
 */
#ifdef MM_UNSAFE_NO_LOCK
#define LOCKING 0
#else
#define LOCKING 1
#endif

/*
 * How long a waiter spins. With a way to sleep, hardly at all: measured
 * with 2 and 8 threads on 2 cores on one lock-only heap, 200 spins made
 * 20 M operations take 5.3 s and 19.3 s, one spin 1.2 s and 6.1 s -
 * a spinning waiter takes the lock's and the heap's cache lines away from
 * the holder at every hand-off, and a sleeping one lets it run on. With
 * no way to sleep, spin, and call relax now and then.
 */
#define SPINS_BEFORE_SLEEP 1u
#define SPINS_BEFORE_RELAX 128u

void mm_spin_init(struct spinlock *l, const char *name)
{
	atomic_init(&l->word, 0);
	atomic_init(&l->holder, 0);
	l->name = name;
	l->acquired = 0;
	l->contended = 0;
	l->slept = 0;
}

static inline void cpu_relax(void)
{
#if defined(__i386__) || defined(__x86_64__)
	__asm__ volatile("pause");
#endif
}

/* cpu_id() + 1, or 0 when there is no cpu_id hook: then every caller looks
 * the same and the holder checks are off. */
static unsigned self(void)
{
	return mm_hooks.cpu_id ? mm_hooks.cpu_id() + 1 : 0;
}

#if defined(__GNUC__) || defined(__clang__)
#define CALLER() __builtin_return_address(0)
#else
#define CALLER() ((void *)0)
#endif

static _Noreturn void misuse(const struct spinlock *l, const char *what,
			     void *caller)
{
	char msg[120];
	struct mm_out o = {msg, 0, sizeof msg};

	mm_format(&o, "spinlock %s: %s by cpu %u (caller %p)", l->name, what,
		  (size_t)self() - 1, caller);
	mm_panic(msg);
}

static int held_by(struct spinlock *l, unsigned me)
{
	return me &&
	       atomic_load_explicit(&l->holder, memory_order_relaxed) == me;
}

int mm_spin_held(struct spinlock *l)
{
	return held_by(l, self());
}

int mm_spin_busy(struct spinlock *l)
{
	return atomic_load_explicit(&l->word, memory_order_relaxed) != 0;
}

int mm_spin_owned(struct spinlock *l)
{
	unsigned me = self();

	if (!LOCKING)
		return 1; /* nobody ever holds it: nothing to tell */
	return me ? held_by(l, me) : mm_spin_busy(l);
}

static int try_take(struct spinlock *l, unsigned want)
{
	unsigned expect = 0;

	return atomic_compare_exchange_strong_explicit(&l->word, &expect, want,
						       memory_order_acquire,
						       memory_order_relaxed);
}

/* The lock was busy: spin, then sleep or relax, until it is ours. Returns
 * how many times this waiter slept. */
static unsigned long take_slowly(struct spinlock *l)
{
	unsigned long slept = 0;
	unsigned spins = 0;

	for (;;) {
		/* read before trying: a failed exchange still takes the cache
		 * line away from the holder */
		if (atomic_load_explicit(&l->word, memory_order_relaxed) == 0 &&
		    try_take(l, 1))
			return slept;
		cpu_relax();
		spins++;
		if (mm_hooks.wait && mm_hooks.wake) {
			if (spins < SPINS_BEFORE_SLEEP)
				continue;
			/* 2 tells the holder to wake somebody. Whoever swaps
			 * 0 out of the word owns the lock, still marked 2:
			 * other sleepers may remain, and an extra wake-up
			 * costs less than a lost one. */
			while (atomic_exchange_explicit(
				   &l->word, 2, memory_order_acquire) != 0) {
				mm_hooks.wait(&l->word, 2);
				slept++;
			}
			return slept;
		}
		if (spins % SPINS_BEFORE_RELAX == 0 && mm_hooks.relax)
			mm_hooks.relax();
	}
}

uintptr_t mm_spin_lock_irqsave(struct spinlock *l)
{
	/* mask first: an interrupt arriving after we hold the lock could
	 * otherwise try to take it again on this CPU */
	uintptr_t irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	unsigned me = self();
	unsigned long slept = 0;
	int waited = 0;

	if (LOCKING && held_by(l, me))
		misuse(l, "taken again (it would spin forever)", CALLER());
	if (LOCKING && !try_take(l, 1)) {
		slept = take_slowly(l);
		waited = 1;
	}
	atomic_store_explicit(&l->holder, me, memory_order_relaxed);
	l->acquired++;
	l->contended += (unsigned long)waited;
	l->slept += slept;
	return irq;
}

void mm_spin_unlock_irqrestore(struct spinlock *l, uintptr_t irq_state)
{
	unsigned me = self();

	if (LOCKING && me && !held_by(l, me))
		misuse(l, "released but not held", CALLER());
	atomic_store_explicit(&l->holder, 0, memory_order_relaxed);
	/* release order: everything written under the lock is visible to the
	 * next holder before it sees the word free */
	if (LOCKING && mm_hooks.wake) {
		if (atomic_exchange_explicit(&l->word, 0,
					     memory_order_release) == 2)
			mm_hooks.wake(&l->word);
	} else if (LOCKING) {
		atomic_store_explicit(&l->word, 0, memory_order_release);
	}
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq_state);
}

void mm_spin_reset(struct spinlock *l)
{
	atomic_store_explicit(&l->holder, 0, memory_order_relaxed);
	atomic_store_explicit(&l->word, 0, memory_order_release);
}
