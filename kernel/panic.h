/*
 * panic.h - stop the kernel with a message that says what and where.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "kernel/kprintf.h"

/* Prints "PANIC at file:line (func): message" on serial and VGA, then
 * exits QEMU with failure when the command line said `exit`, or halts. */
#define panic(...) panic_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

__attribute__((noreturn)) void panic_at(const char *file, int line,
					const char *func, const char *fmt, ...)
    KPRINTF_FORMAT(4, 5);

/* The same, placed at a return address instead of a line of source:
 * "PANIC at function+0x1c (0x00104abc)", the function from the kernel's
 * own symbol table (kernel/ksym.h). `addr2line -e build/kernel.elf
 * 0x00104abc` gives the file and line. For reports on behalf of a caller:
 * a heap fault names the code that called the heap. */
__attribute__((noreturn)) void panic_from(const void *pc, const char *fmt, ...)
    KPRINTF_FORMAT(2, 3);

/* Whether a panic leaves QEMU (boot tests) or halts for a person to read. */
void panic_set_exit(int exit_qemu);

#endif
