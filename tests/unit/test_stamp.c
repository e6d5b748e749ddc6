/*
 * test_stamp.c - the one fill-and-verify helper every test uses
 * (tests/common/stamp.h): it finds the exact byte that changed, tells a
 * shifted copy or another block's stamp from its own, lets a prefix of a
 * longer stamp verify, and leads word 0 back to its tag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tests/common/stamp.h"

#define LEN 300 /* not a multiple of 8: the tail is checked byte by byte */

/* Room for LEN bytes at any of the 8 misalignments, plus shifts. */
static unsigned char buf[LEN + 64];
static unsigned char other[LEN + 64];

static void test_a_fresh_stamp_is_intact_at_every_alignment(void **state)
{
	(void)state;
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n <= LEN; n += 13) {
			uint64_t tag = stamp_tag(3, n * 8 + off);

			stamp_fill(buf + off, n, tag);
			assert_int_equal(stamp_find_damage(buf + off, n, tag),
					 n);
			assert_true(stamp_intact(buf + off, n, tag));
		}
	}
}

static void test_one_flipped_byte_is_found_at_its_offset(void **state)
{
	uint64_t tag = stamp_tag(7, 42);

	(void)state;
	for (size_t i = 0; i < LEN; i++) {
		for (unsigned bit = 0; bit < 8; bit += 7) {
			stamp_fill(buf + 1, LEN, tag);
			buf[1 + i] ^= (unsigned char)(1u << bit);
			assert_int_equal(stamp_find_damage(buf + 1, LEN, tag),
					 i);
			assert_false(stamp_intact(buf + 1, LEN, tag));
			/* the byte the message would print as expected */
			assert_int_equal(buf[1 + i] ^ (1u << bit),
					 stamp_byte(tag, i));
		}
	}
}

static void test_the_first_of_two_damaged_bytes_is_reported(void **state)
{
	uint64_t tag = stamp_tag(1, 9);

	(void)state;
	stamp_fill(buf, LEN, tag);
	buf[200] ^= 0x10;
	buf[37] ^= 0x80;
	assert_int_equal(stamp_find_damage(buf, LEN, tag), 37);
}

/* A copy shifted by s bytes (a memmove that went wrong, a block handed out
 * s bytes off) must read back wrong within its first word or two. */
static void test_a_shifted_copy_is_caught_at_once(void **state)
{
	uint64_t tag = stamp_tag(2, 1000);

	(void)state;
	stamp_fill(other, LEN + 32, tag);
	for (size_t s = 1; s <= 31; s++) {
		/* read s bytes too far on: a block handed out s bytes off */
		memcpy(buf, other + s, LEN);
		assert_in_range(stamp_find_damage(buf, LEN, tag), 0, 15);
		/* moved right by s: the first s bytes stay, the rest slid */
		stamp_fill(buf, LEN, tag);
		memmove(buf + s, buf, LEN - s);
		assert_in_range(stamp_find_damage(buf, LEN, tag), s, s + 15);
	}
}

static void test_another_tags_stamp_does_not_verify(void **state)
{
	(void)state;
	for (uint64_t seq = 0; seq < 200; seq++) {
		uint64_t mine = stamp_tag(5, seq),
			 theirs = stamp_tag(5, seq + 1);
		uint64_t owner = stamp_tag(6, seq);

		stamp_fill(buf, 64, theirs);
		assert_in_range(stamp_find_damage(buf, 64, mine), 0, 15);
		stamp_fill(buf, 64, owner);
		assert_in_range(stamp_find_damage(buf, 64, mine), 0, 15);
	}
}

/* realloc keeps a prefix: the first n bytes of a longer stamp are the
 * stamp of n bytes, and a longer check over a shorter stamp fails just
 * past its end. */
static void test_a_prefix_of_a_longer_stamp_verifies(void **state)
{
	uint64_t tag = stamp_tag(4, 77);

	(void)state;
	stamp_fill(buf, LEN, tag);
	for (size_t n = 0; n <= LEN; n++)
		assert_true(stamp_intact(buf, n, tag));

	memset(buf, 0, sizeof buf);
	stamp_fill(buf, 100, tag);
	assert_in_range(stamp_find_damage(buf, LEN, tag), 100, 115);
}

static void test_zeroed_memory_is_no_ones_stamp(void **state)
{
	(void)state;
	memset(buf, 0, sizeof buf);
	for (uint64_t seq = 0; seq < 64; seq++)
		assert_in_range(stamp_find_damage(buf, LEN, stamp_tag(0, seq)),
				0, 15);
}

static void test_word_zero_names_the_tag_that_wrote_it(void **state)
{
	static const uint64_t tags[] = {0, 1, 0xffffffffffffffffull,
					0x123456789abcdefull};

	(void)state;
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		stamp_fill(buf + 3, 8, tags[i]);
		assert_true(stamp_whose(buf + 3) == tags[i]);
	}
	for (unsigned owner = 0; owner < 0x10000; owner += 0x1111) {
		uint64_t tag = stamp_tag(owner, 0xabcdef123456ull);

		stamp_fill(buf, 16, tag);
		assert_int_equal(stamp_owner(stamp_whose(buf)), owner);
		assert_true(stamp_seq(stamp_whose(buf)) == 0xabcdef123456ull);
	}
}

static void test_tag_fields_round_trip_and_seq_is_cut(void **state)
{
	(void)state;
	assert_int_equal(stamp_owner(stamp_tag(0xbeef, 5)), 0xbeef);
	assert_true(stamp_seq(stamp_tag(0xbeef, 5)) == 5);
	/* owner beyond 16 bits and seq beyond 48 are cut, never mixed */
	assert_int_equal(stamp_owner(stamp_tag(0x1beef, 1ull << 48)), 0xbeef);
	assert_true(stamp_seq(stamp_tag(1, (1ull << 48) | 9)) == 9);
	assert_true(stamp_tag(1, 0) != stamp_tag(0, 1));
}

static void test_a_uniform_fill_finds_its_first_other_byte(void **state)
{
	(void)state;
	memset(buf, 0xa5, LEN);
	assert_int_equal(stamp_find_other(buf, LEN, 0xa5), LEN);
	assert_true(stamp_uniform(buf, LEN, 0xa5));
	assert_int_equal(stamp_find_other(buf, LEN, 0), 0);
	buf[LEN - 1] = 0;
	assert_int_equal(stamp_find_other(buf, LEN, 0xa5), LEN - 1);
	assert_false(stamp_uniform(buf, LEN, 0xa5));
	assert_true(stamp_uniform(buf, LEN - 1, 0xa5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_fresh_stamp_is_intact_at_every_alignment),
	    cmocka_unit_test(test_one_flipped_byte_is_found_at_its_offset),
	    cmocka_unit_test(test_the_first_of_two_damaged_bytes_is_reported),
	    cmocka_unit_test(test_a_shifted_copy_is_caught_at_once),
	    cmocka_unit_test(test_another_tags_stamp_does_not_verify),
	    cmocka_unit_test(test_a_prefix_of_a_longer_stamp_verifies),
	    cmocka_unit_test(test_zeroed_memory_is_no_ones_stamp),
	    cmocka_unit_test(test_word_zero_names_the_tag_that_wrote_it),
	    cmocka_unit_test(test_tag_fields_round_trip_and_seq_is_cut),
	    cmocka_unit_test(test_a_uniform_fill_finds_its_first_other_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
