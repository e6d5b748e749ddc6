/*
 * poison.c - checking mode: poison, canaries and the quarantine.
 *
 * Freed memory is filled with HEAP_FREE_BYTE from just after the free-list
 * links to the end of the block, and checked before those bytes are handed
 * out again (and by heap_check): a changed byte means someone wrote through
 * a pointer after freeing it. The bytes between the requested size and the
 * end of the payload hold HEAP_CANARY_BYTE, checked at free, realloc and
 * heap_check: a changed byte there is an overflow.
 *
 * Poison is checked lazily, only where bytes are about to be reused, so
 * allocating 16 bytes out of a large free block costs the 16 bytes, not the
 * block.
 */
#include "internal.h"

size_t mm_usable(const struct heap *h, const struct block *b)
{
	/* a checker must see the exact size to catch a one-byte overflow */
	return mm_checking(h) || MM_ANNOTATED ? mm_requested(h, b)
					      : block_payload_size(b);
}

/* Address of the first byte in [from, to) that is not byte, or 0. */
static uintptr_t first_mismatch(uintptr_t from, uintptr_t to,
				unsigned char byte)
{
	const uintptr_t word = (uintptr_t)byte * (UINTPTR_MAX / 0xffu);

	while (from < to && (from & (sizeof(uintptr_t) - 1)))
		if (*(const unsigned char *)from++ != byte)
			return from - 1;
	/* four words a step: freed memory is mostly intact, and this loop is
	 * most of the checking mode's cost */
	for (; to - from >= 4 * sizeof(uintptr_t);
	     from += 4 * sizeof(uintptr_t)) {
		const mm_word *w = (const mm_word *)from;

		if ((w[0] ^ word) | (w[1] ^ word) | (w[2] ^ word) |
		    (w[3] ^ word))
			break;
	}
	for (; to - from >= sizeof(uintptr_t); from += sizeof(uintptr_t))
		if (*(const mm_word *)from != word)
			break;
	for (; from < to; from++)
		if (*(const unsigned char *)from != byte)
			return from;
	return 0;
}

int mm_poison_verify(struct heap *h, const struct block *b, uintptr_t from,
		     uintptr_t to)
{
	uintptr_t bad = first_mismatch(from, to, HEAP_FREE_BYTE);
	size_t off;

	if (!bad)
		return 0;
	off = (size_t)(bad - (uintptr_t)block_payload(b));
	mm_fault(h,
		 (struct heap_fault){.kind = HEAP_FAULT_USE_AFTER_FREE,
				     .ptr = (const void *)bad,
				     .block = b,
				     .expected = HEAP_FREE_BYTE,
				     .found = *(const unsigned char *)bad,
				     .offset = off},
		 "heap: use after free: %p written after it was freed (free "
		 "block %B, offset %u: found %b, expected %b)",
		 (const void *)bad, b, off,
		 (unsigned)*(const unsigned char *)bad, HEAP_FREE_BYTE);
	return -1;
}

/* New bytes [from, requested) get the "never written" pattern, the rest of
 * the payload the canary. */
void mm_fill_new(struct block *b, size_t from, size_t requested)
{
	unsigned char *p = block_payload(b);

	if (requested > from)
		mm_fill(p + from, HEAP_NEW_BYTE, requested - from);
	mm_fill(p + requested, HEAP_CANARY_BYTE,
		block_payload_size(b) - requested);
}

int mm_canary_verify(struct heap *h, const struct block *b)
{
	size_t requested = mm_usable(h, b);
	uintptr_t p = (uintptr_t)block_payload(b);
	uintptr_t bad =
	    first_mismatch(p + requested, block_end(b), HEAP_CANARY_BYTE);
	size_t off;

	if (!bad)
		return 0;
	off = (size_t)(bad - p);
	mm_fault(h,
		 (struct heap_fault){.kind = HEAP_FAULT_OVERFLOW,
				     .ptr = (const void *)p,
				     .block = b,
				     .expected = HEAP_CANARY_BYTE,
				     .found = *(const unsigned char *)bad,
				     .offset = off},
		 "heap: overflow: block %p (%u bytes asked for) written past "
		 "its end at offset %u (found %b, expected %b)",
		 (const void *)p, requested, off,
		 (unsigned)*(const unsigned char *)bad, HEAP_CANARY_BYTE);
	return -1;
}

/* Make the oldest quarantined block reusable. */
static void quarantine_pop(struct heap *h)
{
	struct block *b = h->quarantine[h->q_head];

	h->q_head = (h->q_head + 1) % HEAP_QUARANTINE_SLOTS;
	h->q_count--;
	h->stats.quarantined_blocks--;
	h->stats.bytes_quarantined -= block_payload_size(b);
	if (!mm_header_sound(h, b) || !mm_neighbours_intact(h, b))
		return; /* reported; leaving it out of the lists is safest */
	mm_poison_verify(h, b, (uintptr_t)block_payload(b), block_end(b));
	mm_release(h, b);
}

/*
 * b is a verified block that was in use. It is marked free - so that
 * freeing it again is a double free - and poisoned whole, but not put on a
 * list or merged until it is the oldest of HEAP_QUARANTINE_SLOTS.
 */
void mm_quarantine_push(struct heap *h, struct block *b)
{
	unsigned slot;

	MM_ASSERT(mm_heap_locked(h), "the quarantine changes under the lock");
	if (h->q_count == HEAP_QUARANTINE_SLOTS)
		quarantine_pop(h);
	MM_ASSERT(h->q_count < HEAP_QUARANTINE_SLOTS,
		  "a full quarantine lets its oldest block go first");
	b->size = block_size(b) | BLOCK_FREE | BLOCK_QUARANTINED;
	block_set_meta(b, 0);
	block_seal(h->secret, b);
	mm_fill(block_payload(b), HEAP_FREE_BYTE, block_payload_size(b));
	slot = (h->q_head + h->q_count) % HEAP_QUARANTINE_SLOTS;
	h->quarantine[slot] = b;
	h->q_count++;
	h->stats.quarantined_blocks++;
	h->stats.bytes_quarantined += block_payload_size(b);
}

void mm_quarantine_flush(struct heap *h)
{
	while (h->q_count)
		quarantine_pop(h);
}

void heap_flush_quarantine(struct heap *h)
{
	uintptr_t irq;

	if (!mm_heap_valid(h) || mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return;
	mm_quarantine_flush(h);
	mm_heap_unlock(h, irq);
}
