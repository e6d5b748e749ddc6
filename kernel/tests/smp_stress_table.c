/*
 * smp_stress_table.c - the SMP stress's table: a row per CPU of the heap
 * calls it made, how many of its allocations its cache served (hit%), its
 * time; the sums; how often the heap's lock was taken, and how many of
 * the operations take it by design. The boot tests read the "all" row's
 * last field, the lock line and the by-design line.
 */
#include "kernel/kprintf.h"
#include "kernel/tests/smp_stress.h"
#include "kernel/timer.h"

static const char *const op_names[OP_KINDS] = {"malloc",  "calloc", "aligned",
					       "realloc", "free",   "remote"};
static const int op_width[OP_KINDS] = {6, 6, 7, 7, 6, 6};

/* Allocations served by the CPU's cache without the lock, of all its
 * allocation calls, in tenths of a percent. */
static unsigned hit_permille(const struct stress_cpu *c)
{
	unsigned long calls = c->ops[OP_ALLOC] + c->ops[OP_CALLOC] +
			      c->ops[OP_ALIGNED] + c->ops[OP_REALLOC];
	size_t hits = c->cache1.alloc_hits - c->cache0.alloc_hits;

	return calls ? (unsigned)((uint64_t)hits * 1000 / calls) : 0;
}

/* n / d in tenths (0 when d is 0), printed as x / 10 "." x % 10. */
static unsigned long tenths(unsigned long n, unsigned long d)
{
	return d ? (unsigned long)((uint64_t)n * 10 / d) : 0;
}

void smp_stress_table(size_t cpus, const struct heap_stats *before,
		      const struct heap_stats *after)
{
	unsigned long sum[OP_KINDS] = {0}, nulls = 0, naps = 0, all = 0;
	unsigned long bypass = 0, waited_pct, per_lock, per_other;
	size_t acquired = after->lock_acquired - before->lock_acquired;
	size_t waited = after->lock_contended - before->lock_contended;
	size_t hits = 0, others;
	unsigned long calls = 0;
	unsigned permille;

	kprintf("  cpu");
	for (int k = 0; k < OP_KINDS; k++)
		kprintf(" %*s", op_width[k], op_names[k]);
	kprintf(" null naps  hit%%     ops    ms\n");
	for (unsigned i = 0; i < cpus; i++) {
		const struct stress_cpu *c = &per_cpu[i];

		permille = hit_permille(c);
		kprintf("  %3u", i);
		for (int k = 0; k < OP_KINDS; k++) {
			kprintf(" %*lu", op_width[k], c->ops[k]);
			sum[k] += c->ops[k];
		}
		kprintf(" %4lu %4lu %3u.%u%% %7lu %5llu%s\n", c->nulls, c->naps,
			permille / 10, permille % 10, total_ops(c),
			(unsigned long long)timer_ticks_to_us(c->ticks) / 1000,
			c->failed ? "  FAILED" : "");
		nulls += c->nulls;
		naps += c->naps;
		bypass += c->bypass;
		all += total_ops(c);
		hits += c->cache1.alloc_hits - c->cache0.alloc_hits;
		calls += c->ops[OP_ALLOC] + c->ops[OP_CALLOC] +
			 c->ops[OP_ALIGNED] + c->ops[OP_REALLOC];
	}
	permille = calls ? (unsigned)((uint64_t)hits * 1000 / calls) : 0;
	kprintf("  all");
	for (int k = 0; k < OP_KINDS; k++)
		kprintf(" %*lu", op_width[k], sum[k]);
	kprintf(" %4lu %4lu %3u.%u%% %7lu\n", nulls, naps, permille / 10,
		permille % 10, all);
	/* heap_get_stats took it once, for `after` */
	if (acquired > 0)
		acquired--;
	waited_pct = tenths(waited * 100, acquired);
	per_lock = tenths(all, acquired);
	kprintf("  heap lock: taken %zu times, %zu of them after waiting "
		"(%lu.%lu%%), once per %lu.%lu operations\n",
		acquired, waited, waited_pct / 10, waited_pct % 10,
		per_lock / 10, per_lock % 10);
	/* what the caches could serve took the rest */
	others = acquired > bypass ? acquired - bypass : 0;
	per_other = tenths(all - bypass, others);
	kprintf("  by design: %lu of the operations take it (above the caches' "
		"4 KiB, or aligned); the other %lu took it %zu times, once "
		"per %lu.%lu\n",
		bypass, all - bypass, others, per_other / 10, per_other % 10);
}
