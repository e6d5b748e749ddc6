#include "tests/stress/span.h"

#include <stdlib.h>

#define GRANULE 16u

struct tick {
	const struct span *span; /* NULL: no event at this tick */
	int born;
};

/* Granules [first, last) of a span; a span of no bytes still holds its
 * first granule, because even size-0 blocks must be distinct. */
static void granules(const struct span *s, uintptr_t lo, size_t *first,
		     size_t *last)
{
	uintptr_t end = s->end > s->start ? s->end : s->start + 1;

	*first = (size_t)((s->start - lo) / GRANULE);
	*last = (size_t)((end - lo + GRANULE - 1) / GRANULE);
}

static int plausible(const struct span *s, uintptr_t lo, uintptr_t hi,
		     uint32_t ticks)
{
	return s->start >= lo && s->end <= hi && s->start <= s->end &&
	       s->start % GRANULE == 0 && s->born < ticks &&
	       (s->died == SPAN_ALIVE ||
		(s->died < ticks && s->born < s->died));
}

/* Put each span's two events at their ticks; a tick claimed twice means
 * the clock itself was broken, and the replay would mean nothing. */
static int place(struct tick *at, const struct span *const *lists,
		 const size_t *counts, size_t nlists, uintptr_t lo,
		 uintptr_t hi, uint32_t ticks, struct span_overlap *out)
{
	for (size_t l = 0; l < nlists; l++) {
		for (size_t i = 0; i < counts[l]; i++) {
			const struct span *s = &lists[l][i];

			out->a = s;
			if (!plausible(s, lo, hi, ticks) || at[s->born].span)
				return -1;
			at[s->born] = (struct tick){s, 1};
			if (s->died == SPAN_ALIVE)
				continue;
			if (at[s->died].span)
				return -1;
			at[s->died] = (struct tick){s, 0};
		}
	}
	return 0;
}

static int replay(const struct tick *at, uint32_t ticks, uintptr_t lo,
		  const struct span **holder, struct span_overlap *out)
{
	size_t g, first, last;

	for (uint32_t t = 0; t < ticks; t++) {
		const struct span *s = at[t].span;

		if (!s)
			continue;
		granules(s, lo, &first, &last);
		for (g = first; g < last; g++) {
			if (at[t].born && holder[g]) {
				out->a = holder[g];
				out->b = s;
				return 1;
			}
			holder[g] = at[t].born ? s : NULL;
		}
	}
	return 0;
}

int span_find_overlap(const struct span *const *lists, const size_t *counts,
		      size_t nlists, uintptr_t lo, uintptr_t hi, uint32_t ticks,
		      struct span_overlap *out)
{
	size_t ngranules = (size_t)((hi - lo + GRANULE - 1) / GRANULE);
	struct tick *at = calloc(ticks ? ticks : 1, sizeof *at);
	const struct span **holder = calloc(ngranules, sizeof *holder);
	int r = -2;

	out->a = out->b = NULL;
	if (at && holder) {
		r = place(at, lists, counts, nlists, lo, hi, ticks, out);
		if (r == 0)
			r = replay(at, ticks, lo, holder, out);
	}
	free(at);
	free(holder);
	return r;
}
