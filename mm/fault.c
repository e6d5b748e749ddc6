/*
 * fault.c - naming a fault and handing it to whoever reports it.
 *
 * Messages are built here, without a C library: a small formatter that knows
 * just the conversions the heap's messages use. Blocks are named by the
 * pointer their owner was given (%B), not by their header's address.
 */
#include <stdarg.h>

#include "internal.h"

static void put(struct mm_out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len++] = c;
}

static void put_str(struct mm_out *o, const char *s)
{
	while (*s)
		put(o, *s++);
}

static void put_hex(struct mm_out *o, uintptr_t v)
{
	static const char digits[] = "0123456789abcdef";
	int shift;

	put_str(o, "0x");
	for (shift = (int)sizeof(uintptr_t) * 8 - 4; shift >= 0; shift -= 4)
		put(o, digits[(v >> shift) & 0xf]);
}

static void put_byte(struct mm_out *o, unsigned char v)
{
	static const char digits[] = "0123456789abcdef";

	put_str(o, "0x");
	put(o, digits[v >> 4]);
	put(o, digits[v & 0xf]);
}

static void put_block(struct mm_out *o, const struct block *b)
{
	if (b)
		put_hex(o, (uintptr_t)block_payload(b));
	else
		put_str(o, "(none)");
}

static void put_dec(struct mm_out *o, size_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put(o, tmp[--n]);
}

static void vformat(struct mm_out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		switch (*++fmt) {
		case 's':
			put_str(o, va_arg(ap, const char *));
			break;
		case 'p':
			put_hex(o, (uintptr_t)va_arg(ap, const void *));
			break;
		case 'x':
			put_hex(o, va_arg(ap, uintptr_t));
			break;
		case 'b': /* one byte, as 0x5a */
			put_byte(o, (unsigned char)va_arg(ap, unsigned));
			break;
		case 'B': /* a block, named by the pointer its owner holds */
			put_block(o, va_arg(ap, const struct block *));
			break;
		case 'u':
			put_dec(o, va_arg(ap, size_t));
			break;
		case '\0':
			return;
		default:
			put(o, *fmt);
		}
	}
}

void mm_format(struct mm_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(o, fmt, ap);
	va_end(ap);
	o->buf[o->len] = '\0';
}

void mm_fault(struct heap *h, struct heap_fault f, const char *fmt, ...)
{
	struct mm_out o = {h->msg, 0, sizeof h->msg};
	heap_fault_fn fn = h->fault_fn ? h->fault_fn : mm_hooks.fault;
	void *ctx = h->fault_fn ? h->fault_ctx : mm_hooks.fault_ctx;
	va_list ap;

	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	h->msg[o.len] = '\0';
	f.what = h->msg;
	if ((unsigned)f.kind < HEAP_FAULT_KINDS)
		h->stats.faults[f.kind]++;
	if (fn)
		fn(&f, ctx);
}

void mm_report_header(struct heap *h, const struct block *b, const void *ptr)
{
	struct heap_fault f = {.kind = HEAP_FAULT_CORRUPTED,
			       .ptr = ptr,
			       .block = b,
			       .found = b->size};

	/* the first block of a region has no neighbour below that could
	 * have overflowed into it */
	if (b->prev)
		mm_fault(h, f,
			 "heap: header of block %B corrupted (size field %x; "
			 "previous block %B overflowed?)",
			 b, b->size, b->prev);
	else
		mm_fault(h, f,
			 "heap: header of block %B corrupted (size field %x; "
			 "no block before it: written below its start?)",
			 b, b->size);
}

void heap_set_fault_handler(struct heap *h, heap_fault_fn fn, void *ctx)
{
	uintptr_t irq;

	if (!heap_valid(h))
		return;
	irq = heap_lock(h);
	h->fault_fn = fn;
	h->fault_ctx = ctx;
	heap_unlock(h, irq);
}

const char *heap_fault_name(enum heap_fault_kind kind)
{
	switch (kind) {
	case HEAP_FAULT_DOUBLE_FREE:
		return "double free";
	case HEAP_FAULT_INVALID_POINTER:
		return "invalid pointer";
	case HEAP_FAULT_CORRUPTED:
		return "corrupted heap";
	case HEAP_FAULT_USE_AFTER_FREE:
		return "use after free";
	case HEAP_FAULT_OVERFLOW:
		return "overflow";
	case HEAP_FAULT_KINDS:
		break;
	}
	return "unknown fault";
}
