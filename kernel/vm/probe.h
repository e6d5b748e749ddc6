/*
 * probe.h - read a word that may not be mapped, without dying of it.
 *
 * The page-fault handler knows the one instruction here that may fault:
 * when it does, the handler resumes at a fix-up that makes the probe
 * return -1 (what Linux's exception tables do for copy_from_user). For
 * tests that must see a page fault happen and go on: the TLB shootdown's.
 */
#ifndef KERNEL_VM_PROBE_H
#define KERNEL_VM_PROBE_H

#include <stdint.h>

/* 0 and the word at p in *out, or -1 when reading it faulted. */
int vm_probe_read(const volatile uint32_t *p, uint32_t *out);

/* For the page-fault handler: the fix-up address when ip is the probe's
 * faulting instruction, else 0. */
uintptr_t vm_probe_fixup(uintptr_t ip);

#endif
