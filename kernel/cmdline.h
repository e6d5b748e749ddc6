/*
 * cmdline.h - the kernel command line.
 *
 * Words separated by spaces. Words containing '/' are skipped: GRUB and
 * QEMU pass the kernel's own path first.
 *
 *   exit               when done (or on panic) leave QEMU through
 *                      isa-debug-exit: 33 = success, 35 = failure
 *   tests=all          run every self-test (the default)
 *   tests=none         run none
 *   tests=a,b,...      run only these, by name (selftest.c lists them)
 *   fail=panic         panic on purpose once the heap is up
 *   fail=double-free   free a block twice: the heap's fault handler panics
 *   fail=triple-fault  load an empty IDT and trap: the CPU resets
 *   fail=hang          stop without a verdict
 *   fail=selftest      add a self-test that always fails
 *   fail=invalid-free  free a pointer into the middle of a block
 *   fail=foreign-free  free the address of a kernel variable
 *   fail=misaligned-free  free a pointer that is not 16-byte aligned
 *   fail=overflow      write one byte past a block's usable size, free it
 *   fail=underflow     write one byte before a block (its header), free it
 *   fail=use-after-free  write into a freed block, then allocate
 *                      (reported in checking mode: add heap=check)
 *   fail=free-list     overwrite a freed block's list link, then allocate
 *   heap=check         the system heap in checking mode (poison, canaries)
 *   heap=quarantine    checking mode plus the quarantine
 *   acpi=off           find the CPUs through the MP table, not the MADT
 *   smp-ops=N          operations per CPU in the smp_stress self-test
 *   heapmap=final      after the verdict, draw the heap map (the default;
 *                      kernel/heapmap.h): VGA in colour, serial in text
 *   heapmap=phases     before it, fill the heap, free every other block,
 *                      free the rest, and draw the map after each phase
 *   heapmap=filled     stop the demo after filling, and draw only that
 *   heapmap=fragmented stop it after freeing every other block, ditto
 *   heapmap=none       no map
 *
 * The fail= modes exist for the boot test, which must see each of them
 * reported as a failure; the heap misuses must each end in the heap's own
 * panic, naming what was wrong.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX_TESTS 32
#define CMDLINE_NAME_MAX  32
#define CMDLINE_SMP_OPS	  50000

enum fail_mode {
	FAIL_NONE,
	FAIL_PANIC,
	FAIL_DOUBLE_FREE,
	FAIL_TRIPLE_FAULT,
	FAIL_HANG,
	FAIL_SELFTEST,
	FAIL_INVALID_FREE,
	FAIL_FOREIGN_FREE,
	FAIL_MISALIGNED_FREE,
	FAIL_OVERFLOW,
	FAIL_UNDERFLOW,
	FAIL_USE_AFTER_FREE,
	FAIL_FREE_LIST,
};

/* How far the heap map demo goes; see heapmap=. */
enum heapmap_mode {
	HEAPMAP_FINAL,
	HEAPMAP_NONE,
	HEAPMAP_FILLED,
	HEAPMAP_FRAGMENTED,
	HEAPMAP_PHASES,
};

struct boot_options {
	int exit;
	enum fail_mode fail;
	int all_tests; /* tests= absent or "all" */
	int no_acpi;
	unsigned heap_flags; /* for memory_init_flags(): heap= */
	unsigned long smp_ops;
	enum heapmap_mode heapmap;
	size_t test_count;
	char tests[CMDLINE_MAX_TESTS][CMDLINE_NAME_MAX];
};

/* Parses the command line; unknown words are reported and ignored. */
void cmdline_parse(const char *cmdline, struct boot_options *opt);

#endif
