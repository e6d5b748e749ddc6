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

static void hand_over(struct heap *h, struct heap_fault *f)
{
	heap_fault_fn fn = h->fault_fn ? h->fault_fn : mm_hooks.fault;
	void *ctx = h->fault_fn ? h->fault_ctx : mm_hooks.fault_ctx;
	unsigned was;

	f->what = h->msg;
	f->caller = h->caller;
	if ((unsigned)f->kind < HEAP_FAULT_KINDS)
		h->stats.faults[f->kind]++;
	if (!fn)
		return;
	/* the handler may call back in: refused, not a deadlock */
	was = atomic_load_explicit(&h->in_callback, memory_order_relaxed);
	atomic_store_explicit(&h->in_callback, IN_FAULT, memory_order_relaxed);
	fn(f, ctx);
	atomic_store_explicit(&h->in_callback, was, memory_order_relaxed);
}

void mm_fault(struct heap *h, struct heap_fault f, const char *fmt, ...)
{
	struct mm_out o = {h->msg, 0, sizeof h->msg};
	va_list ap;

	MM_ASSERT(mm_heap_locked(h),
		  "a fault's message is built in the heap's one buffer, under "
		  "its lock");
	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	h->msg[o.len] = '\0';
	hand_over(h, &f);
}

/*
 * A call on h while one of h's callbacks runs. From the callback itself
 * (this CPU holds the lock; or, with no cpu_id hook to tell CPUs apart,
 * anybody does) it must be refused: waiting for the lock would wait for
 * ourselves. Reported through the handler, unless the handler is what
 * called: then only counted.
 */
int mm_reentered(struct heap *h, const void *caller)
{
	unsigned in =
	    atomic_load_explicit(&h->in_callback, memory_order_relaxed);
	const void *outer = h->caller;

	if (!mm_spin_held(&h->lock) &&
	    (mm_hooks.cpu_id || !mm_spin_busy(&h->lock)))
		return 0;
	if (in == IN_FAULT) {
		h->stats.faults[HEAP_FAULT_REENTERED]++;
		return 1;
	}
	/* this CPU holds the lock, for the call the callback runs in: the
	 * report names the refused call, then the outer one is restored */
	h->caller = caller;
	mm_fault(h, (struct heap_fault){.kind = HEAP_FAULT_REENTERED},
		 "heap: called from inside its own heap_walk callback, which "
		 "holds the heap's lock: refused");
	h->caller = outer;
	return 1;
}

void mm_report_header(struct heap *h, const struct block *b, const void *ptr)
{
	struct heap_fault f = {.kind = HEAP_FAULT_CORRUPTED,
			       .ptr = ptr,
			       .block = b,
			       .found = b->size};
	struct mm_out o = {h->msg, 0, sizeof h->msg};

	const struct region *r = mm_region_of(h, (uintptr_t)b);

	/* which word is wrong; then who may have written it: the first
	 * block of a region has no neighbour below that could overflow */
	if (!block_intact(h->secret, b)) {
		mm_format(&o,
			  "heap: header of block %B corrupted (size field %x",
			  b, b->size);
	} else if (!r || !mm_block_fits(h, r, b)) {
		mm_format(&o,
			  "heap: header of block %B corrupted (size field %x "
			  "runs past its region",
			  b, b->size);
	} else if ((block_is_freed(b) || block_is_sentinel(b))
		       ? block_meta(b) != 0
		       : mm_meta(h, b) == META_BAD) {
		f.found = block_meta(b);
		mm_format(&o,
			  "heap: header of block %B corrupted (meta field %x "
			  "does not verify",
			  b, block_meta(b));
	} else {
		f.found = (uintptr_t)b->prev;
		mm_format(&o,
			  "heap: header of block %B corrupted (prev link %p "
			  "names no block that ends there",
			  b, (const void *)b->prev);
	}
	if (b->prev)
		mm_format(&o, "; previous block %B overflowed?)", b->prev);
	else
		mm_format(&o, "; no block before it: written below its "
			      "start?)");
	hand_over(h, &f);
}

_Noreturn void mm_panic(const char *msg)
{
	if (mm_hooks.panic)
		mm_hooks.panic(msg);
#if defined(__GNUC__) || defined(__clang__)
	__builtin_trap();
#else
	for (;;)
		;
#endif
}

_Noreturn void mm_assert_failed(const char *file, int line, const char *cond,
				const char *why)
{
	char msg[256];
	struct mm_out o = {msg, 0, sizeof msg};

	mm_format(&o, "%s:%u: assertion failed: %s (%s)", file, (size_t)line,
		  cond, why);
	mm_panic(msg);
}

void heap_set_fault_handler(struct heap *h, heap_fault_fn fn, void *ctx)
{
	uintptr_t irq;

	if (!mm_heap_valid(h) || mm_heap_lock(h, &irq, HEAP_CALLER()) != 0)
		return;
	h->fault_fn = fn;
	h->fault_ctx = ctx;
	mm_heap_unlock(h, irq);
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
	case HEAP_FAULT_REENTERED:
		return "re-entered";
	case HEAP_FAULT_KINDS:
		break;
	}
	return "unknown fault";
}
