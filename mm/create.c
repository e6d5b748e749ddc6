/*
 * create.c - heap_create and heap_add_region: laying out regions.
 *
 * The heap's control structure sits at the start of the memory given to
 * heap_create; each region then starts with a struct region, one free block
 * covering the rest, and a sentinel header at the very end.
 */
#include "internal.h"

struct mm_hooks mm_hooks;

void mm_set_hooks(const struct mm_hooks *hooks)
{
	static const struct mm_hooks none;

	mm_hooks = hooks ? *hooks : none;
}

static uintptr_t make_secret(const struct heap *h)
{
	static unsigned made;
	uintptr_t s = mm_hooks.entropy ? mm_hooks.entropy() : 0;
	uintptr_t local = 0;

	/* without entropy, still differ between heaps, between heaps made
	 * again at one address (a cache slot tells them apart by the
	 * secret), and between boots that place the stack differently */
	s ^=
	    (uintptr_t)h ^ ((uintptr_t)&local << 7) ^ ((uintptr_t)++made << 20);
	s *= (uintptr_t)0x2545f4914f6cdd1du;
	return s ^ (s >> 15) ^ 1u;
}

/*
 * Lay out a region over [start, end) (16-aligned). Lock held. cover is where
 * the memory the caller gave us begins. A grown region goes first in the list
 * (the newest blocks are looked up most), the others last. Other CPUs follow
 * the list without the lock: a region is whole before it is linked, and none is
 * ever unlinked.
 */
int mm_add_region(struct heap *h, uintptr_t cover, uintptr_t start,
		  uintptr_t end, int grown)
{
	const uintptr_t max_block = ((uintptr_t)1 << MAX_BLOCK_LOG2) -
				    HEAP_ALIGN +
				    ((uintptr_t)1 << MAX_BLOCK_LOG2);
	struct region *r, **tail;
	struct block *first, *sentinel;

	MM_ASSERT(mm_heap_locked(h), "regions are added under the heap's lock");
	if (end < start || end - start < REGION_HDR_SIZE + MIN_BLOCK + HDR_SIZE)
		return -1;
	if (end - start - REGION_HDR_SIZE - HDR_SIZE > max_block)
		end = start + REGION_HDR_SIZE + HDR_SIZE + max_block;
	for (tail = &h->regions; *tail; tail = &(*tail)->next) {
		r = *tail;
		if (cover < (uintptr_t)r->sentinel + HDR_SIZE && r->base < end)
			return -1;
	}

	r = (struct region *)start;
	first = (struct block *)(start + REGION_HDR_SIZE);
	sentinel = (struct block *)(end - HDR_SIZE);
	r->next = grown ? h->regions : NULL;
	r->base = cover;
	r->first = first;
	r->sentinel = sentinel;
	r->index = h->stats.regions;
	r->purged = 0;
	r->grown = 0;

	first->prev = NULL;
	mm_mark_free(h, first,
		     (size_t)((uintptr_t)sentinel - (uintptr_t)first));
	sentinel->size = HDR_SIZE | BLOCK_SENTINEL;
	sentinel->prev = first;
	block_set_meta(sentinel, 0);
	block_seal(h->secret, sentinel);

	atomic_thread_fence(memory_order_release);
	if (grown)
		h->regions = r;
	else
		*tail = r;
	h->stats.regions++;
	h->bytes_total += (size_t)(end - cover);
	mm_fl_insert(h, first);
	/* struct heap stays open: mm_heap_valid() reads it before the lock */
	ann_region((void *)start, (size_t)(end - start));
	if (mm_checking(h))
		mm_fill((unsigned char *)block_payload(first) + LINKS_SIZE,
			HEAP_FREE_BYTE, block_payload_size(first) - LINKS_SIZE);
	return 0;
}

/* A size that runs past the end of the address space cannot describe real
 * memory: refuse it rather than clip it (clipping would put the sentinel
 * at the top of the address space, far outside what the caller owns). */
static int inward(void *mem, size_t bytes, uintptr_t *start, uintptr_t *end)
{
	uintptr_t a = (uintptr_t)mem;

	if (!mem || bytes > UINTPTR_MAX - a)
		return -1;
	*start = round_up(a, HEAP_ALIGN);
	*end = round_down(a + bytes, HEAP_ALIGN);
	return *end > *start ? 0 : -1;
}

struct heap *heap_create_flags(void *mem, size_t bytes, unsigned flags)
{
	const uintptr_t hsize = round_up(sizeof(struct heap), HEAP_ALIGN);
	uintptr_t start, end, irq;
	struct heap *h;
	int rc;

	if (inward(mem, bytes, &start, &end) != 0 || end - start < hsize)
		return NULL;
	ann_enter();
	h = (struct heap *)start;
	mm_fill(h, 0, sizeof *h);
	h->flags = flags & HEAP_QUARANTINE ? flags | HEAP_CHECKING : flags;
	h->secret = make_secret(h);
	mm_spin_init(&h->lock, "heap");
	/* nobody else sees the heap yet, but every list and count changes
	 * under its lock, always (MM_ASSERT checks it) */
	irq = mm_spin_lock_irqsave(&h->lock);
	rc = mm_add_region(h, start, start + hsize, end, 0);
	mm_spin_unlock_irqrestore(&h->lock, irq);
	if (rc != 0) {
		h = NULL;
	} else {
		mm_caches_init(h);
		/* a heap the registry cannot hold gets no caches: a thread
		 * that exits could not give them back safely */
		if (h->cached && mm_registry_add(h) != 0)
			h->cached = 0;
		/* last: a heap is valid only once it is whole */
		h->magic = HEAP_MAGIC;
	}
	ann_leave();
	return h;
}

struct heap *heap_create(void *mem, size_t bytes)
{
	return heap_create_flags(mem, bytes, 0);
}

int heap_add_region(struct heap *h, void *mem, size_t bytes)
{
	uintptr_t start, end, irq;
	int rc;

	if (!mm_heap_valid(h) || inward(mem, bytes, &start, &end) != 0)
		return -1;
	if (mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return -1;
	rc = mm_add_region(h, start, start, end, 0);
	mm_heap_unlock(h, irq);
	return rc;
}
