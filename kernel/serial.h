/*
 * serial.h - the COM1 UART, the kernel's main output (tests read it).
 */
#ifndef KERNEL_SERIAL_H
#define KERNEL_SERIAL_H

void serial_init(void);
void serial_putc(char c);

#endif
