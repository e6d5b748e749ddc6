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

int cpu_has_apic(void);
uint64_t cpu_rdmsr(uint32_t msr);

/* The initial APIC ID from CPUID: which CPU this is, without touching the
 * APIC's registers (under QEMU's TCG those take a global lock). */
uint32_t cpu_apic_id(void);

/* A spin-wait hint: lets a hyperthread sibling or the emulator run. */
static inline void cpu_pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
