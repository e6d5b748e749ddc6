#include "tests/fuzz/input.h"

void in_open(struct input *in, const uint8_t *data, size_t size)
{
	in->p = data;
	in->left = data ? size : 0;
}

int in_more(const struct input *in)
{
	return in->left != 0;
}

uint8_t in_byte(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

uint16_t in_u16(struct input *in)
{
	uint16_t lo = in_byte(in);

	return (uint16_t)(lo | (uint16_t)in_byte(in) << 8);
}

uintptr_t in_word(struct input *in)
{
	uintptr_t w = 0;

	for (unsigned i = 0; i < sizeof w; i++)
		w |= (uintptr_t)in_byte(in) << (8 * i);
	return w;
}
