/*
 * registry.c - the heaps that have caches, for the threads that leave.
 *
 * A thread's struct mm_local names the heaps it has caches in. When the
 * thread exits, its caches go back - but a heap may be gone by then, its
 * memory reused or unmapped. The registry is what may be touched: heaps
 * made with HEAP_CACHES enter it, heap_destroy() takes them out, and a
 * cache is given back only if its heap is still in it, with the secret
 * the slot remembers.
 */
#include "internal.h"

#define REGISTRY_SLOTS 64

static struct {
	struct heap *heap;
	uintptr_t secret;
} registry[REGISTRY_SLOTS];
static struct spinlock registry_lock = {.name = "heap registry"};

/* Returns 0, or -1 when every slot is taken (the heap then has no caches). */
int mm_registry_add(struct heap *h)
{
	uintptr_t irq = mm_spin_lock_irqsave(&registry_lock);
	int rc = -1;

	for (unsigned i = 0; i < REGISTRY_SLOTS; i++) {
		/* a heap made again where another was: the old one is gone */
		if (!registry[i].heap || registry[i].heap == h) {
			registry[i].heap = h;
			registry[i].secret = h->secret;
			rc = 0;
			break;
		}
	}
	mm_spin_unlock_irqrestore(&registry_lock, irq);
	return rc;
}

static void registry_remove(const struct heap *h)
{
	uintptr_t irq = mm_spin_lock_irqsave(&registry_lock);

	for (unsigned i = 0; i < REGISTRY_SLOTS; i++)
		if (registry[i].heap == h)
			registry[i].heap = NULL;
	mm_spin_unlock_irqrestore(&registry_lock, irq);
}

static int registered(const struct heap *h, uintptr_t secret)
{
	for (unsigned i = 0; i < REGISTRY_SLOTS; i++)
		if (registry[i].heap == h && registry[i].secret == secret)
			return 1;
	return 0;
}

void mm_local_release(struct mm_local *l)
{
	uintptr_t irq;

	if (!l)
		return;
	/* the registry stays locked while caches go back: heap_destroy()
	 * waits, so no heap disappears under us */
	irq = mm_spin_lock_irqsave(&registry_lock);
	for (unsigned i = 0; i < MM_LOCAL_SLOTS; i++) {
		struct heap *h = (struct heap *)(uintptr_t)l->slot[i].heap;
		struct mm_cache *c = l->slot[i].cache;
		uintptr_t hirq;

		l->slot[i].heap = NULL;
		if (!h || !registered(h, l->slot[i].secret) ||
		    !mm_heap_valid(h) || h->secret != l->slot[i].secret || !c ||
		    c->magic != CACHE_MAGIC || c->heap != h ||
		    mm_heap_lock(h, &hirq, HEAP_CALLER()) != 0)
			continue;
		mm_cache_give_back(h, c);
		atomic_store_explicit(&c->owner, 0, memory_order_relaxed);
		mm_heap_unlock(h, hirq);
	}
	mm_spin_unlock_irqrestore(&registry_lock, irq);
}

void mm_local_forget(struct mm_local *l)
{
	if (l)
		mm_fill(l, 0, sizeof *l);
}

void heap_destroy(struct heap *h)
{
	uintptr_t irq;

	if (!mm_heap_valid(h))
		return;
	registry_remove(h);
	if (mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return;
	h->magic = 0;
	mm_heap_unlock(h, irq);
}

/* The registry's lock first, as a thread that exits takes it: then no
 * exit can be half done in the copy. */
void heap_fork_prepare(struct heap *h)
{
	uintptr_t irq;

	(void)mm_spin_lock_irqsave(&registry_lock);
	if (mm_heap_valid(h))
		(void)mm_heap_lock(h, &irq, HEAP_CALLER());
}

void heap_fork_parent(struct heap *h)
{
	if (mm_heap_valid(h))
		mm_heap_unlock(h, 0);
	mm_spin_unlock_irqrestore(&registry_lock, 0);
}

/* The child's thread has another id than the holder had: the locks are
 * made free, not released. */
void heap_fork_child(struct heap *h)
{
	mm_spin_reset(&registry_lock);
	if (mm_heap_valid(h)) {
		mm_spin_reset(&h->lock);
		atomic_store_explicit(&h->in_callback, 0, memory_order_relaxed);
		ann_leave();
	}
}
