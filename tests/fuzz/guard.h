/*
 * guard.h - memory for heaps, walled in by poisoned guard zones.
 *
 * The harnesses let mm/ loose on damaged metadata, and mm/ promises never to
 * touch memory outside the regions it was given. One buffer holds every
 * piece a run hands to a heap, GUARD_BYTES apart; everything not handed out
 * stays poisoned for AddressSanitizer, so a stray read or write by mm/ next
 * to a region, or in the gap between two regions (which lies inside the
 * heap's own bounds), is reported at the faulting access.
 */
#ifndef TESTS_FUZZ_GUARD_H
#define TESTS_FUZZ_GUARD_H

#include <stddef.h>
#include <stdint.h>

#define GUARD_BYTES 4096u
/* Unwritten memory reads as this, never as zero. */
#define GUARD_JUNK 0xa5u

struct guard {
	unsigned char *buf;
	size_t cap;
	size_t used; /* end of the last piece handed out */
};

/* 0, or -1 when the memory could not be had. One guard at a time: every
 * guard_open() reuses the same memory. */
int guard_open(struct guard *g, size_t cap);
/*
 * bytes of junk-filled memory starting misalign (0..15) bytes past a
 * 16-byte boundary, with a guard zone on each side; NULL when it does not
 * fit. The next piece starts a guard zone after this one ends.
 */
unsigned char *guard_take(struct guard *g, size_t bytes, size_t misalign);
/* Done with the pieces; the memory stays for the next guard_open(). */
void guard_close(struct guard *g);

/* Memory given to a heap, exactly as it was given. */
struct piece {
	uintptr_t lo, hi;
};

/* The piece holding address a, or NULL. */
const struct piece *piece_of(const struct piece *pieces, size_t n, uintptr_t a);

#endif
