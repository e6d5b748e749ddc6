/*
 * smp_stress.c - every CPU at once on the one system heap.
 *
 * Each CPU keeps up to STRESS_SLOTS blocks alive and, op after op, picks a
 * slot at random: an empty one gets a new block (malloc, calloc or
 * aligned), a full one is freed, reallocated, or handed to the next CPU,
 * which checks it and frees it (a remote free). Every block is stamped
 * over its whole length with its owner's CPU index and a sequence number,
 * and the stamp is checked before the block is freed, moved or handed on.
 * An allocator that loses an update under concurrency hands two CPUs
 * overlapping memory, and one of them then reads the other's stamp; or it
 * tears a list, and the heap reports a fault or heap_check fails at the
 * end. With the lock compiled out (MM_UNSAFE_NO_LOCK) this test must fail,
 * and does.
 *
 * The mix is a kernel's: mostly small blocks, which the per-CPU caches
 * serve without the lock, and enough of what takes it - blocks above the
 * caches' limit, aligned ones, the batches that move between a cache and
 * the depot when blocks are freed by another CPU - that an unlocked heap
 * is still caught. Each CPU's row says how many of its allocations its
 * cache served (hit%); the lock line how often the lock was taken.
 *
 * A stamp (tests/common/stamp.h) is made from stamp_tag(cpu, seq), and its
 * first word names them back: a block that another CPU also got says whose.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/tests/selftest_cases.h"
#include "kernel/smp.h"
#include "kernel/tests/smp_handoff.h"
#include "kernel/tests/smp_stress.h"
#include "tests/common/rng.h"
#include "kernel/timer.h"
#include "kernel/vm/heap_growth.h"
#include "kernel/vm/vm.h"
#include "mm/memory.h"
#include "tests/common/stamp.h"

#define GOLDEN 0x9E3779B1u
/* Every this many operations a CPU re-checks all the blocks it holds. */
#define SWEEP_EVERY 16

/* A heap call this slow did not compute, it waited: for a virtual CPU the
 * host preempted while holding the lock or next in line for it. Under
 * emulation with more virtual CPUs than host cores, CPUs that keep
 * spinning then keep that one off the host, and a fair lock turns into a
 * convoy that crawls at one host time slice per hand-off. A CPU that was
 * held up naps instead, handing its host core to the one it waits for. */
#define SLOW_US 200u
#define NAP_US	500u

/* How long the others may take after the boot CPU finished its share:
 * they do the same work under a fair lock, so seconds mean stuck. */
#define WAIT_US ((uint64_t)15 * 1000 * 1000)

/* The caches serve blocks up to 4 KiB (HEAP_CACHES, mm/heap.h: the limit
 * on a heap made with 1 MiB or more); an aligned allocation, and a
 * realloc of an aligned block, take the locked path too. Those calls take
 * the heap's lock by design: the table counts them, and the boot test
 * allows each of them the lock once. (A small aligned block is freed into
 * a cache like any other.) */
#define CACHE_LIMIT 4096u

static int bypasses_caches(size_t size, size_t align)
{
	return size > CACHE_LIMIT || align > 16;
}

/* Of the fills, percent: the rest are plain mallocs. */
#define CALLOC_PCT  20
#define ALIGNED_PCT 5
/* Of the empties, percent reallocated, and of the frees the share handed
 * to the next CPU instead (when there is one). */
#define REALLOC_PCT 30
#define HANDOFF_PCT 30

struct stress_cpu per_cpu[SMP_MAX_CPUS];
/* outbox[i]: what cpu i hands to cpu i + 1 (modulo the CPUs running) */
static struct handoff outbox[SMP_MAX_CPUS];
static unsigned cpus_running;
static unsigned long ops_per_cpu;
static uint64_t slow_ticks;
static atomic_int stop_all; /* set by the first CPU to fail */

/* Bracket every heap call, to tell a wait from work. */
static void call_begin(struct stress_cpu *c)
{
	c->call_start = timer_now();
}

static void call_end(struct stress_cpu *c)
{
	c->call_ticks = timer_now() - c->call_start;
}

static uint32_t next_random(struct stress_cpu *c)
{
	return (uint32_t)rng_next(&c->rng);
}

