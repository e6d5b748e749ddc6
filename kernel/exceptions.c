/*
 * exceptions.c - see exceptions.h. One small handler per vector, because
 * the CPU does not say which vector it is delivering; the ones with an
 * error code take it as a second argument (GCC's interrupt attribute).
 */
#include "kernel/exceptions.h"

#include <stdint.h>

#include "kernel/idt.h"
#include "kernel/panic.h"

static const char *const names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "BOUND range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection fault",
    "page fault",
    "reserved",
    "x87 floating-point error",
    "alignment check",
    "machine check",
    "SIMD floating-point error",
    "virtualization exception",
    "control protection exception",
};

const char *exception_name(unsigned vector)
{
	return vector < 32 && names[vector] ? names[vector] : "reserved";
}

__attribute__((noreturn)) static void report(unsigned vector,
					     const struct interrupt_frame *f,
					     int has_error, idt_word error)
{
	if (has_error)
		panic("CPU exception %u (%s) at eip 0x%08x, error code 0x%x",
		      vector, exception_name(vector), (unsigned)f->ip,
		      (unsigned)error);
	panic("CPU exception %u (%s) at eip 0x%08x", vector,
	      exception_name(vector), (unsigned)f->ip);
}

#define PLAIN(n)                                                               \
	__attribute__((interrupt)) static void exc_##n(                        \
	    struct interrupt_frame *f)                                         \
	{                                                                      \
		report(n, f, 0, 0);                                            \
	}
#define WITH_ERROR(n)                                                          \
	__attribute__((interrupt)) static void exc_##n(                        \
	    struct interrupt_frame *f, idt_word e)                             \
	{                                                                      \
		report(n, f, 1, e);                                            \
	}

PLAIN(0)
PLAIN(1)
PLAIN(3)
PLAIN(4)
PLAIN(5)
PLAIN(6)
PLAIN(7)
WITH_ERROR(8)
PLAIN(9)
WITH_ERROR(10)
WITH_ERROR(11)
WITH_ERROR(12)
WITH_ERROR(13)
PLAIN(16)
WITH_ERROR(17)
PLAIN(18)
PLAIN(19)
PLAIN(20)
WITH_ERROR(21)

void exceptions_install(void)
{
	static const idt_handler plain[] = {
	    exc_0, exc_1, NULL,	  exc_3, exc_4,	 exc_5,	 exc_6,
	    exc_7, NULL,  exc_9,  NULL,	 NULL,	 NULL,	 NULL,
	    NULL,  NULL,  exc_16, NULL,	 exc_18, exc_19, exc_20};
	static const idt_error_handler with_error[] = {
	    [8] = exc_8,   [10] = exc_10, [11] = exc_11, [12] = exc_12,
	    [13] = exc_13, [17] = exc_17, [21] = exc_21};

	for (unsigned v = 0; v < sizeof plain / sizeof plain[0]; v++)
		if (plain[v])
			idt_set((uint8_t)v, plain[v]);
	for (unsigned v = 0; v < sizeof with_error / sizeof with_error[0]; v++)
		if (with_error[v])
			idt_set_error((uint8_t)v, with_error[v]);
}
