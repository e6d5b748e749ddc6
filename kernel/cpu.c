/*
 * cpu.c - interrupt masking, halting and random numbers on x86.
 */
#include "kernel/cpu.h"

#define CPUID_1_ECX_RDRAND (1u << 30)
#define CPUID_1_EDX_APIC   (1u << 9)
#define CPUID_1_APIC_SHIFT 24

void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

uintptr_t cpu_irq_save(void)
{
	uintptr_t eflags;

	/* Read and mask in one sequence: an interrupt between a separate
	 * read and cli could change IF behind our back. */
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(eflags) : : "memory");
	return eflags;
}

void cpu_irq_restore(uintptr_t eflags)
{
	/* popfl restores IF exactly as it was, so nested save/restore pairs
	 * only re-enable interrupts at the outermost level. */
	__asm__ volatile("pushl %0; popfl" : : "r"(eflags) : "memory", "cc");
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
		  uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

int cpu_has_rdrand(void)
{
	uint32_t a, b, c, d;

	/* Every CPU this kernel runs on (i686 and later) has CPUID. */
	cpuid(0, &a, &b, &c, &d);
	if (a < 1)
		return 0;
	cpuid(1, &a, &b, &c, &d);
	return (c & CPUID_1_ECX_RDRAND) != 0;
}

int cpu_rdrand(uint32_t *out)
{
	uint8_t ok;

	/* CF=1 means a valid number; the DRNG may briefly run dry. */
	__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
	return ok;
}

uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

int cpu_has_apic(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return (d & CPUID_1_EDX_APIC) != 0;
}

uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

uint32_t cpu_apic_id(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return b >> CPUID_1_APIC_SHIFT;
}
