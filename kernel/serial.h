/*
 * serial.h - the COM1 UART, the kernel's main output (tests read it).
 */
#ifndef KERNEL_SERIAL_H
#define KERNEL_SERIAL_H

void serial_init(void);
void serial_putc(char c);
/* s and a newline: serial only, not the VGA console (maps drawn apart). */
void serial_put_line(const char *s);

#endif
