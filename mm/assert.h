/*
 * assert.h - what mm/ relies on, checked in a debug build.
 *
 * Two kinds of checks live in mm/. The ones that stay on in every build
 * judge what callers hand in and what they may have written over: a bad
 * pointer, a damaged header. Those are faults, reported through the fault
 * handler, and the heap goes on (block.h, fault.c).
 *
 * MM_ASSERT(cond, why) is the other kind: an invariant that mm/'s own code
 * keeps, stated where the code relies on it ("called with the lock held",
 * "a free neighbour is always merged"). It fails when mm/ itself is
 * wrong, or an environment breaks a hook's contract (hooks.h) - not for a
 * bad pointer, which is turned away before it reaches one, nor for damage
 * the checks see first. A caller that writes over the heap's own words
 * where no check looks (a header forged with the secret read out of
 * memory) can still make one false: the fault fuzzer, which does, runs
 * without them. Built with MM_ASSERTS defined (the unit tests' assert64
 * build, the kernel's `make kernel-assert`, the operations fuzzers), a
 * false cond stops everything through the panic hook with the file, the
 * line, the condition and why it must hold:
 *
 *   mm/freelist.c:31: assertion failed: block_is_listed(b) &&
 *   block_intact(h->secret, b) (only a free block, sealed as free, goes
 *   on a free list)
 *
 * Without MM_ASSERTS, cond is not evaluated and costs nothing; it is
 * still compiled (inside sizeof), so that it cannot rot.
 */
#ifndef MM_ASSERT_H
#define MM_ASSERT_H

/* Reports through mm_hooks.panic and never returns (traps without it). */
_Noreturn void mm_assert_failed(const char *file, int line, const char *cond,
				const char *why);

/* MM_ASSERT_NOTE(stmt): bookkeeping that only an assertion reads, done
 * only in a build with MM_ASSERTS. */
#ifdef MM_ASSERTS
#define MM_ASSERTS_ON 1
#define MM_ASSERT(cond, why)                                                   \
	((cond) ? (void)0 : mm_assert_failed(__FILE__, __LINE__, #cond, why))
#define MM_ASSERT_NOTE(stmt)                                                   \
	do {                                                                   \
		stmt;                                                          \
	} while (0)
#else
#define MM_ASSERTS_ON	     0
#define MM_ASSERT(cond, why) ((void)sizeof((cond) ? 1 : 0))
#define MM_ASSERT_NOTE(stmt)                                                   \
	do {                                                                   \
	} while (0)
#endif

#endif
