/*
 * timer.c - see timer.h.
 */
#include "kernel/timer.h"

#include "kernel/cpu.h"
#include "kernel/io.h"
#include "kernel/kprintf.h"

#define PIT_HZ	    1193182u
#define PIT_CH2	    0x42
#define PIT_COMMAND 0x43
/* Channel 2, low then high byte, mode 0 (one-shot: OUT rises at zero). */
#define PIT_CH2_ONESHOT 0xB0

/* Port B of the old PC keyboard controller: gates channel 2 and shows its
 * output. The speaker bit stays off so that waiting makes no sound. */
#define PORT_B	       0x61
#define PORT_B_GATE2   0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2    0x20

/* One PIT count fits 16 bits: 50 ms is 59659 ticks. */
#define CHUNK_US 50000u

/* A PIT that never fires (absent on some boards) must not hang the kernel;
 * polling a port takes well over 100 ns, so this bounds a chunk to seconds. */
#define POLL_LIMIT 100000000u

#define CALIBRATE_US 20000u

static uint64_t tsc_per_ms = 1000000; /* until calibrated: a 1 GHz guess */

static void pit_wait(uint32_t us)
{
	uint32_t ticks = (uint32_t)(((uint64_t)us * PIT_HZ + 999999) / 1000000);
	uint8_t b = inb(PORT_B);

	if (ticks == 0)
		ticks = 1;
	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	outb(PIT_COMMAND, PIT_CH2_ONESHOT);
	outb(PIT_CH2, (uint8_t)ticks);
	outb(PIT_CH2, (uint8_t)(ticks >> 8));
	for (uint32_t n = 0; n < POLL_LIMIT; n++)
		if (inb(PORT_B) & PORT_B_OUT2)
			return;
}

void timer_udelay(uint32_t us)
{
	while (us > CHUNK_US) {
		pit_wait(CHUNK_US);
		us -= CHUNK_US;
	}
	pit_wait(us);
}

void timer_init(void)
{
	uint64_t t0 = cpu_rdtsc(), t1;

	pit_wait(CALIBRATE_US);
	t1 = cpu_rdtsc();
	if (t1 > t0)
		tsc_per_ms = (t1 - t0) * 1000 / CALIBRATE_US;
	if (tsc_per_ms == 0)
		tsc_per_ms = 1;
	kprintf("timer: TSC at about %llu MHz (measured against the PIT)\n",
		(unsigned long long)(tsc_per_ms / 1000));
}

uint64_t timer_now(void)
{
	return cpu_rdtsc();
}

uint64_t timer_ticks_to_us(uint64_t ticks)
{
	return ticks * 1000 / tsc_per_ms;
}

uint64_t timer_us_to_ticks(uint64_t us)
{
	return us * tsc_per_ms / 1000;
}