/* Mostly small, some medium, a few large, as in a kernel; sizes 0 and odd
 * sizes included. Of a thousand: 1 of 64..192 KiB (memory of its own:
 * mapped when taken, unmapped with a TLB shootdown when freed), 1 of
 * 8..36 KiB, 43 of 4..8 KiB (both above the caches' 4 KiB limit: the
 * locked path), 155 of 64 B..1 KiB, 800 under 64 B. */
static size_t random_size(struct stress_cpu *c)
{
	uint32_t r = next_random(c), k = r % 1000;

	r >>= 10;
	if (k < 1)
		return 65536 + r % 131072;
	if (k < 2)
		return 8192 + r % 28672;
	if (k < 45)
		return 4097 + r % 4096;
	if (k < 200)
		return 64 + r % 961;
	return r % 64;
}

/* Records what went wrong on this CPU and tells the others to stop. */
static void fail(struct stress_cpu *c, unsigned cpu, const char *fmt, ...)
    KPRINTF_FORMAT(3, 4);

static void fail(struct stress_cpu *c, unsigned cpu, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = ksnprintf(c->detail, sizeof(c->detail), "cpu %u, op %lu: ", cpu,
		      total_ops(c));
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(c->detail))
		kvsnprintf(c->detail + n, sizeof(c->detail) - (size_t)n, fmt,
			   ap);
	va_end(ap);
	c->failed = 1;
	atomic_store(&stop_all, 1);
}

/* Checks the first n bytes of s (n <= s->size: a realloc may keep less)
 * against its stamp; 0 when intact. */
static int verify(struct stress_cpu *c, unsigned cpu, const struct stamped *s,
		  size_t n, const char *when)
{
	size_t at = stamp_find_damage(s->p, n, s->tag);
	char whose[48] = "";

	if (at == n)
		return 0;
	if (n >= 8) {
		uint64_t tag = stamp_whose(s->p);

		ksnprintf(whose, sizeof(whose),
			  "; word 0 names cpu %u seq %llu", stamp_owner(tag),
			  (unsigned long long)stamp_seq(tag));
	}
	fail(c, cpu, "%s %p (%zu bytes): byte %zu is 0x%02x, not 0x%02x%s",
	     when, (void *)s->p, s->size, at, s->p[at], stamp_byte(s->tag, at),
	     whose);
	return -1;
}

/* Takes a new block into s: checks where it lies, then stamps it. */
static int adopt(struct stress_cpu *c, unsigned cpu, struct stamped *s,
		 unsigned char *p, size_t size, size_t align)
{
	if ((uintptr_t)p % align != 0) {
		fail(c, cpu, "%p for %zu bytes is not %zu-aligned", (void *)p,
		     size, align);
		return -1;
	}
	s->p = p;
	s->size = size;
	s->align = align;
	s->tag = stamp_tag(cpu, ++c->seq);
	stamp_fill(p, size, s->tag);
	return 0;
}

static int fill_slot(struct stress_cpu *c, unsigned cpu, struct stamped *s)
{
	uint32_t r = next_random(c) % 100;
	size_t size = random_size(c), align = 16;
	unsigned char *p;

	if (r >= CALLOC_PCT + ALIGNED_PCT) {
		c->ops[OP_ALLOC]++;
		call_begin(c);
		p = allocate_memory(size);
		call_end(c);
	} else if (r < CALLOC_PCT) {
		c->ops[OP_CALLOC]++;
		call_begin(c);
		p = allocate_clear_memory(1, size);
		call_end(c);
		size_t at = p ? stamp_find_other(p, size, 0) : size;
		if (at != size) {
			fail(c, cpu,
			     "calloc %p (%zu bytes): byte %zu is 0x%02x, not 0",
			     (void *)p, size, at, p[at]);
			return -1;
		}
	} else {
		c->ops[OP_ALIGNED]++;
		align = (size_t)32 << next_random(c) % 8; /* 32..4096 */
		call_begin(c);
		p = allocate_aligned_memory(align, size);
		call_end(c);
	}
	c->bypass += bypasses_caches(size, align);
	if (!p) {
		c->nulls++;
		return 0;
	}
	return adopt(c, cpu, s, p, size, align);
}

