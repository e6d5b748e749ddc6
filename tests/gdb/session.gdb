# tests/gdb/session.gdb - what tests/gdb/run.sh has GDB do, after the
# gdbinit that make debug writes has attached and stopped at kmain.
# Each "==== name" line starts a section that run.sh judges on its own.

# The heap is up and the demo has freed its blocks (kernel/main.c).
break selftest_run
continue

# Blocks in every state, made from the debugger so that the test does not
# hang on what the kernel happens to leave: two in use (one aligned), one
# freed above the caches' limit (quarantined in quarantine mode, merged
# away in fast mode), one small one freed (into this CPU's cache in fast
# mode, quarantined in quarantine mode).
set $small = (unsigned char *)allocate_memory(100)
set $aligned = (unsigned char *)allocate_aligned_memory(4096, 300)
set $gone = (unsigned char *)allocate_memory(2000)
call (void)deallocate_memory($gone)
set $cachedp = (unsigned char *)allocate_memory(48)
call (void)deallocate_memory($cachedp)
set $victim = $small - sizeof(struct block)
printf "victim 0x%08x\n", (unsigned)$victim
printf "aligned 0x%08x\n", (unsigned)($aligned - sizeof(struct block))
printf "cached 0x%08x\n", (unsigned)($cachedp - sizeof(struct block))

echo ==== stats\n
heap-stats
echo ==== walk\n
heap-walk
echo ==== check\n
heap-check

# Must fail: one bit of the victim's check word, as a stray write would.
set *(unsigned char *)$victim ^= 1
echo ==== walk-bad-check\n
heap-walk
echo ==== check-bad-check\n
heap-check
set *(unsigned char *)$victim ^= 1
echo ==== check-repaired\n
heap-check

# Must fail: the 16s bit of its size field, so the sizes stop tiling too.
set *((unsigned char *)$victim + sizeof(uintptr_t)) ^= 0x10
echo ==== check-bad-size\n
heap-check
set *((unsigned char *)$victim + sizeof(uintptr_t)) ^= 0x10

# Must fail (fast mode): the link a cached block keeps to the next one of
# its batch, as a write after free would leave it.
set *(unsigned *)$cachedp ^= 0x10
echo ==== check-bad-cache-link\n
heap-check
set *(unsigned *)$cachedp ^= 0x10

# Must fail: a first-level bitmap bit that disagrees with its row.
set var system_heap->fl_map ^= 1
echo ==== check-bad-bitmap\n
heap-check
set var system_heap->fl_map ^= 1

# The page tables, walked from CR3 in physical memory (page-walk), against
# the kernel's own reading of the same entries (paging_entry).
set $page = (unsigned)$small & ~0xfff
printf "kernel-entry 0x%08x\n", (unsigned)paging_entry($page)
printf "small-address 0x%08x\n", (unsigned)$small
echo ==== page-walk-heap\n
page-walk $small
echo ==== page-walk-null\n
page-walk 0
echo ==== page-walk-text\n
page-walk kmain
echo ==== page-walk-guard\n
page-walk boot_stack_guard
# Must change: the heap page's writable bit cleared in its table entry
# (through the tables' own window at 0xFFC00000), then set back.
set *(unsigned *)(0xFFC00000 + ($page >> 12) * 4) ^= 2
echo ==== page-walk-readonly\n
page-walk $small
set *(unsigned *)(0xFFC00000 + ($page >> 12) * 4) ^= 2
echo ==== end\n
