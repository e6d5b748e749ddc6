#include "tests/common/fault_log.h"

#include <string.h>

void fault_log_record(const struct heap_fault *f, void *ctx)
{
	struct fault_log *log = ctx;

	log->total++;
	if ((unsigned)f->kind < HEAP_FAULT_KINDS)
		log->count[f->kind]++;
	log->last = *f;
	/* f->what may live in a buffer the heap reuses: keep a copy. */
	log->last_what[0] = '\0';
	if (f->what != NULL)
		strncat(log->last_what, f->what, sizeof log->last_what - 1);
	log->last.what = log->last_what;
}

void fault_log_reset(struct fault_log *log)
{
	memset(log, 0, sizeof *log);
	log->last.what = log->last_what;
}

void fault_log_attach(struct fault_log *log, struct heap *h)
{
	fault_log_reset(log);
	heap_set_fault_handler(h, fault_log_record, log);
}
