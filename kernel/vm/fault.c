/*
 * fault.c - see fault.h. The report is one panic line, for example
 *
 *   PANIC at kernel/vm/fault.c:NN (page_fault): page fault: read of
 *   0x00000004 (page not present, kernel mode) at eip 0x0010a1b2: the
 *   NULL page, 4 bytes in: a NULL pointer dereference
 */
#include "kernel/vm/fault.h"

#include "kernel/idt.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/tss.h"
#include "mm/heap.h"
#include "mm/memory.h"
#include "kernel/vm/paging.h"
#include "kernel/vm/probe.h"
#include "kernel/vm/vm.h"

#define PF_PRESENT 0x1u /* else: the page was not present */
#define PF_WRITE   0x2u
#define PF_USER	   0x4u
#define PF_FETCH   0x10u

/* From linker.ld. */
extern char __kernel_start[], __ro_end[], __kernel_end[];

static struct {
	uintptr_t start;
	size_t bytes;
} stacks[SMP_MAX_CPUS];

static unsigned probe_faults;

unsigned vm_fault_probes(void)
{
	return probe_faults;
}

void vm_fault_name_stack(uintptr_t start, size_t bytes, unsigned cpu)
{
	if (cpu < SMP_MAX_CPUS)
		stacks[cpu].start = start, stacks[cpu].bytes = bytes;
}

static int stack_owner(uintptr_t start)
{
	for (unsigned c = 0; c < SMP_MAX_CPUS; c++)
		if (stacks[c].bytes && stacks[c].start == start)
			return (int)c;
	return -1;
}

static uintptr_t read_cr2(void)
{
	uintptr_t a;

	__asm__ volatile("mov %%cr2, %0" : "=r"(a));
	return a;
}

#define REPORT(...)                                                            \
	panic("page fault%s: %s 0x%08x (page %s, %s mode) at eip "             \
	      "0x%08x: " __VA_ARGS__)

/* The report, for a page fault or for the double fault that a page fault
 * became (when there was no stack left to take it: how is then said). */
__attribute__((noreturn)) static void report(uintptr_t a, idt_word error,
					     unsigned ip, const char *how)
{
	const char *op = error & PF_FETCH   ? "instruction fetch at"
			 : error & PF_WRITE ? "write to"
					    : "read of";
	const char *present =
	    error & PF_PRESENT ? "present, not allowed" : "not present";
	const char *mode = error & PF_USER ? "user" : "kernel";
	unsigned addr = (unsigned)a;
	struct heap_block_info b;
	enum vm_area area;
	uintptr_t start;
	size_t bytes;

	if (a < PAGE_SIZE)
		REPORT("the NULL page, %u bytes in: a NULL pointer "
		       "dereference",
		       how, op, addr, present, mode, ip, addr);
	if (a >= (uintptr_t)__kernel_start && a < (uintptr_t)__ro_end)
		REPORT("kernel text or read-only data (0x%08x-0x%08x)%s", how,
		       op, addr, present, mode, ip,
		       (unsigned)(uintptr_t)__kernel_start,
		       (unsigned)(uintptr_t)__ro_end,
		       error & PF_WRITE ? ": a write to read-only memory" : "");
	if (vm_guard_of(a, &area, &start, &bytes)) {
		int cpu = stack_owner(start);

		if (area == VM_AREA_KERNEL && cpu >= 0)
			REPORT("the guard page below cpu %d's stack "
			       "(0x%08x-0x%08x), %u bytes below it: a kernel "
			       "stack overflow",
			       how, op, addr, present, mode, ip, cpu,
			       (unsigned)start, (unsigned)(start + bytes),
			       (unsigned)(start - a));
		if (a >= start + bytes && area == VM_AREA_HEAP &&
		    heap_large_at(memory_heap(), (void *)start, &b))
			REPORT(
			    "the guard page after heap block %p (%zu bytes "
			    "asked for): offset %u, %u byte(s) past its last "
			    "byte",
			    how, op, addr, present, mode, ip, b.ptr,
			    b.requested, (unsigned)(a - (uintptr_t)b.ptr),
			    (unsigned)(a - ((uintptr_t)b.ptr + b.requested) +
				       1));
		if (a >= start + bytes)
			REPORT("a guard page, %u bytes past the end of the "
			       "%s range 0x%08x-0x%08x",
			       how, op, addr, present, mode, ip,
			       (unsigned)(a - start - bytes),
			       area == VM_AREA_HEAP ? "heap" : "kernel-space",
			       (unsigned)start, (unsigned)(start + bytes));
		REPORT("a guard page, %u bytes below the %s range "
		       "0x%08x-0x%08x",
		       how, op, addr, present, mode, ip, (unsigned)(start - a),
		       area == VM_AREA_HEAP ? "heap" : "kernel-space",
		       (unsigned)start, (unsigned)(start + bytes));
	}
	if (a >= VM_HEAP && a < VM_HEAP_END)
		REPORT("the heap's virtual range, not mapped there (memory the "
		       "heap never grew into, or gave back)",
		       how, op, addr, present, mode, ip);
	if (a >= VM_KSPACE && a < VM_KSPACE_END)
		REPORT("kernel space, not mapped there", how, op, addr, present,
		       mode, ip);
	REPORT("nothing is mapped there", how, op, addr, present, mode, ip);
}

__attribute__((interrupt)) static void page_fault(struct interrupt_frame *f,
						  idt_word error)
{
	uintptr_t fixup = vm_probe_fixup(f->ip);

	/* the one fault that is expected: a probe's (probe.h) */
	if (fixup && !(error & PF_USER)) {
		probe_faults++;
		f->ip = (uint32_t)fixup;
		return;
	}
	report(read_cr2(), error, (unsigned)f->ip, "");
}

/*
 * The double fault's task, on a stack of its own (kernel/tss.h). Here
 * nearly always because a page fault could not be delivered: the stack
 * had run into its guard page, and CR2 still says where.
 */
__attribute__((noreturn)) static void double_fault(void)
{
	unsigned cpu = smp_this_cpu();
	uint32_t esp, eip;
	uintptr_t a = read_cr2();

	tss_interrupted(cpu, &esp, &eip);
	if (a + PAGE_SIZE > esp && a < esp + PAGE_SIZE)
		report(a, PF_WRITE, eip,
		       " (a double fault: no stack left to take it)");
	panic("double fault on cpu %u at eip 0x%08x, esp 0x%08x (CR2 0x%08x)",
	      cpu, (unsigned)eip, (unsigned)esp, (unsigned)a);
}

void vm_fault_cpu_init(unsigned cpu)
{
	tss_load(cpu, double_fault, paging_directory());
}

void vm_fault_install(void)
{
	idt_set_error(14, page_fault);
	idt_set_task(8, TSS_DOUBLE_FAULT_SEL);
}
