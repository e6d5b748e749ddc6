/*
 * smp.h - finding the other CPUs, starting them, and giving them work.
 *
 * CPUs are numbered by a small index: 0 is the boot CPU, the others follow
 * in the firmware table's order. Started CPUs wait for work: smp_run()
 * runs one function on every CPU at once and waits for all of them.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/cpu_map.h"

/* Reads the firmware tables (the MADT, or the MP table when there is no
 * MADT or use_acpi is 0) and prints what they list. Runs before the heap
 * exists: nothing the tables occupy can have been handed out. */
void smp_discover(int use_acpi);

/* Starts every CPU smp_discover() found, each on a stack from the system
 * heap. Returns the number of CPUs running, the boot CPU included. */
size_t smp_start(void);

/* CPUs running (1 until smp_start()). */
size_t smp_cpu_count(void);

/* This CPU's index; 0 before smp_start(). */
unsigned smp_this_cpu(void);

/* The local APIC ID of the CPU with this index. */
uint32_t smp_apic_id(unsigned cpu);

typedef void (*smp_work_fn)(unsigned cpu, void *arg);

/*
 * Runs fn(cpu, arg) on every running CPU, this one (index 0) included,
 * all released at the same moment. Waits for the others until timeout_us
 * after this CPU's own call returned; returns how many had not finished
 * then (0 = all done), and sets late[cpu] for each of those when late is
 * not NULL.
 */
size_t smp_run(smp_work_fn fn, void *arg, uint64_t timeout_us,
	       unsigned char late[SMP_MAX_CPUS]);

/* Gives up this CPU for about us microseconds (halted, so that under
 * emulation its host core goes to the others); see apic_nap(). */
void smp_nap(uint32_t us);

/* Stops every other CPU for good (cli; hlt), so that an idle emulator
 * does not keep spinning them. */
void smp_stop_others(void);

/* Entered by each application processor from the trampoline. */
__attribute__((noreturn)) void ap_main(unsigned cpu);

#endif
