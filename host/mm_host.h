/*
 * mm_host.h - running mm/ inside an ordinary (hosted) Linux program.
 *
 * mm/ itself is freestanding; this glue gives it what a kernel would: random
 * bits for header secrets, and a default fault reporter that prints the
 * fault on stderr and aborts, as a C library's malloc does.
 */
#ifndef HOST_MM_HOST_H
#define HOST_MM_HOST_H

#include "mm/heap.h"
#include "mm/hooks.h"

/* Install the host hooks. Call once before creating heaps. */
void mm_host_init(void);

/* The hooks mm_host_init installs, for a test that replaces one of them
 * (mm/hooks.h) and installs the rest unchanged. */
struct mm_hooks mm_host_hooks(void);

/*
 * Give the calling thread's caches (HEAP_CACHES heaps) back to their heaps
 * now, as its exit would. A thread's exit does this by itself; a process
 * that shares a heap with others and leaves by _exit() or by returning from
 * main must call it first, or its caches stay claimed in the shared heap.
 * The thread may go on: its next call on a heap claims a cache again.
 */
void mm_host_release_caches(void);

/* The default reporter: message on stderr, then abort(). */
void mm_host_fault_abort(const struct heap_fault *f, void *ctx);

#endif
