#include "spinlock.h"

#include "internal.h"

void spin_init(struct spinlock *l, const char *name)
{
	atomic_init(&l->next, 0);
	atomic_init(&l->serving, 0);
	l->name = name;
	l->contended = 0;
}

static inline void cpu_relax(void)
{
#if defined(__i386__) || defined(__x86_64__)
	__asm__ volatile("pause");
#endif
}

uintptr_t spin_lock(struct spinlock *l)
{
	/* mask first: an interrupt arriving after we hold the lock could
	 * otherwise try to take it again on this CPU */
	uintptr_t irq = mm_hooks.irq_save ? mm_hooks.irq_save() : 0;
	unsigned ticket =
	    atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);

	if (atomic_load_explicit(&l->serving, memory_order_acquire) != ticket) {
		while (atomic_load_explicit(&l->serving,
					    memory_order_acquire) != ticket)
			cpu_relax();
		l->contended++; /* under the lock now */
	}
	return irq;
}

void spin_unlock(struct spinlock *l, uintptr_t irq_state)
{
	unsigned now = atomic_load_explicit(&l->serving, memory_order_relaxed);

	/* release: everything written under the lock is visible to the next
	 * holder before it sees its ticket come up */
	atomic_store_explicit(&l->serving, now + 1, memory_order_release);
	if (mm_hooks.irq_restore)
		mm_hooks.irq_restore(irq_state);
}
