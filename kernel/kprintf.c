/*
 * kprintf.c - one formatter, two sinks (the console and a buffer).
 */
#include "kernel/kprintf.h"

#include <stdint.h>

#include "kernel/console.h"

struct sink {
	void (*put)(struct sink *s, char c);
	char *buf;
	size_t cap;   /* bytes available in buf, the NUL included */
	size_t count; /* characters produced so far, stored or not */
};

struct spec {
	int left; /* '-': pad on the right */
	int zero; /* '0': pad numbers with zeros */
	int width;
	int precision; /* -1 when absent */
	int longness;  /* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t */
};

static void put_console(struct sink *s, char c)
{
	console_putc(c);
	s->count++;
}

static void put_buffer(struct sink *s, char c)
{
	if (s->count + 1 < s->cap)
		s->buf[s->count] = c;
	s->count++;
}

static void pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		s->put(s, c);
}

static void emit_string(struct sink *s, const struct spec *sp, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		pad(s, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		s->put(s, str[i]);
	if (sp->left)
		pad(s, ' ', sp->width - len);
}

static void emit_number(struct sink *s, const struct spec *sp,
			unsigned long long v, unsigned base, int negative,
			int upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 2^64 has 20 decimal digits */
	int n = 0, plen = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative)
		prefix = "-";
	if (!prefix)
		prefix = "";
	while (prefix[plen])
		plen++;
	len = n + plen;

	if (!sp->left && !sp->zero)
		pad(s, ' ', sp->width - len);
	for (int i = 0; i < plen; i++)
		s->put(s, prefix[i]);
	if (!sp->left && sp->zero)
		pad(s, '0', sp->width - len);
	while (n > 0)
		s->put(s, tmp[--n]);
	if (sp->left)
		pad(s, ' ', sp->width - len);
}

static unsigned long long get_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->longness) {
	case -2:
		return (unsigned char)va_arg(*ap, unsigned);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned);
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case 3: // NOLINT(bugprone-branch-clone): size_t is unsigned on i386
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

static long long get_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->longness) {
	case -2:
		return (signed char)va_arg(*ap, int);
	case -1:
		return (short)va_arg(*ap, int);
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case 3:
		/* %zd: the signed type of size_t's width */
		return (long long)(intptr_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Parses flags, width, precision and length at *fmt; returns the
 * conversion character and leaves *fmt past it. */
static char parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *p = *fmt;

	*sp = (struct spec){.precision = -1};
	for (;; p++) {
		if (*p == '-')
			sp->left = 1;
		else if (*p == '0')
			sp->zero = 1;
		else
			break;
	}
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		p++;
	}
	while (*p >= '0' && *p <= '9')
		sp->width = sp->width * 10 + (*p++ - '0');
	if (*p == '.' && p[1] == '*') {
		sp->precision = va_arg(*ap, int);
		p += 2;
	} else if (*p == '.') {
		sp->precision = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			sp->precision = sp->precision * 10 + (*p - '0');
	}
	if (p[0] == 'h' && p[1] == 'h') {
		sp->longness = -2;
		p += 2;
	} else if (p[0] == 'h') {
		sp->longness = -1;
		p++;
	} else if (p[0] == 'l' && p[1] == 'l') {
		sp->longness = 2;
		p += 2;
	} else if (p[0] == 'l') {
		sp->longness = 1;
		p++;
	} else if (p[0] == 'z') {
		sp->longness = 3;
		p++;
	}
	*fmt = p + (*p != '\0');
	return *p;
}

static void format(struct sink *s, const char *fmt, va_list ap_in)
{
	struct spec sp;
	va_list ap;

	/* A copy, so that helpers can take the list by address on every ABI. */
	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			s->put(s, *fmt++);
			continue;
		}
		fmt++;
		char conv = parse_spec(&fmt, &sp, &ap);
		switch (conv) {
		case 'd':
		case 'i': {
			long long v = get_signed(&sp, &ap);
			unsigned long long mag =
			    v < 0 ? 0ULL - (unsigned long long)v
				  : (unsigned long long)v;
			emit_number(s, &sp, mag, 10, v < 0, 0, NULL);
			break;
		}
		case 'u':
			emit_number(s, &sp, get_unsigned(&sp, &ap), 10, 0, 0,
				    NULL);
			break;
		case 'x':
		case 'X':
			emit_number(s, &sp, get_unsigned(&sp, &ap), 16, 0,
				    conv == 'X', NULL);
			break;
		case 'p':
			sp.zero = 1;
			sp.width = 2 + 2 * (int)sizeof(uintptr_t);
			emit_number(s, &sp, (uintptr_t)va_arg(ap, void *), 16,
				    0, 0, "0x");
			break;
		case 's':
			emit_string(s, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char c[2] = {(char)va_arg(ap, int), '\0'};
			emit_string(s, &sp, c);
			break;
		}
		case '%':
			s->put(s, '%');
			break;
		case '\0':
			break;
		default:
			/* Unknown: show it rather than guess at its argument.
			 */
			s->put(s, '%');
			s->put(s, conv);
		}
	}
	va_end(ap);
}

int kvprintf(const char *fmt, va_list ap)
{
	struct sink s = {.put = put_console};

	format(&s, fmt, ap);
	return (int)s.count;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {.put = put_buffer, .buf = buf, .cap = size};

	format(&s, fmt, ap);
	if (size > 0)
		buf[s.count < size ? s.count : size - 1] = '\0';
	return (int)s.count;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
