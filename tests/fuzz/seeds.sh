#!/usr/bin/env bash
# Writes the hand-made seeds of tests/fuzz/corpus/: one small program per
# behaviour, in the input formats described at the top of fuzz_ops.c and
# fuzz_faults.c. Run from the top of the repository; it only (re)writes the
# seed-* files, never what `make fuzz-corpus` merged in.
set -eu
root=tests/fuzz/corpus

seed() { # harness name hex...
	local dir=$root/$1 name=$2
	shift 2
	mkdir -p "$dir"
	printf '%b' "$(echo "$*" | tr -d ' ' | sed 's/../\\x&/g')" >"$dir/seed-$name"
}

# --- fuzz_ops: heap size, misalign, then opcode + operands ------------------
# sizes: 00 n (small), 03 lo hi (10 bits), 04 lo hi, 05 k (edge table or
# SIZE_MAX - k), 06 k (largest free -k, or + k with bit 7), 07 k (2^k +- 1)
ops() { # name hex...
	local h
	for h in ops_fast ops_checking ops_quarantine ops_cached; do seed $h "$@"; done
}
# alloc, free, realloc grows, walk, usable size, free
ops basic 0000 00000018 00010064 0700 0401032c01 0c 0a01 0701
# the largest free block, and one byte more: out of memory for real
ops oom 0003 00000600 00010681 0700 00020681 00030608 04030690 0f
# 0, SIZE_MAX and friends, calloc that wraps, realloc to 0 and to 2^40
ops edges 0c00 00000580 00010500 00020511 03031f0512 0304000005 04010514 \
	04010500 04050509 00060730
# 64, 4096, 2^24, 2^25 and bad alignments; an aligned block that grows
ops aligned 3807 0600060064 06010c000a 0602180001 0603190001 \
	060411e10010 0605e20010 040003d007 0606000005 0c
# a new region, one touching the first, one overlapping, one too small
ops regions 0005 0b00001003 0b02000000 0b01400000200 0b00200000 \
	0000048813 0001047017 0c 1900 0f
# holes between blocks, then a run of frees that merges them
ops fragment 0800 00000008 00010018 00020028 00030038 00040048 00050058 \
	00060068 00070078 0700 0702 0704 0706 000a0064 0d01 7900 0c
# calloc, usable size, quarantine flush, the largest block again
ops calloc 0000 0300050014 0a00 0700 0e 00010600 0a01 0f

# --- fuzz_faults: mode, region, blocks, frees, misuse, then calls -----------
# calls: op slot n (op % 11: free free realloc alloc usable check stats walk
# flush aligned calloc)
# a header byte, seen by freeing the block before it
seed faults header 0000 03 1020304050 00 00 02 03ff 000100 050000
# a whole size field, in checking mode, seen by freeing the block after it
seed faults size-field 0100 02 10101010 05 00 03 81 0000010000000000 \
	000300 050000
# a free block's next link, seen by freeing its neighbour
seed faults link 0000 02 10101010 05 01 00 00 1000000000000000 000100 050000
# quarantine, two regions, a link pointing into the gap between them
seed faults link-gap 060802 04 101010101010 15 01 00 04 00ff000000000000 \
	030040 050000
# a one-byte overflow into the canary, then into the next header
seed faults overflow-canary 0100 00 1828 00 02 00 03 aabbccdd 000000
seed faults overflow-header 0000 00 2020 00 02 00 00 01 020040
# pointers the heap never handed out
seed faults interior 0000 00 4040 00 03 00 00 01 00
seed faults misaligned 0000 00 4040 00 03 01 00 05 01
seed faults stack 0100 00 4040 00 03 03 00 02
seed faults foreign 0200 00 4040 00 03 05 00 00
seed faults control 0000 00 4040 00 03 06 00 1000 00
seed faults past-end 0400 00 4040 00 03 07 00 00
# freed twice: right away, and after both neighbours were freed and merged
seed faults double-free 0000 01 202020 00 04 01 00 00
seed faults double-free-merged 0100 01 202020 00 04 01 02 0002 00
# writes after free: poison in checking mode, the whole block in quarantine
seed faults after-free 0100 00 3030 00 05 00 2000 00 77 030020 050000
seed faults after-free-quarantine 0200 00 3030 00 05 00 0000 00 55 050000
# random writes, then everything
seed faults random 0000 03 1020304050 0a 06 03 0010 00ff 0080 0001 \
	0000 0180 0020 0140 000000 000100 050000 060000 070000 080000
echo "seeds written under $root"
