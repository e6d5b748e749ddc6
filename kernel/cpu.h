/*
 * cpu.h - the few x86 instructions the kernel needs from C.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdint.h>

#define EFLAGS_IF 0x200u

/* cli; hlt forever. The loop matters: an NMI wakes hlt. */
__attribute__((noreturn)) void cpu_halt_forever(void);

/* Masks interrupts and returns the previous EFLAGS, for cpu_irq_restore. */
uintptr_t cpu_irq_save(void);
void cpu_irq_restore(uintptr_t eflags);

int cpu_has_rdrand(void);
/* 1 and a random word in *out, or 0 when the DRNG had none to give. */
int cpu_rdrand(uint32_t *out);
uint64_t cpu_rdtsc(void);

#endif
