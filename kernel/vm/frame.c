/*
 * frame.c - see frame.h.
 *
 * A hierarchical bitmap over all FRAME_MAX frames, one bit per frame
 * meaning "free", with summary levels above it:
 *
 *   level 3  free3[1]      bit k set iff free2[k] != 0
 *   level 2  free2[32]     bit j set iff free1[j] != 0
 *   level 1  free1[1024]   bit i set iff free0[i] != 0
 *   level 0  free0[32768]  bit f set iff frame f is free
 *   ram[32768]             bit f set iff frame_add made frame f known
 *
 * Every set summary bit promises a non-zero word below it, so a free frame
 * is found top-down in one bit scan per level; marking a frame touches one
 * word per level at most, bottom-up, and stops at the first word whose
 * emptiness did not change. ram[] is what tells a frame that was never RAM
 * from one freed twice.
 */
#include "kernel/vm/frame.h"

#include <stdbool.h>

#include "kernel/panic.h"

#define LEVELS	  4
#define RAM_LIMIT ((uint64_t)FRAME_MAX << FRAME_SHIFT)

_Static_assert(FRAME_MAX == (uint32_t)1 << (5 * LEVELS),
	       "the levels must narrow FRAME_MAX bits down to one word");
_Static_assert(FRAME_SIZE == 1u << FRAME_SHIFT, "FRAME_SHIFT is FRAME_SIZE");

static uint32_t free0[FRAME_MAX >> 5];
static uint32_t free1[FRAME_MAX >> 10];
static uint32_t free2[FRAME_MAX >> 15];
static uint32_t free3[FRAME_MAX >> 20];
static uint32_t ram[FRAME_MAX >> 5];

static uint32_t *const level[LEVELS] = {free0, free1, free2, free3};
/* Bits per level: one per word of the level below. */
static const uint32_t level_bits[LEVELS] = {FRAME_MAX, FRAME_MAX >> 5,
					    FRAME_MAX >> 10, FRAME_MAX >> 15};

static struct frame_stats st;

enum misuse { NOT_ALIGNED, NOT_RAM, ALREADY_FREE };

static const char *const misuse_text[] = {
    [NOT_ALIGNED] = "freed: not a frame address (not 4 KiB aligned)",
    [NOT_RAM] = "freed but it is not RAM the allocator manages",
    [ALREADY_FREE] = "freed twice (it is already free)",
};

static uint32_t bit(uint32_t i)
{
	return (uint32_t)1 << (i % 32);
}

static bool test(const uint32_t *map, uint32_t i)
{
	return (map[i / 32] & bit(i)) != 0;
}

static uintptr_t frame_pa(uint32_t f)
{
	return (uintptr_t)f << FRAME_SHIFT;
}

/* A word that stops being empty sets its bit one level up. */
static void mark_free(uint32_t f)
{
	for (int k = 0; k < LEVELS; k++, f /= 32) {
		uint32_t *w = &level[k][f / 32];
		bool was_empty = *w == 0;

		*w |= bit(f);
		if (!was_empty)
			return;
	}
}

/* A word that becomes empty clears its bit one level up. */
static void mark_used(uint32_t f)
{
	for (int k = 0; k < LEVELS; k++, f /= 32) {
		uint32_t *w = &level[k][f / 32];

		*w &= ~bit(f);
		if (*w != 0)
			return;
	}
}

static void took(size_t n)
{
	st.free -= n;
	st.used += n;
	if (st.used > st.peak_used)
		st.peak_used = st.used;
}

/* The lowest free frame >= f, or FRAME_MAX: climb while the rest of the
 * word is empty, then descend along the first set bits. */
static uint32_t next_free(uint32_t f)
{
	uint32_t i = f;
	int k;

	for (k = 0; k < LEVELS; k++) {
		if (i >= level_bits[k])
			return FRAME_MAX;
		uint32_t w = level[k][i / 32] & ~(bit(i) - 1);
		if (w != 0) {
			i = (i & ~31u) + (uint32_t)__builtin_ctz(w);
			break;
		}
		i = i / 32 + 1;
	}
	if (k == LEVELS)
		return FRAME_MAX;
	while (k-- > 0)
		i = i * 32 + (uint32_t)__builtin_ctz(level[k][i]);
	return i;
}

/* The lowest frame in [f, end) that is not free, or end. */
static uint32_t next_used(uint32_t f, uint32_t end)
{
	while (f < end) {
		uint32_t w = ~free0[f / 32] & ~(bit(f) - 1);

		if (w != 0) {
			f = (f & ~31u) + (uint32_t)__builtin_ctz(w);
			return f < end ? f : end;
		}
		f = (f | 31u) + 1;
	}
	return end;
}

void frame_init(void)
{
	for (size_t i = 0; i < FRAME_MAX >> 5; i++)
		free0[i] = ram[i] = 0;
	for (size_t i = 0; i < FRAME_MAX >> 10; i++)
		free1[i] = 0;
	for (size_t i = 0; i < FRAME_MAX >> 15; i++)
		free2[i] = 0;
	free3[0] = 0;
	st = (struct frame_stats){.total = 0};
}

size_t frame_add(uint64_t start, uint64_t end)
{
	size_t added = 0;

	if (end > RAM_LIMIT)
		end = RAM_LIMIT;
	if (start >= end)
		return 0;
	/* Inward: a frame only partly inside is not all RAM. */
	uint32_t first = (uint32_t)((start + FRAME_SIZE - 1) >> FRAME_SHIFT);
	uint32_t last = (uint32_t)(end >> FRAME_SHIFT);
	/* Frame 0's address is the "no frame" answer. */
	if (first == 0)
		first = 1;
	for (uint32_t f = first; f < last; f++) {
		if (test(ram, f))
			continue;
		ram[f / 32] |= bit(f);
		mark_free(f);
		added++;
	}
	st.total += added;
	st.free += added;
	return added;
}

