/*
 * smp.c - see smp.h.
 *
 * Start-up follows the Intel SDM's MP initialisation protocol (vol. 3,
 * 8.4.4): INIT, 10 ms, start-up IPI, 200 us, a second start-up IPI. CPUs
 * are started one at a time because they share the trampoline's argument
 * words: the next is written only once the previous CPU has checked in,
 * which it does after it has read them.
 */
#include "kernel/smp.h"

#include <stdatomic.h>

#include "kernel/apic.h"
#include "kernel/cpu.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "kernel/trampoline.h"
#include "kernel/vm/fault.h"
#include "kernel/vm/paging.h"
#include "kernel/vm/vm.h"

#define AP_STACK_SIZE (16u * 1024)

#define INIT_DELAY_US	 10000u
#define STARTUP_DELAY_US 200u
/* Under emulation a CPU can take far longer than on hardware to get from
 * the start-up IPI to ap_main; a second is still nothing at boot. */
#define CHECKIN_TIMEOUT_US 1000000u
#define CHECKIN_POLL_US	   100u
/* How long a waiting CPU halts between looks: short next to any work
 * worth waiting for, long enough to hand its host core to another. */
#define IDLE_NAP_US 1000u

_Static_assert(TRAMPOLINE_BASE + TRAMPOLINE_SIZE <= 0x100000,
	       "a start-up IPI can only start a CPU below 1 MiB");
_Static_assert((TRAMPOLINE_BASE & 0xFFF) == 0,
	       "the start-up vector names a 4 KiB page");

static struct cpu_map map;
static size_t running = 1;
static uint8_t index_of_apic[256]; /* 0 (the boot CPU) until started */
static uint32_t apic_of_index[SMP_MAX_CPUS];

/* An AP adds one when it reaches ap_main: the boot CPU may then reuse the
 * trampoline's argument words for the next one. */
static atomic_uint checked_in;

/*
 * Work hand-off. The boot CPU stores the function, then bumps work_gen
 * (release); an AP that sees the new generation (acquire) sees the
 * function too. APs then add to arrived and wait for go to reach the same
 * generation, so that all start together; each stores the generation in
 * finished[] when done.
 */
static smp_work_fn work_fn;
static void *work_arg;
static atomic_uint work_gen;
static atomic_uint arrived;
static atomic_uint go;
static atomic_uint finished[SMP_MAX_CPUS];
static atomic_int stopping;

static void print_map(const struct cpu_map *m)
{
	kprintf("smp: %s at 0x%08x lists %zu CPU(s) (APIC IDs", m->source,
		(unsigned)m->table, m->count);
	for (size_t i = 0; i < m->count; i++)
		kprintf(" %u", (unsigned)m->apic_id[i]);
	kprintf("), local APIC at 0x%08x", (unsigned)m->lapic_base);
	if (m->disabled)
		kprintf(", %zu disabled", m->disabled);
	if (m->ignored)
		kprintf(", %zu ignored (past %d CPUs, or x2APIC only)",
			m->ignored, SMP_MAX_CPUS);
	kprintf("\n");
}

void smp_discover(int use_acpi)
{
	struct cpu_map acpi, mp;
	int have_acpi = 0, have_mp;

	if (use_acpi)
		have_acpi = acpi_find_cpus(&acpi) == 0 && acpi.count > 0;
	else
		kprintf("smp: acpi=off: not reading the MADT\n");
	/* Read both even when the MADT was found, to show when they
	 * disagree (SeaBIOS's MP table lists one CPU per socket). */
	have_mp = mptable_find_cpus(&mp) == 0 && mp.count > 0;
	if (have_acpi)
		print_map(&acpi);
	if (have_mp)
		print_map(&mp);
	if (have_acpi)
		map = acpi;
	else if (have_mp)
		map = mp;
	if (map.count > 0)
		kprintf("smp: using the %s: %zu CPU(s)\n", map.source,
			map.count);
	else
		kprintf("smp: no table lists the CPUs; running on the boot "
			"CPU alone\n");
}

/* Sends INIT-SIPI-SIPI and waits for the CPU to check in; 0 when it did. */
static int start_one(uint32_t apic_id, unsigned index)
{
	unsigned before = atomic_load(&checked_in);
	/* pages of its own, with an unmapped guard page below: an overflow
	 * faults there, and the fault names the CPU */
	void *stack = vm_alloc(VM_AREA_KERNEL, AP_STACK_SIZE, 1, 0);

	if (!stack) {
		kprintf("smp: no memory for the stack of CPU %u\n", index);
		return -1;
	}
	vm_fault_name_stack((uintptr_t)stack, AP_STACK_SIZE, index);
	*(volatile uint32_t *)TRAMPOLINE_ARG_STACK =
	    (uint32_t)((uintptr_t)stack + AP_STACK_SIZE);
	*(volatile uint32_t *)TRAMPOLINE_ARG_CPU = index;
	*(volatile uint32_t *)TRAMPOLINE_ARG_CR3 = paging_directory();
	apic_of_index[index] = apic_id;
	index_of_apic[apic_id & 0xFF] = (uint8_t)index;
	/* Everything above must be in memory before the IPI wakes the CPU
	 * that reads it. */
	atomic_thread_fence(memory_order_seq_cst);

	if (apic_send_init(apic_id) != 0)
		return -1;
	timer_udelay(INIT_DELAY_US);
	for (int sipi = 0; sipi < 2; sipi++) {
		/* A CPU that is already running ignores a start-up IPI,
		 * but there is no reason to send one. */
		if (atomic_load(&checked_in) != before)
			break;
		if (apic_send_startup(apic_id, TRAMPOLINE_VECTOR) != 0)
			return -1;
		timer_udelay(STARTUP_DELAY_US);
	}
	for (uint32_t t = 0; t < CHECKIN_TIMEOUT_US; t += CHECKIN_POLL_US) {
		if (atomic_load_explicit(&checked_in, memory_order_acquire) !=
		    before)
			return 0;
		timer_udelay(CHECKIN_POLL_US);
	}
	/* The stack stays allocated: the CPU may still wake up on it. */
	return -1;
}

