/*
 * minimum.h - the least RAM the kernel runs on.
 *
 * At KERNEL_MIN_RAM_MIB every self-test passes in every heap mode (the
 * boot test proves it); below it the kernel says so and stops with the
 * failure verdict. The Makefile's `make run MEM=` check reads the number
 * from this line, so it stays one line: #define KERNEL_MIN_RAM_MIB N.
 */
#ifndef KERNEL_MINIMUM_H
#define KERNEL_MINIMUM_H

#include "kernel/multiboot.h"

#define KERNEL_MIN_RAM_MIB 16

/*
 * 0 when the memory map lists enough RAM; otherwise prints
 * "kernel: needs at least 16 MiB of RAM, this machine has ..." and returns
 * -1. A PC never lists all its RAM as available (the 384 KiB hole below
 * 1 MiB, the firmware's own areas), so the available RAM is counted up to
 * whole MiB: that is what QEMU's -m or a DIMM size says.
 */
int minimum_ram_check(const struct boot_info *bi);

#endif
