/*
 * timer.h - waiting and measuring time with interrupts off.
 *
 * The kernel takes no interrupts, so time comes from polling: the PIT's
 * channel 2 (a fixed 1.193182 MHz, the same on every PC and in QEMU) for
 * the short waits the AP start-up protocol demands, and the TSC, calibrated
 * against the PIT once, for measuring how long things took.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdint.h>

/* Measures the TSC rate against the PIT; call once before the rest. */
void timer_init(void);

/* Busy-waits at least us microseconds (PIT channel 2, polled). */
void timer_udelay(uint32_t us);

/* A TSC reading, and conversions between its ticks and microseconds. */
uint64_t timer_now(void);
uint64_t timer_ticks_to_us(uint64_t ticks);
uint64_t timer_us_to_ticks(uint64_t us);

#endif