static void free_block(struct stress_cpu *c, const struct stamped *s,
		       enum op op)
{
	c->ops[op]++;
	c->bypass += s->size > CACHE_LIMIT; /* aligned or not */
	call_begin(c);
	deallocate_memory(s->p);
	call_end(c);
}

static int empty_slot(struct stress_cpu *c, unsigned cpu, struct stamped *s)
{
	uint32_t r = next_random(c) % 100;
	size_t size, keep;
	unsigned char *p;

	if (verify(c, cpu, s, s->size, "before free/realloc, block") != 0)
		return -1;
	if (r >= REALLOC_PCT) {
		int hand_off =
		    cpus_running > 1 &&
		    r < REALLOC_PCT + (100 - REALLOC_PCT) * HANDOFF_PCT / 100;

		/* handed off, the stamp goes with it: the next CPU checks
		 * it and frees the block */
		if (!hand_off || handoff_put(&outbox[cpu], s) != 0)
			free_block(c, s, OP_FREE);
		s->p = NULL;
		return 0;
	}
	c->ops[OP_REALLOC]++;
	size = random_size(c) + 1; /* realloc(p, 0) would free */
	c->bypass += bypasses_caches(s->size, s->align) || size > CACHE_LIMIT;
	call_begin(c);
	p = reallocate_memory(s->p, size);
	call_end(c);
	if (!p) {
		c->nulls++; /* the old block is still ours, untouched */
		return 0;
	}
	keep = size < s->size ? size : s->size;
	s->p = p;
	if (verify(c, cpu, s, keep, "after realloc, block") != 0)
		return -1;
	/* a block keeps the alignment it was allocated with */
	return adopt(c, cpu, s, p, size, s->align);
}

/* Frees a block the previous CPU handed over, once its stamp (that
 * CPU's) checks; 1 when there was one. */
static int receive(struct stress_cpu *c, unsigned cpu, int *rc)
{
	unsigned from = (cpu + cpus_running - 1) % cpus_running;
	struct stamped b;

	if (handoff_get(&outbox[from], &b) != 0)
		return 0;
	if (stamp_owner(b.tag) != from) {
		fail(c, cpu,
		     "block %p from cpu %u carries cpu %u's tag (seq %llu)",
		     (void *)b.p, from, stamp_owner(b.tag),
		     (unsigned long long)stamp_seq(b.tag));
		*rc = -1;
	} else if ((*rc = verify(c, cpu, &b, b.size,
				 "handed over by the previous cpu, block")) ==
		   0) {
		free_block(c, &b, OP_REMOTE);
	}
	return 1;
}

/* A block handed to two CPUs at once is caught when the other one writes
 * it, not only when its owner frees it much later. */
static int sweep(struct stress_cpu *c, unsigned cpu)
{
	for (size_t i = 0; i < STRESS_SLOTS; i++) {
		const struct stamped *s = &c->slot[i];

		if (s->p && verify(c, cpu, s, s->size, "held block") != 0)
			return -1;
	}
	return 0;
}

/* After a slow heap call: see SLOW_US. */
static void nap_if_held_up(struct stress_cpu *c)
{
	if (c->call_ticks > slow_ticks) {
		c->naps++;
		c->call_ticks = 0;
		smp_nap(NAP_US);
	}
}

static int stopped(void)
{
	return atomic_load_explicit(&stop_all, memory_order_relaxed);
}

