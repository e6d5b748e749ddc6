"""heap.py - GDB commands that look at mm/'s heap in a stopped target.

    heap-walk  [EXPR]   every block of every region, with its state and
                        whether its header check verifies
    heap-check [EXPR]   the invariants mm/check.c checks, from outside:
                        "heap-check: OK (N blocks, M free)" or the problems
    heap-stats [EXPR]   h->stats, plus what heap_get_stats computes

EXPR is a `struct heap *` (or an address); without it, the kernel's
system heap (the static `system_heap` in mm/memory.c). Works as well on a
host program linked with mm/ (8-byte words) as on the kernel (4).

`source scripts/gdb/heap.py` loads them; build/gdbinit (make debug) does.
heapread.py reads the structures, heapcheck.py holds heap-check.
docs/debugging.md shows the output.
"""

import importlib
import os
import sys

import gdb

# GDB's `source` runs this file as a script: its neighbours are importable
# only once their directory is on the path. Reloaded, so that sourcing
# again after an edit picks the edit up; no bytecode, so that no
# __pycache__ is left in the source tree.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
import heapread  # noqa: E402
import heapcheck  # noqa: E402

importlib.reload(heapread)
importlib.reload(heapcheck)
sys.dont_write_bytecode = _bytecode
from heapread import (HEAP_ALIGN, HEAP_CHECKING,  # noqa: E402
                      HEAP_REDZONE, Block, Caches, Heap, as_int, reading,
                      region_bounds, walk_region)


class HeapWalk(gdb.Command):
    """List every block of a heap: heap-walk [EXPR]

EXPR is a struct heap * (default: the kernel's system heap). Per region,
each block: header and payload address, block size (header included),
state (used; cached: freed into a per-CPU cache or the depot; internal:
a cache's own memory; free, quarantined, sentinel), bytes requested, and
whether the header's keyed check verifies ("BAD" when it does not)."""

    def __init__(self):
        super().__init__("heap-walk", gdb.COMMAND_DATA)

    @reading("heap-walk")
    def invoke(self, arg, from_tty):
        heap = Heap(arg, "heap-walk")
        lay = heap.lay
        counts = dict.fromkeys(("used", "cached", "internal", "free",
                                "quarantined", "sentinel"), 0)
        bad = 0
        nregions = 0
        print(heap.describe())
        for r in heap.regions():
            nregions += 1
            base, end = region_bounds(heap, r)
            print("region %d: %s-%s, first block %s, sentinel %s" % (
                as_int(r["index"]), lay.addr(base), lay.addr(end),
                lay.addr(lay.ptr(r["first"])),
                lay.addr(lay.ptr(r["sentinel"]))))
            print("  %-*s  %-*s  %10s  %-11s  %10s  %s" % (
                2 * lay.word + 2, "block", 2 * lay.word + 2, "payload",
                "size", "state", "requested", "check"))
            for b, problem in walk_region(heap, r):
                if b is None:
                    print("  heap-walk: stop: %s" % problem)
                    break
                counts[b.state] += 1
                bad += not b.intact
                print("  " + self.line(lay, b))
                if problem:
                    print("  heap-walk: stop: block %s: %s" %
                          (lay.addr(b.addr), problem))
        print("heap-walk: %d block(s): %d used, %d cached, %d internal, "
              "%d free, %d quarantined; %d region(s), %d sentinel(s); "
              "%d bad header(s)" % (
                  sum(n for k, n in counts.items() if k != "sentinel"),
                  counts["used"], counts["cached"], counts["internal"],
                  counts["free"], counts["quarantined"], nregions,
                  counts["sentinel"], bad))

    @staticmethod
    def line(lay, b):
        w = 2 * lay.word + 2
        if b.sentinel:
            payload, requested = "-", "-"
        else:
            payload = lay.addr(b.payload)
            # a cached or internal block holds nothing a caller asked for
            requested = "-" if b.free or not b.callers else (
                str(b.payload_size - b.slack)
                if b.slack <= b.payload_size else "?")
        check = "ok" if b.intact else "BAD (stored 0x%x, computed 0x%x)" % (
            b.check, b.expected)
        note = ""
        if b.state == "used" and b.align > HEAP_ALIGN:
            note = "  align %d" % b.align
        return "%-*s  %-*s  %10d  %-11s  %10s  %s%s" % (
            w, lay.addr(b.addr), w, payload, b.size, b.state, requested,
            check, note)


