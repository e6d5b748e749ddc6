/*
 * selftest_vm.c - the virtual memory under the heap: a page unmapped on
 * one CPU must be gone on every CPU before its frame can be reused.
 */
#include <stdatomic.h>

#include "kernel/tests/selftest_cases.h"
#include "kernel/cpu.h"
#include "kernel/smp.h"
#include "kernel/vm/paging.h"
#include "kernel/vm/probe.h"
#include "kernel/vm/vm.h"

#define MAGIC 0x7e57f00du

static struct {
	volatile uint32_t *page;
	atomic_uint reading; /* CPUs that have the page in their TLB */
	atomic_int freed;
	/* per CPU: 1 the page read while mapped, 2 it faulted once gone */
	int seen[SMP_MAX_CPUS];
	uint32_t stale[SMP_MAX_CPUS]; /* what a stale read returned */
} shoot;

static void reader(unsigned cpu, void *arg)
{
	uint32_t v = 0;
	size_t others = (size_t)(uintptr_t)arg;

	if (cpu == 0) {
		/* every other CPU holds the translation before it goes */
		while (atomic_load(&shoot.reading) < others)
			cpu_pause();
		vm_free(VM_AREA_KERNEL, (void *)(uintptr_t)shoot.page,
			PAGE_SIZE, 0, 0);
		atomic_store(&shoot.freed, 1);
		return;
	}
	if (vm_probe_read(shoot.page, &v) != 0 || v != MAGIC)
		return;
	shoot.seen[cpu] = 1;
	atomic_fetch_add(&shoot.reading, 1);
	/* keep the translation hot until the page is gone */
	while (!atomic_load(&shoot.freed))
		(void)vm_probe_read(shoot.page, &v);
	if (vm_probe_read(shoot.page, &v) != 0)
		shoot.seen[cpu] = 2;
	else
		shoot.stale[cpu] = v;
}

int st_tlb_shootdown(struct st_env *env)
{
	size_t cpus = smp_cpu_count();
	struct vm_stats before, after;
	uint32_t v;

	(void)env;
	shoot.page = vm_alloc(VM_AREA_KERNEL, PAGE_SIZE, 0, 0);
	ST_CHECK(shoot.page, "no page to map");
	*shoot.page = MAGIC;
	atomic_store(&shoot.reading, 0);
	atomic_store(&shoot.freed, 0);
	for (unsigned c = 0; c < SMP_MAX_CPUS; c++)
		shoot.seen[c] = 0, shoot.stale[c] = 0;
	vm_get_stats(&before);
	ST_CHECK(vm_probe_read(shoot.page, &v) == 0 && v == MAGIC,
		 "the mapped page reads 0x%08x, not 0x%08x", v, MAGIC);
	if (cpus > 1) {
		ST_CHECK(smp_run(reader, (void *)(uintptr_t)(cpus - 1), 5000000,
				 NULL) == 0,
			 "a CPU did not finish");
	} else {
		vm_free(VM_AREA_KERNEL, (void *)(uintptr_t)shoot.page,
			PAGE_SIZE, 0, 0);
	}
	vm_get_stats(&after);
	/* this CPU flushed its own entry: the page is gone here */
	ST_CHECK(vm_probe_read(shoot.page, &v) != 0,
		 "cpu 0 still reads the unmapped page (0x%08x)", v);
	for (unsigned c = 1; c < cpus; c++) {
		ST_CHECK(shoot.seen[c] != 0, "cpu %u never read the page", c);
		ST_CHECK(shoot.seen[c] == 2,
			 "cpu %u still read the page after it was unmapped "
			 "(0x%08x): its TLB was not flushed",
			 c, shoot.stale[c]);
	}
	ST_CHECK(cpus == 1 || after.shootdowns > before.shootdowns,
		 "no shootdown with %zu CPUs", cpus);
	return 0;
}
