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

void spin_init(struct spinlock *l, const char *name)
{
	atomic_init(&l->next, 0);
	atomic_init(&l->serving, 0);
	atomic_init(&l->holder, 0);
	l->name = name;
	l->acquired = 0;
	l->contended = 0;
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

static void misuse(const struct spinlock *l, const char *what, void *caller)
{
	char msg[120];
	struct mm_out o = {msg, 0, sizeof msg};

	mm_format(&o, "spinlock %s: %s by cpu %u (caller %p)", l->name, what,
		  (size_t)self() - 1, caller);
	if (mm_hooks.panic)
		mm_hooks.panic(msg);
#if defined(__GNUC__) || defined(__clang__)
	__builtin_trap();
#else
	for (;;)
		;
#endif
}

static int held_by(struct spinlock *l, unsigned me)
{
	return me &&
	       atomic_load_explicit(&l->holder, memory_order_relaxed) == me;
}

int spin_held(struct spinlock *l)
{
	return held_by(l, self());
}

uintptr_t spin_lock(struct spinlock *l)
{
	/* mask first: an interrupt arriving after we hold the lock could
	 * otherwise try to take it again on this CPU */
	uintptr_t irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	unsigned ticket, me = self();
	unsigned waited = 0;

	if (LOCKING && held_by(l, me))
		misuse(l, "taken again (it would spin forever)", CALLER());
	ticket = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
	while (LOCKING && atomic_load_explicit(
			      &l->serving, memory_order_acquire) != ticket) {
		if (++waited % 128 == 0 && mm_hooks.relax)
			mm_hooks.relax();
		cpu_relax();
	}
	atomic_store_explicit(&l->holder, me, memory_order_relaxed);
	l->acquired++;
	l->contended += waited != 0;
	return irq;
}

void spin_unlock(struct spinlock *l, uintptr_t irq_state)
{
	unsigned me = self();
	unsigned now;

	if (LOCKING && me && !held_by(l, me))
		misuse(l, "released but not held", CALLER());
	atomic_store_explicit(&l->holder, 0, memory_order_relaxed);
	/* only the holder writes serving, so a plain release store will do
	 * (no locked read-modify-write): everything written under the lock
	 * is visible to the next holder before it sees its ticket come up */
	now = atomic_load_explicit(&l->serving, memory_order_relaxed);
	atomic_store_explicit(&l->serving, now + 1, memory_order_release);
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq_state);
}