void frame_reserve(uint64_t start, uint64_t end)
{
	size_t n = 0;

	if (start >= end || start >= RAM_LIMIT)
		return;
	if (end > RAM_LIMIT)
		end = RAM_LIMIT;
	/* Outward: a frame only partly inside is still in use. */
	uint32_t first = (uint32_t)(start >> FRAME_SHIFT);
	uint32_t last = (uint32_t)((end + FRAME_SIZE - 1) >> FRAME_SHIFT);
	for (uint32_t f = first; f < last; f++) {
		if (test(free0, f)) {
			mark_used(f);
			n++;
		}
	}
	took(n);
}

uintptr_t frame_alloc(void)
{
	uint32_t f = 0;

	if (free3[0] == 0)
		return 0;
	for (int k = LEVELS - 1; k >= 0; k--)
		f = f * 32 + (uint32_t)__builtin_ctz(level[k][f]);
	mark_used(f);
	took(1);
	st.allocs++;
	return frame_pa(f);
}

uintptr_t frame_alloc_run(size_t n, size_t align)
{
	if (align == 0)
		align = FRAME_SIZE;
	if (align < FRAME_SIZE || (align & (align - 1)) != 0)
		panic("frame: run alignment %zu is not a power of two >= 4096",
		      align);
	/* Frame 0 is the only frame aligned to 4 GiB, and it is never RAM. */
	if (n == 0 || n >= FRAME_MAX || (align >> FRAME_SHIFT) >= FRAME_MAX)
		return 0;

	uint32_t a = (uint32_t)(align >> FRAME_SHIFT);
	uint32_t len = (uint32_t)n;
	/* Candidates only move up: past the used frame that spoilt the last
	 * one, to the next free frame, rounded up to the alignment. */
	for (uint32_t f = next_free(0); f < FRAME_MAX;) {
		uint32_t s = (f + a - 1) & ~(a - 1);

		if (s > FRAME_MAX - len)
			return 0;
		uint32_t u = next_used(s, s + len);
		if (u == s + len) {
			for (uint32_t i = s; i < s + len; i++)
				mark_used(i);
			took(len);
			st.allocs += len;
			st.runs++;
			return frame_pa(s);
		}
		f = next_free(u + 1);
	}
	return 0;
}

static enum misuse misuse_of(uint64_t f)
{
	if (f >= FRAME_MAX || !test(ram, (uint32_t)f))
		return NOT_RAM;
	return ALREADY_FREE;
}

/* Panics unless every frame of the run is RAM and not free; n == 1 is a
 * single frame_free, and its message names no run. */
static void check_used(uintptr_t pa, size_t n)
{
	uint64_t first = (uint64_t)pa >> FRAME_SHIFT;
	unsigned long long bad = pa;
	enum misuse why = NOT_ALIGNED;

	if (pa % FRAME_SIZE == 0) {
		size_t i;
		uint64_t f = first;

		/* Stops at the first frame past 4 GiB, however large n is. */
		for (i = 0; i < n; i++, f++) {
			if (f >= FRAME_MAX || !test(ram, (uint32_t)f) ||
			    test(free0, (uint32_t)f))
				break;
		}
		if (i == n)
			return;
		why = misuse_of(f);
		bad = f << FRAME_SHIFT;
	}
	if (n == 1)
		panic("frame: 0x%08llx %s", bad, misuse_text[why]);
	panic("frame: 0x%08llx %s, in the run of %zu frames from 0x%08llx", bad,
	      misuse_text[why], n, (unsigned long long)pa);
}

void frame_free(uintptr_t pa)
{
	frame_free_run(pa, 1);
}

void frame_free_run(uintptr_t pa, size_t n)
{
	uint32_t first = (uint32_t)(pa >> FRAME_SHIFT);

	check_used(pa, n);
	for (uint32_t f = first; f < first + n; f++)
		mark_free(f);
	st.free += n;
	st.used -= n;
	st.frees += n;
}

int frame_is_ram(uintptr_t pa)
{
	uint64_t f = (uint64_t)pa >> FRAME_SHIFT;

	return f < FRAME_MAX && test(ram, (uint32_t)f);
}

int frame_is_free(uintptr_t pa)
{
	uint64_t f = (uint64_t)pa >> FRAME_SHIFT;

	return f < FRAME_MAX && test(free0, (uint32_t)f);
}

void frame_get_stats(struct frame_stats *out)
{
	*out = st;
}

static size_t popcount(uint32_t w)
{
	size_t n = 0;

	for (; w != 0; w &= w - 1)
		n++;
	return n;
}

int frame_check(void)
{
	size_t nfree = 0, nram = 0;
	int bad = 0;

	for (int k = 1; k < LEVELS; k++) {
		for (uint32_t i = 0; i < level_bits[k]; i++)
			bad += test(level[k], i) != (level[k - 1][i] != 0);
	}
	for (uint32_t i = 0; i < FRAME_MAX >> 5; i++) {
		bad += (free0[i] & ~ram[i]) != 0;
		nfree += popcount(free0[i]);
		nram += popcount(ram[i]);
	}
	bad += test(ram, 0);
	bad += nfree != st.free;
	bad += nram != st.total;
	bad += st.used != st.total - st.free;
	bad += st.peak_used < st.used || st.peak_used > st.total;
	return bad;
}
