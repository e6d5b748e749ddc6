/*
 * serial.c - COM1 (a 16550 UART at 0x3F8), 115200 baud, 8N1, polled.
 *
 * Polling keeps the driver usable from panic() with interrupts off; the
 * kernel never takes interrupts anyway.
 */
#include "kernel/serial.h"

#include "kernel/io.h"

#define COM1 0x3F8

/* Register offsets from the base port. */
#define UART_DATA 0 /* divisor low byte while DLAB is set */
#define UART_IER  1 /* divisor high byte while DLAB is set */
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5

#define LCR_8N1	  0x03
#define LCR_DLAB  0x80
#define FCR_FIFO  0xC7 /* enable and clear both FIFOs, 14-byte threshold */
#define MCR_READY 0x03 /* DTR and RTS: some hosts wait for them */
#define LSR_THRE  0x20 /* transmit holding register empty */

/* The UART divides 115200 by this divisor. */
#define BAUD_DIVISOR 1

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, BAUD_DIVISOR & 0xFF);
	outb(COM1 + UART_IER, BAUD_DIVISOR >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_FIFO);
	outb(COM1 + UART_MCR, MCR_READY);
}

static void serial_put_raw(char c)
{
	/* With no UART present the port reads 0xFF, so this cannot hang. */
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_putc(char c)
{
	/* Terminals and log files both expect CR LF on a raw serial line. */
	if (c == '\n')
		serial_put_raw('\r');
	serial_put_raw(c);
}

void serial_put_line(const char *s)
{
	while (*s)
		serial_putc(*s++);
	serial_putc('\n');
}