static void run_cpu(unsigned cpu, void *arg)
{
	struct stress_cpu *c = &per_cpu[cpu];
	struct handoff *in = &outbox[(cpu + cpus_running - 1) % cpus_running];
	uint64_t start = timer_now();
	int rc = 0;

	(void)arg;
	*c = (struct stress_cpu){0};
	rng_seed(&c->rng, 0x2545F491u ^ (cpu + 1) * GOLDEN);
	heap_get_cache_stats(memory_heap(), &c->cache0);
	for (unsigned long n = 0; n < ops_per_cpu && rc == 0 && !stopped();
	     n++) {
		struct stamped *s = &c->slot[next_random(c) % STRESS_SLOTS];

		/* what the previous CPU handed over first, then our own */
		if (cpus_running == 1 || !receive(c, cpu, &rc))
			rc =
			    s->p ? empty_slot(c, cpu, s) : fill_slot(c, cpu, s);
		if (rc == 0 && n % SWEEP_EVERY == 0)
			rc = sweep(c, cpu);
		nap_if_held_up(c);
	}
	/* After a failure the heap cannot be trusted: leave it as it is
	 * for the checks to see. */
	for (size_t i = 0; i < STRESS_SLOTS && !c->failed; i++) {
		struct stamped *s = &c->slot[i];

		if (s->p &&
		    verify(c, cpu, s, s->size, "at the end, block") == 0) {
			free_block(c, s, OP_FREE);
			s->p = NULL;
		}
	}
	atomic_store_explicit(&outbox[cpu].done, 1, memory_order_release);
	while (cpus_running > 1 && !c->failed && !stopped() &&
	       !handoff_finished(in)) {
		/* waiting for the sender: give it the host core */
		if (!receive(c, cpu, &rc))
			smp_nap(NAP_US);
		nap_if_held_up(c);
	}
	heap_get_cache_stats(memory_heap(), &c->cache1);
	c->ticks = timer_now() - start;
}

int st_smp_stress(struct st_env *env)
{
	size_t cpus = smp_cpu_count();
	struct heap_stats before, after;
	struct vm_stats vm_before, vm_after;
	size_t grown, released, grown_after, released_after;
	unsigned char late[SMP_MAX_CPUS];
	char first[120];
	size_t stuck;
	int bad;

	ops_per_cpu = env->smp_ops;
	cpus_running = (unsigned)cpus;
	slow_ticks = timer_us_to_ticks(SLOW_US);
	atomic_store(&stop_all, 0);
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
		handoff_reset(&outbox[i]);
	kprintf("smp_stress: %zu CPU(s) on the system heap, each %lu random "
		"operations on up to %d blocks, then frees them%s\n",
		cpus, ops_per_cpu, STRESS_SLOTS,
		cpus > 1 ? "; some freed by the next CPU" : "");
	/* from the small first mapping (what earlier tests grew goes back
	 * now, while no other CPU is in the heap): the run makes the heap
	 * grow while every CPU allocates */
	heap_drain_caches(env->heap);
	heap_flush_quarantine(env->heap);
	heap_trim(env->heap);
	heap_get_stats(env->heap, &before);
	vm_get_stats(&vm_before);
	heap_growth_counts(&grown, &released);
	stuck = smp_run(run_cpu, NULL, WAIT_US, late);
	if (stuck) {
		/* A CPU stuck in the heap may hold its lock: any further
		 * heap call here could hang too, so stop now. */
		for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
			if (late[i])
				kprintf("smp_stress: cpu %u still running %u s "
					"after cpu 0 finished\n",
					i, (unsigned)(WAIT_US / 1000000));
		panic("smp_stress: %zu CPU(s) stuck (in the heap?)", stuck);
	}
	heap_get_stats(env->heap, &after);
	smp_stress_table(cpus, &before, &after);
	for (unsigned i = 0; i < cpus; i++)
		if (per_cpu[i].failed)
			return st_fail("%s", per_cpu[i].detail);
	bad = st_heap_check(env->heap, first, sizeof(first));
	ST_CHECK(bad == 0, "heap_check found %d problem(s) after %zu CPUs: %s",
		 bad, cpus, first);
	/* What the CPUs hold, not what is free: freed blocks may wait in
	 * the quarantine. */
	ST_CHECK(after.used_blocks == before.used_blocks &&
		     after.bytes_used == before.bytes_used,
		 "%zu block(s), %zu bytes in use before, %zu, %zu after",
		 before.used_blocks, before.bytes_used, after.used_blocks,
		 after.bytes_used);
	vm_get_stats(&vm_after);
	heap_growth_counts(&grown_after, &released_after);
	kprintf("smp_stress: %zu CPU(s) ran, heap consistent, %zu block(s) "
		"in use as before\n",
		cpus, after.used_blocks);
	kprintf("smp_stress: the heap grew %zu time(s) (regions and large "
		"blocks) and gave back %zu; %zu TLB shootdown(s)\n",
		grown_after - grown, released_after - released,
		vm_after.shootdowns - vm_before.shootdowns);
	return 0;
}
