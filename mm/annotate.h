/*
 * annotate.h - telling host memory checkers what the heap is doing.
 *
 * A checker that only sees one big buffer cannot know which parts of it
 * are live allocations. These annotations tell it: headers and free memory
 * are off limits, a payload is open for exactly the bytes asked for. With
 * them, a program using mm/ on the host gets use-after-free and overflow
 * reports from the checker much as it would with the system malloc.
 *
 * Off unless the build asks, so mm/ stays freestanding:
 *   MM_ASAN      AddressSanitizer. Compile mm/ itself without
 *                -fsanitize=address (like any malloc, it must be free to
 *                touch its own headers) and the program with it.
 *   MM_VALGRIND  Valgrind memcheck client requests (needs valgrind's
 *                headers). mm/'s own accesses are hidden from memcheck by
 *                switching error reporting off while the lock is held.
 */
#ifndef MM_ANNOTATE_H
#define MM_ANNOTATE_H

#include <stddef.h>

#if defined(MM_VALGRIND)
#include <valgrind/memcheck.h>

#define MM_ANNOTATED	 1
#define ann_enter()	 VALGRIND_DISABLE_ERROR_REPORTING
#define ann_leave()	 VALGRIND_ENABLE_ERROR_REPORTING
#define ann_region(p, n) VALGRIND_MAKE_MEM_NOACCESS((p), (n))
#define ann_alloc(p, n)	 VALGRIND_MALLOCLIKE_BLOCK((p), (n), 0, 0)
#define ann_free(p, n)	 VALGRIND_FREELIKE_BLOCK((p), 0)
#define ann_resize(p, old, new)                                                \
	VALGRIND_RESIZEINPLACE_BLOCK((p), (old), (new), 0)

#elif defined(MM_ASAN)
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);

#define MM_ANNOTATED	 1
#define ann_enter()	 ((void)0)
#define ann_leave()	 ((void)0)
#define ann_region(p, n) __asan_poison_memory_region((p), (n))
#define ann_alloc(p, n)	 __asan_unpoison_memory_region((p), (n))
#define ann_free(p, n)	 __asan_poison_memory_region((p), (n))
#define ann_resize(p, old, new)                                                \
	(__asan_poison_memory_region((p), (old)),                              \
	 __asan_unpoison_memory_region((p), (new)))

#else
#define MM_ANNOTATED		0
#define ann_enter()		((void)0)
#define ann_leave()		((void)0)
#define ann_region(p, n)	((void)0)
#define ann_alloc(p, n)		((void)0)
#define ann_free(p, n)		((void)0)
#define ann_resize(p, old, new) ((void)0)
#endif

#endif