size_t smp_start(void)
{
	uint32_t self = cpu_apic_id();
	/* two symbols, not one array: subtract addresses, not pointers */
	size_t size = (size_t)((uintptr_t)ap_trampoline_end -
			       (uintptr_t)ap_trampoline_start);

	apic_of_index[0] = self;
	if (map.count <= 1)
		return running;
	if (apic_init(map.lapic_base) != 0)
		return running;
	if (apic_id() != self)
		kprintf("smp: CPUID says APIC ID %u, the APIC says %u\n",
			(unsigned)self, (unsigned)apic_id());

	/* The argument words share the page with the code. */
	if (size > TRAMPOLINE_ARGS - TRAMPOLINE_BASE)
		panic("AP trampoline of %zu bytes overlaps its arguments",
		      size);
	memcpy((void *)TRAMPOLINE_BASE, ap_trampoline_start, size);
	for (size_t i = 0; i < map.count && running < SMP_MAX_CPUS; i++) {
		uint32_t id = map.apic_id[i];

		if (id == self)
			continue;
		if (start_one(id, (unsigned)running) != 0) {
			/* A late starter would read the next CPU's
			 * arguments: start no more. */
			kprintf("smp: CPU with APIC ID %u did not start; "
				"starting no more\n",
				(unsigned)id);
			index_of_apic[id & 0xFF] = 0;
			break;
		}
		kprintf("smp: cpu %zu (APIC ID %u) is up\n", running,
			(unsigned)id);
		running++;
	}
	kprintf("smp: %zu CPU(s) running\n", running);
	return running;
}

size_t smp_cpu_count(void)
{
	return running;
}

unsigned smp_this_cpu(void)
{
	return index_of_apic[cpu_apic_id() & 0xFF];
}

uint32_t smp_apic_id(unsigned cpu)
{
	return cpu < SMP_MAX_CPUS ? apic_of_index[cpu] : 0;
}

size_t smp_run(smp_work_fn fn, void *arg, uint64_t timeout_us,
	       unsigned char late[SMP_MAX_CPUS])
{
	unsigned others = (unsigned)running - 1, gen;
	uint64_t deadline;
	size_t missing = 0;

	work_fn = fn;
	work_arg = arg;
	atomic_store(&arrived, 0);
	gen = atomic_fetch_add_explicit(&work_gen, 1, memory_order_release) + 1;
	deadline = timer_now() + timer_us_to_ticks(timeout_us);
	/* A CPU still stuck in earlier work never arrives: go anyway. */
	while (atomic_load(&arrived) < others && timer_now() < deadline)
		apic_nap(CHECKIN_POLL_US);
	atomic_store_explicit(&go, gen, memory_order_release);
	fn(0, arg);

	deadline = timer_now() + timer_us_to_ticks(timeout_us);
	for (;;) {
		missing = 0;
		for (unsigned c = 1; c <= others; c++)
			missing +=
			    atomic_load_explicit(&finished[c],
						 memory_order_acquire) != gen;
		if (missing == 0 || timer_now() >= deadline)
			break;
		apic_nap(IDLE_NAP_US);
	}
	if (late)
		for (unsigned c = 0; c < SMP_MAX_CPUS; c++)
			late[c] = c >= 1 && c <= others &&
				  atomic_load(&finished[c]) != gen;
	return missing;
}

void smp_nap(uint32_t us)
{
	apic_nap(us);
}

void smp_stop_others(void)
{
	atomic_store(&stopping, 1);
}

void ap_main(unsigned cpu)
{
	unsigned seen = 0;

	/* The boot CPU registered this index under our APIC ID before the
	 * IPI; if CPUID disagrees, the lock's owner checks would lie. */
	if (smp_this_cpu() != cpu)
		panic("cpu %u: CPUID APIC ID %u maps to cpu %u", cpu,
		      (unsigned)cpu_apic_id(), smp_this_cpu());
	apic_init_ap();
	vm_fault_cpu_init(cpu);
	vm_cpu_online(cpu);
	atomic_fetch_add_explicit(&checked_in, 1, memory_order_release);
	for (;;) {
		unsigned gen;

		while ((gen = atomic_load_explicit(
			    &work_gen, memory_order_acquire)) == seen) {
			if (atomic_load(&stopping))
				cpu_halt_forever();
			apic_nap(IDLE_NAP_US);
		}
		seen = gen;
		atomic_fetch_add(&arrived, 1);
		while (atomic_load_explicit(&go, memory_order_acquire) != gen)
			cpu_pause();
		work_fn(cpu, work_arg);
		atomic_store_explicit(&finished[cpu], gen,
				      memory_order_release);
	}
}
