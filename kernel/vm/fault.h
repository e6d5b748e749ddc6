/*
 * fault.h - the page-fault handler: every page fault in this kernel is a
 * bug (nothing is paged in on demand), so it says what happened - the
 * address (CR2), read or write, page present or not, the instruction, and
 * what the address belongs to - and panics with that report.
 */
#ifndef KERNEL_VM_FAULT_H
#define KERNEL_VM_FAULT_H

#include <stddef.h>
#include <stdint.h>

/* Installs the handler (vector 14) and the double fault's task gate
 * (vector 8: kernel/tss.h) in the IDT. */
void vm_fault_install(void);

/* Page faults a probe took and went on from (probe.h). */
unsigned vm_fault_probes(void);

/* This CPU's double-fault task (after paging is on, on every CPU). */
void vm_fault_cpu_init(unsigned cpu);

/* Who owns a kernel-space range below a guard page: the stacks register
 * theirs, so that an overflow names the CPU. */
void vm_fault_name_stack(uintptr_t start, size_t bytes, unsigned cpu);

#endif