def largest_free(heap):
    """As heap_get_stats finds it: in the highest non-empty class."""
    lay, v = heap.lay, heap.v
    fl_map = as_int(v["fl_map"])
    if not fl_map:
        return 0
    fl = fl_map.bit_length() - 1
    sl = as_int(v["sl_map"][fl]).bit_length() - 1
    best, b, seen = 0, lay.ptr(v["lists"][fl][sl]), set()
    while b and b not in seen:
        seen.add(b)
        blk = Block(lay, heap.secret, b)
        best = max(best, blk.payload_size)
        b = blk.links()[0]
    return best


class HeapStats(gdb.Command):
    """Print a heap's statistics: heap-stats [EXPR]

Every field of h->stats, by name, as heap_get_stats() returns it: fields
it computes (largest_free, bytes_overhead, the lock counts, and with
per-CPU caches the cached blocks, which it takes out of the used ones)
say "(computed)". EXPR is a struct heap * (default: the kernel's system
heap)."""

    def __init__(self):
        super().__init__("heap-stats", gdb.COMMAND_DATA)

    @reading("heap-stats")
    def invoke(self, arg, from_tty):
        heap = Heap(arg, "heap-stats")
        v = heap.v
        s = v["stats"]
        computed = self.computed(heap)
        print(heap.describe())
        for f in s.type.strip_typedefs().fields():
            if f.name in computed:
                print("  %-20s %d (computed)" % (f.name, computed[f.name]))
            elif f.type.strip_typedefs().code == gdb.TYPE_CODE_ARRAY:
                print("  %-20s %s" % (f.name, self.array(f.name, s[f.name])))
            else:
                print("  %-20s %d" % (f.name, as_int(s[f.name])))

    @staticmethod
    def computed(heap):
        """What heap_get_stats() computes rather than copies: the heap
        counts every block it gave out as used, and callers hold those no
        cache holds, that are not its own and not lost."""
        v, s = heap.v, heap.v["stats"]
        caches = Caches(heap)
        blocks, nbytes, requested = caches.held(heap.lay)
        used = as_int(s["bytes_used"]) - nbytes - caches.internal_bytes \
            - caches.lost_bytes
        largest = largest_free(heap)
        if as_int(v["flags"]) & HEAP_CHECKING:
            # what one call can get: the red zone comes out of it
            largest = max(largest - HEAP_REDZONE, 0)
        return {
            "largest_free": largest,
            "lock_acquired": as_int(v["lock"]["acquired"]),
            "lock_contended": as_int(v["lock"]["contended"]),
            "lock_slept": as_int(v["lock"]["slept"]),
            "used_blocks": as_int(s["used_blocks"]) - blocks
            - caches.internal_blocks - caches.lost_blocks,
            "bytes_used": used,
            "bytes_requested": as_int(s["bytes_requested"]) + requested,
            "cached_blocks": blocks,
            "bytes_cached": nbytes,
            "bytes_overhead": as_int(v["bytes_total"]) - used
            - as_int(s["bytes_free"]) - as_int(s["bytes_quarantined"])
            - nbytes,
        }

    @staticmethod
    def array(name, a):
        n = a.type.strip_typedefs().range()[1] + 1
        values = [as_int(a[i]) for i in range(n)]
        if name != "faults":
            return " ".join(str(x) for x in values)
        # faults[] is indexed by enum heap_fault_kind: name each count
        # as heap_fault_name() would, "double_free" for HEAP_FAULT_DOUBLE_FREE
        kind = gdb.lookup_type("enum heap_fault_kind")
        names = {f.enumval: f.name.replace("HEAP_FAULT_", "").lower()
                 for f in kind.fields()}
        return ", ".join("%s %d" % (names.get(i, str(i)), x)
                         for i, x in enumerate(values))


HeapWalk()
heapcheck.HeapCheck()
HeapStats()
