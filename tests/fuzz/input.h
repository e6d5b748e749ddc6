/*
 * input.h - the fuzzer's bytes, read front to back as a program.
 *
 * Reading past the end gives zeros instead of failing, so that every input,
 * however it was mutated, is a valid program: the fuzzer never wastes runs
 * on inputs the harness would reject.
 */
#ifndef TESTS_FUZZ_INPUT_H
#define TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
	const uint8_t *p;
	size_t left;
};

void in_open(struct input *in, const uint8_t *data, size_t size);
/* Non-zero while unread bytes remain. */
int in_more(const struct input *in);
uint8_t in_byte(struct input *in);
/* Little-endian, so that a short tail still reads as a small number. */
uint16_t in_u16(struct input *in);
uintptr_t in_word(struct input *in);

#endif
