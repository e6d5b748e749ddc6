/*
 * heap_growth.h - the system heap on virtual memory: it starts as one
 * small mapping in the heap area and grows through mm/'s growth hooks,
 * each growth a new range of fresh frames with an unmapped guard page
 * after it; whole free regions and large blocks go back, frames and all.
 */
#ifndef KERNEL_VM_HEAP_GROWTH_H
#define KERNEL_VM_HEAP_GROWTH_H

#include <stddef.h>

/* The first mapping: small, so that the self-tests see the heap grow. */
#define HEAP_FIRST_BYTES ((size_t)1 << 20)
/* Requests from here up get a mapping of their own (mm/'s large blocks). */
#define HEAP_LARGE_MIN ((size_t)64 << 10)

/* Maps the first range and makes the system heap over it, in the mode
 * flags (HEAP_*); panics when it cannot. Returns the heap's first
 * address. */
void *heap_growth_init(unsigned flags);

/* Pieces the heap asked for (regions and large blocks) and gave back. */
void heap_growth_counts(size_t *grows, size_t *releases);

#endif
