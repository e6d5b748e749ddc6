/*
 * cmdline.h - the kernel command line.
 *
 * Words separated by spaces. Words containing '/' are skipped: GRUB and
 * QEMU pass the kernel's own path first. Every other word must be one of
 * these; anything else - an unknown option, an unknown value, a test that
 * does not exist, a number out of range - is named on the console with the
 * valid choices, and the boot stops with the failure verdict (status 35
 * with exit) before any test runs.
 *
 *   exit               when done (or on panic) leave QEMU through
 *                      isa-debug-exit: 33 = success, 35 = failure
 *   tests=all          run every self-test (the default)
 *   tests=none         run none
 *   tests=a,b,...      run only these, by name (selftest.c lists them)
 *   heap=fast          the system heap in fast mode (the default)
 *   heap=check         the system heap in checking mode (poison, canaries)
 *   heap=quarantine    checking mode plus the quarantine
 *   caches=on          per-CPU caches of small blocks in front of the
 *                      system heap (HEAP_CACHES, the default); the
 *                      checking modes bypass them
 *   caches=off         none: every operation takes the heap's lock, so
 *                      that the lock-only heap stays tested and measured
 *   acpi=on            find the CPUs through the ACPI MADT (the default),
 *                      or the MP table when there is none
 *   acpi=off           find the CPUs through the MP table only
 *   smp-ops=N          operations per CPU in the smp_stress self-test,
 *                      1 to CMDLINE_SMP_OPS_MAX (default CMDLINE_SMP_OPS)
 *   heapmap=final      after the verdict, draw the heap map (the default;
 *                      kernel/heapmap.h): VGA in colour, serial in text
 *   heapmap=phases     before it, fill the heap, free every other block,
 *                      free the rest, and draw the map after each phase
 *   heapmap=filled     stop the demo after filling, and draw only that
 *   heapmap=fragmented stop it after freeing every other block, ditto
 *   heapmap=frames     the final heap map on serial, and the map of
 *                      physical frames on VGA (kernel/framemap.h)
 *   heapmap=none       no map (neither the heap's nor the frames')
 *
 * Failures on purpose, for the boot test, which must see each of them
 * reported as a failure. The heap misuses must each end in the heap's own
 * panic, naming what was wrong; the selftest ones in a FAIL line.
 *
 *   fail=panic         panic on purpose once the heap is up
 *   fail=triple-fault  load an empty IDT and trap: the CPU resets
 *   fail=hang          stop without a verdict
 *   fail=selftest      add a self-test whose own assertion fails
 *   fail=selftest-leak add a self-test that keeps a block: the runner's
 *                      leak check fails it (and no_leaks)
 *   fail=selftest-damage  add a self-test that damages a free block's
 *                      header: the runner's heap_check fails it (and the
 *                      final heap_check)
 *   fail=selftest-frames  add a self-test that keeps a page of kernel
 *                      space: the final frames_back row fails
 *   fail=null-deref    read through a NULL pointer: the page fault names
 *                      the NULL page
 *   fail=text-write    write into the kernel's own code: the page fault
 *                      names kernel text, read-only
 *   fail=guard-page    (with heap=check) write one byte past the end of a
 *                      large block: the page fault names the block
 *   fail=stack-overflow  recurse until the stack runs into its guard
 *                      page: the double fault names the CPU
 *   fail=stale-tlb     unmap pages without the TLB shootdown: with
 *                      several CPUs the tlb_shootdown test fails
 *   fail=assert        give two CPU ids one struct mm_local, against
 *                      mm/hooks.h: the kernel built with MM_ASSERTS
 *                      (make kernel-assert) panics at the assertion;
 *                      this one panics saying it cannot see it
 *   fail=double-free   free a block twice
 *   fail=invalid-free  free a pointer into the middle of a block
 *   fail=foreign-free  free the address of a kernel variable
 *   fail=misaligned-free  free a pointer that is not 16-byte aligned
 *   fail=overflow      write one byte past a block's usable size into
 *                      the next block's header, free the block, then the
 *                      damaged one: with the caches the first free goes
 *                      into this CPU's cache unseen, and the damage is
 *                      reported at the second (without, at the first)
 *   fail=underflow     write one byte before a block (its header), free it
 *   fail=use-after-free  write into a freed block, then allocate; only
 *                      checking mode sees it (heap=check): in fast mode
 *                      the kernel panics saying the heap did not
 *   fail=free-list     overwrite the list link of a freed 8 KiB block
 *                      (above the caches' limit: on a free list), then
 *                      allocate
 *   fail=cache-link    overwrite the link of a freed 64-byte block (in
 *                      this CPU's cache), then allocate twice: the second
 *                      follows the link; without caches, a free-list link
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX_TESTS   32
#define CMDLINE_NAME_MAX    32
#define CMDLINE_SMP_OPS	    50000
#define CMDLINE_SMP_OPS_MAX 100000000ul /* about 40 minutes per CPU */

enum fail_mode {
	FAIL_NONE,
	FAIL_PANIC,
	FAIL_DOUBLE_FREE,
	FAIL_TRIPLE_FAULT,
	FAIL_HANG,
	FAIL_SELFTEST,
	FAIL_SELFTEST_LEAK,
	FAIL_SELFTEST_DAMAGE,
	FAIL_INVALID_FREE,
	FAIL_FOREIGN_FREE,
	FAIL_MISALIGNED_FREE,
	FAIL_OVERFLOW,
	FAIL_UNDERFLOW,
	FAIL_USE_AFTER_FREE,
	FAIL_FREE_LIST,
	FAIL_CACHE_LINK,
	FAIL_SELFTEST_FRAMES,
	FAIL_NULL_DEREF,
	FAIL_TEXT_WRITE,
	FAIL_GUARD_PAGE,
	FAIL_STACK_OVERFLOW,
	FAIL_STALE_TLB,
	FAIL_ASSERT,
};

/* How far the heap map demo goes; see heapmap=. */
enum heapmap_mode {
	HEAPMAP_FINAL,
	HEAPMAP_NONE,
	HEAPMAP_FILLED,
	HEAPMAP_FRAGMENTED,
	HEAPMAP_PHASES,
	HEAPMAP_FRAMES,
};

struct boot_options {
	int exit;
	enum fail_mode fail;
	int all_tests; /* tests= absent or "all" */
	int no_acpi;
	unsigned heap_flags; /* for memory_init_flags(): heap=, caches= */
	unsigned long smp_ops;
	enum heapmap_mode heapmap;
	size_t test_count;
	char tests[CMDLINE_MAX_TESTS][CMDLINE_NAME_MAX];
};

/* Parses the command line into opt. Returns the number of words it
 * refused, each named on the console with the valid choices; opt->exit is
 * set whatever else was wrong, so that the refusal can end the run. */
int cmdline_parse(const char *cmdline, struct boot_options *opt);

/* The heap= word for heap flags ("fast", "check", "quarantine"), and what
 * that mode is ("checking + quarantine"). */
const char *cmdline_heap_mode(unsigned heap_flags);
const char *cmdline_heap_mode_text(unsigned heap_flags);

/* "" with the caches on (the default), " caches=off" without: what the
 * verdict adds after heap=MODE. */
const char *cmdline_caches_word(unsigned heap_flags);

/* The fail= word for a mode ("use-after-free"). */
const char *cmdline_fail_name(enum fail_mode mode);

#endif
