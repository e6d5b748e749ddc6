/*
 * regions.c - see regions.h.
 *
 * Map entries are 64-bit; the kernel runs without PAE and can address only
 * the first 4 GiB, so everything is computed in uint64_t and clipped before
 * it becomes a pointer.
 */
#include "kernel/regions.h"

#include "kernel/kprintf.h"
#include "kernel/size.h"

#define LOW_LIMIT  0x100000ull	  /* BIOS, VGA and ROMs live below */
#define HIGH_LIMIT 0x100000000ull /* no PAE: nothing at or above 4 GiB */
#define PAGE_SIZE  4096ull

/* From linker.ld. */
extern char __kernel_start[], __kernel_end[];

struct span {
	uint64_t start, end;
};

/* Everything a region must not overlap, for one pass over the map. */
struct keepout {
	size_t count;
	struct mb_reserved r[MB_MAX_RESERVED + REGIONS_MAX + 1];
};

/* Removes [k->start, k->end) from the pieces in p; may split one. */
static size_t cut(struct span *p, size_t n, size_t cap,
		  const struct mb_reserved *k)
{
	for (size_t i = 0; i < n; i++) {
		if (k->end <= p[i].start || k->start >= p[i].end)
			continue;
		kprintf("      minus %s 0x%08llx-0x%08llx\n", k->what, k->start,
			k->end);
		if (k->start > p[i].start && k->end < p[i].end) {
			if (n == cap) {
				/* Too fragmented to track: drop the tail
				 * rather than hand out a reserved range. */
				p[i].end = k->start;
				continue;
			}
			p[n++] = (struct span){k->end, p[i].end};
			p[i].end = k->start;
		} else if (k->start > p[i].start) {
			p[i].end = k->start;
		} else if (k->end < p[i].end) {
			p[i].start = k->end;
		} else {
			/* swallowed whole: the last piece moves into slot i,
			 * which is then looked at again */
			p[i--] = p[--n];
		}
	}
	return n;
}

/* Clips one available map entry to what a 32-bit kernel can use;
 * returns 0 (after saying why) when nothing is left. */
static int clip(struct span *s)
{
	if (s->end <= LOW_LIMIT) {
		kprintf("skipped: below 1 MiB\n");
		return 0;
	}
	if (s->start >= HIGH_LIMIT) {
		kprintf("skipped: above 4 GiB (no PAE)\n");
		return 0;
	}
	kprintf("available\n");
	if (s->start < LOW_LIMIT) {
		kprintf("      clipped to start at 1 MiB\n");
		s->start = LOW_LIMIT;
	}
	if (s->end > HIGH_LIMIT) {
		kprintf("      clipped to end at 4 GiB (no PAE)\n");
		s->end = HIGH_LIMIT;
	}
	return 1;
}

static size_t take(struct span *p, size_t n, struct ram_region *out,
		   size_t count, size_t max, struct keepout *ko)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t start =
		    (p[i].start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t end = p[i].end & ~(PAGE_SIZE - 1);

		if (end <= start || end - start < REGION_MIN_BYTES) {
			kprintf("      piece 0x%08llx-0x%08llx too small, "
				"skipped\n",
				p[i].start, p[i].end);
			continue;
		}
		if (count == max) {
			kprintf("      piece 0x%08llx-0x%08llx skipped: "
				"already %zu regions\n",
				start, end, max);
			continue;
		}
		kprintf("      -> region 0x%08llx-0x%08llx, ", start, end);
		print_size(end - start, 0);
		kprintf("\n");
		out[count++] = (struct ram_region){(uintptr_t)start,
						   (size_t)(end - start)};
		/* Overlapping map entries exist in the wild; a later entry
		 * must not hand out this range a second time. */
		ko->r[ko->count++] =
		    (struct mb_reserved){start, end, "an earlier region"};
	}
	return count;
}

size_t regions_select(const struct boot_info *bi, struct ram_region *out,
		      size_t max)
{
	static struct keepout ko;
	size_t count = 0;

	if (max > REGIONS_MAX)
		max = REGIONS_MAX;
	ko.count = 0;
	ko.r[ko.count++] = (struct mb_reserved){
	    (uintptr_t)__kernel_start, (uintptr_t)__kernel_end, "kernel image"};
	for (size_t i = 0; i < bi->reserved_count; i++)
		ko.r[ko.count++] = bi->reserved[i];

	kprintf("regions: available RAM from 1 MiB to 4 GiB, minus the kernel "
		"0x%08x-0x%08x and the loader data:\n",
		(unsigned)(uintptr_t)__kernel_start,
		(unsigned)(uintptr_t)__kernel_end);
	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct mb_mmap_entry *e = &bi->mmap[i];
		struct span pieces[MB_MAX_RESERVED + REGIONS_MAX + 2];
		size_t n = 1;

		pieces[0] = (struct span){e->base, e->base + e->length};
		kprintf("  0x%016llx-0x%016llx  ", pieces[0].start,
			pieces[0].end);
		if (e->type != MB_MEMORY_AVAILABLE) {
			kprintf("skipped: %s\n",
				multiboot_mmap_type_name(e->type));
			continue;
		}
		if (e->length == 0) {
			kprintf("skipped: empty\n");
			continue;
		}
		if (!clip(&pieces[0]))
			continue;
		for (size_t k = 0; k < ko.count && n > 0; k++)
			n = cut(pieces, n, sizeof(pieces) / sizeof(pieces[0]),
				&ko.r[k]);
		count = take(pieces, n, out, count, max, &ko);
	}

	/* The largest goes first: it becomes the system heap, whose control
	 * structure lives in it, and the others join that heap. */
	for (size_t i = 1; i < count; i++) {
		if (out[i].size > out[0].size) {
			struct ram_region t = out[0];
			out[0] = out[i];
			out[i] = t;
		}
	}
	return count;
}
