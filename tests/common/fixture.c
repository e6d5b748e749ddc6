#include "tests/common/fixture.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u

unsigned char *buffer_get(size_t bytes)
{
	size_t rounded = (bytes + PAGE - 1) / PAGE * PAGE;
	unsigned char *buf;

	if (rounded == 0)
		rounded = PAGE;
	buf = aligned_alloc(PAGE, rounded);
	if (buf != NULL)
		memset(buf, FIXTURE_JUNK, rounded);
	return buf;
}

void buffer_put(unsigned char *buf)
{
	free(buf);
}

int fixture_open(struct fixture *fx, size_t bytes)
{
	memset(fx, 0, sizeof *fx);
	fx->mem = buffer_get(bytes);
	if (fx->mem == NULL)
		return -1;
	fx->bytes = bytes;
	fx->heap = heap_create(fx->mem, bytes);
	if (fx->heap == NULL) {
		buffer_put(fx->mem);
		fx->mem = NULL;
		return -1;
	}
	fault_log_attach(&fx->log, fx->heap);
	return 0;
}

unsigned char *fixture_buffer(struct fixture *fx, size_t bytes)
{
	unsigned char *buf;

	if (fx->nextra == FIXTURE_EXTRA)
		return NULL;
	buf = buffer_get(bytes);
	if (buf != NULL)
		fx->extra[fx->nextra++] = buf;
	return buf;
}

int inside(const void *p, size_t n, const void *buf, size_t bytes)
{
	uintptr_t at = (uintptr_t)p;
	uintptr_t lo = (uintptr_t)buf;

	return at >= lo && at - lo <= bytes && n <= bytes - (at - lo);
}

int fixture_close(struct fixture *fx)
{
	int ok = 1;

	if (fx->heap != NULL) {
		if (fx->log.total != 0) {
			fprintf(stderr,
				"fixture: %zu unexpected fault(s), last: %s\n",
				fx->log.total, fx->log.last_what);
			ok = 0;
		}
		if (heap_check(fx->heap) != 0) {
			fprintf(stderr,
				"fixture: heap_check failed at teardown: %s\n",
				fx->log.last_what);
			ok = 0;
		}
	}
	buffer_put(fx->mem);
	for (size_t i = 0; i < fx->nextra; i++)
		buffer_put(fx->extra[i]);
	memset(fx, 0, sizeof *fx);
	return ok ? 0 : -1;
}

struct heap_stats stats_of(struct heap *h)
{
	struct heap_stats s;

	heap_get_stats(h, &s);
	return s;
}

int fixture_setup(void **state)
{
	struct fixture *fx = malloc(sizeof *fx);

	if (fx == NULL || fixture_open(fx, FIXTURE_BYTES) != 0) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

int fixture_teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = fixture_close(fx);

	free(fx);
	return rc;
}
