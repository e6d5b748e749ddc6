"""heapcheck.py - heap-check: mm/check.c's invariants, from the debugger.

Walks the regions, the free lists and the per-CPU caches as heap_check()
does, but reads through heapread.py instead of running target code, and
goes on past a bad header when the sizes still tile, so that one flipped
bit does not hide everything after it. With the target halted every CPU
holds still, so every cache is checked, not only the caller's.
"""

import gdb

from heapread import (HEAP_ALIGN, Block, Caches, Heap, as_int, listed_loop,
                      read_word, reading, walk_region)


class Tally:
    """What heap-check counts while it walks, and the problems found."""

    def __init__(self, lay):
        self.lay = lay
        self.problems = []
        self.blocks = 0
        self.cut_short = False    # a region's walk stopped before its end
        self.free = set()         # listed free blocks, by address
        self.quarantined = set()
        self.cached = {}          # cached blocks: address -> block size
        self.internal = 0         # the caches' own blocks
        # h->stats counts every block the heap gave out as used: callers',
        # cached and its own; bytes_requested is only callers'
        self.stats = dict.fromkeys((
            "used_blocks", "free_blocks", "quarantined_blocks", "bytes_used",
            "bytes_free", "bytes_requested", "bytes_quarantined"), 0)

    def problem(self, addr, what):
        where = "heap" if addr is None else "block " + self.lay.addr(addr)
        self.problems.append("%s: %s" % (where, what))

    def count(self, b):
        self.blocks += 1
        s = self.stats
        if b.listed:
            self.free.add(b.addr)
            s["free_blocks"] += 1
            s["bytes_free"] += b.payload_size
        elif b.free:
            self.quarantined.add(b.addr)
            s["quarantined_blocks"] += 1
            s["bytes_quarantined"] += b.payload_size
        else:
            s["used_blocks"] += 1
            s["bytes_used"] += b.payload_size
            if b.state == "cached":
                self.cached[b.addr] = b.size
            elif b.state == "internal":
                self.internal += 1
            else:
                s["bytes_requested"] += max(b.payload_size - b.slack, 0)


def check_region(heap, r, t):
    """Headers, prev links, tiling, merges: check_region() of mm/check.c,
    except that a bad header does not end the walk when its size still
    tiles, so that one flipped bit does not hide the rest of the region."""
    sentinel = heap.lay.ptr(r["sentinel"])
    prev = None
    for b, problem in walk_region(heap, r):
        if b is None:
            t.problem(None, problem)
            t.cut_short = True
            return
        if not b.intact:
            t.problem(b.addr, "header corrupted: check 0x%x, expected 0x%x "
                      "(size 0x%x, prev 0x%x, meta 0x%x)" %
                      (b.check, b.expected, b.raw, b.prev, b.meta))
        if b.prev != (prev.addr if prev else 0):
            t.problem(b.addr, "prev is 0x%x, not the block before it (%s)" %
                      (b.prev, heap.lay.addr(prev.addr) if prev else "none"))
        if b.addr == sentinel:
            if not b.sentinel or b.free:
                t.problem(b.addr, "region end is not a sentinel")
            return
        if problem:
            t.problem(b.addr, problem)
            t.cut_short = True
            return
        if b.listed and prev is not None and prev.listed:
            t.problem(b.addr, "free block next to a free block (missed merge)")
        if not b.free and b.slack > b.payload_size:
            t.problem(b.addr, "requested size larger than the block")
        t.count(b)
        prev = b


def check_lists(heap, t):
    """Bitmaps against lists, and every listed block against the walk."""
    lay = heap.lay
    v = heap.v
    fl_map = as_int(v["fl_map"])
    # a link must lie in one of the regions, as mm_link_ok() demands
    spans = [(lay.ptr(r["first"]), lay.ptr(r["sentinel"]))
             for r in heap.regions()]
    listed = set()
    for fl in range(lay.fl_count):
        sl_map = as_int(v["sl_map"][fl])
        if bool((fl_map >> fl) & 1) != (sl_map != 0):
            t.problem(None, "fl_map bit %d is %d but sl_map[%d] is 0x%x" %
                      (fl, (fl_map >> fl) & 1, fl, sl_map))
        for sl in range(lay.sl_count):
            b = lay.ptr(v["lists"][fl][sl])
            if bool((sl_map >> sl) & 1) != (b != 0):
                t.problem(None, "sl_map[%d] bit %d is %d but lists[%d][%d] "
                          "is %s" % (fl, sl, (sl_map >> sl) & 1, fl, sl,
                                     "empty" if not b else "not empty"))
            prev = 0
            while b:
                where = "lists[%d][%d]" % (fl, sl)
                if b % HEAP_ALIGN or not any(lo <= b < hi
                                             for lo, hi in spans):
                    t.problem(prev or None, "%s: link 0x%x points outside "
                              "the heap" % (where, b))
                    break
                if b in listed:
                    t.problem(b, "%s: on a free list twice (a loop?)" % where)
                    break
                listed.add(b)
                try:
                    blk = Block(lay, heap.secret, b)
                except gdb.MemoryError:
                    t.problem(b, "%s: cannot read the header" % where)
                    break
                # A whole walk saw every block: one it did not see as free
                # is no free block, and its links are no links. Past where
                # a walk stopped, trust a header that verifies.
                if b not in t.free and not (
                        t.cut_short and blk.intact and blk.listed):
                    t.problem(b, "%s: on a free list but not a free block"
                              % where)
                    break
                if lay.size_class(blk.size) != (fl, sl):
                    t.problem(b, "%s: size 0x%x belongs in lists[%d][%d]" %
                              ((where, blk.size) + lay.size_class(blk.size)))
                nxt, back = blk.links()
                if back != prev:
                    t.problem(b, "%s: back link 0x%x, not 0x%x" %
                              (where, back, prev))
                prev, b = b, nxt
    for b in sorted(t.free - listed):
        t.problem(b, "free block in no free list")


def check_quarantine(heap, t):
    """The quarantine ring holds exactly the quarantined blocks."""
    v = heap.v
    head, n = as_int(v["q_head"]), as_int(v["q_count"])
    ring = set()
    for i in range(min(n, heap.lay.q_slots)):
        b = heap.lay.ptr(v["quarantine"][(head + i) % heap.lay.q_slots])
        ring.add(b)
        if b not in t.quarantined:
            t.problem(b, "in the quarantine but not a quarantined block")
    for b in sorted(t.quarantined - ring):
        t.problem(b, "quarantined but not in the quarantine")


def check_cache_list(heap, t, where, first, n, size, reached):
    """A list of n cached blocks of one size from first, linked through
    payload word 0; each a cached block the walk saw, on no other list."""
    lay = heap.lay
    got, prev = 0, None
    for a in listed_loop(first, lambda a: read_word(lay, a + lay.hdr), n + 1):
        if t.cached.get(a) != size:
            t.problem(prev, "%s: %s %s, not a cached block of %d bytes "
                      "(written after free?)" % (
                          where, "links to" if prev else "starts at",
                          lay.addr(a), size))
            return
        if a in reached:
            t.problem(a, "%s: on two cache lists (a loop?)" % where)
            return
        reached.add(a)
        got += 1
        prev = a
    if got != n:
        t.problem(None, "%s: the list holds %d block(s), its count says %d"
                  % (where, got, n))


def check_caches(heap, t):
    """Every cache's bins and the depot's batches against the walk: each
    cached block is on exactly one list, save the ones the heap counts as
    lost (behind a damaged link); counts and stats agree."""
    lay, v = heap.lay, heap.v
    caches = Caches(heap)
    reached = set()
    for c in caches.caches:
        idx = as_int(c["index"])
        for k in range(caches.nclasses):
            b = c["bins"][k]
            size = caches.class_size(lay, k)
            spares = as_int(b["spares"])
            check_cache_list(heap, t, "cache %d head[%d]" % (idx, k),
                             lay.ptr(b["head"]), as_int(b["count"]), size,
                             reached)
            check_cache_list(heap, t, "cache %d spare[%d]" % (idx, k),
                             lay.ptr(b["spare"]), spares, size, reached)
            if spares not in (0, as_int(b["batch"])):
                t.problem(None, "cache %d spare[%d]: %d block(s), neither 0 "
                          "nor a batch (%d)" % (idx, k, spares,
                                                as_int(b["batch"])))
    depot = v["depot"]
    depot_held = 0
    for k in range(caches.nclasses if caches.depot else 0):
        d = depot[k]
        size, n = caches.class_size(lay, k), as_int(d["batch"])
        batches = list(listed_loop(
            lay.ptr(d["full"]), lambda a: read_word(lay, a + lay.hdr +
                                                    lay.word),
            as_int(d["batches"]) + 1))
        if len(batches) != as_int(d["batches"]):
            t.problem(None, "depot[%d]: %d batch(es) linked, %d counted" %
                      (k, len(batches), as_int(d["batches"])))
        for i, first in enumerate(batches):
            check_cache_list(heap, t, "depot[%d] batch %d" % (k, i), first, n,
                             size, reached)
        depot_held += len(batches) * n
    if depot_held != caches.depot_blocks:
        t.problem(None, "depot_blocks is %d, its batches hold %d" %
                  (caches.depot_blocks, depot_held))
    unlisted = len(set(t.cached) - reached)
    if unlisted != caches.lost_blocks:
        t.problem(None, "%d cached block(s) on no cache list, the heap "
                  "counts %d lost" % (unlisted, caches.lost_blocks))
    if t.internal != caches.internal_blocks:
        t.problem(None, "internal_blocks is %d, the walk saw %d" %
                  (caches.internal_blocks, t.internal))


def check_stats(heap, t):
    stats = heap.v["stats"]
    _, _, requested = Caches(heap).held(heap.lay)
    for name, counted in t.stats.items():
        kept = as_int(stats[name])
        # callers asked for bytes through the caches without the lock:
        # each cache keeps its own net count
        if name == "bytes_requested":
            kept += requested
        if kept != counted:
            t.problem(None, "stats.%s is %d, the blocks say %d" %
                      (name, kept, counted))


class HeapCheck(gdb.Command):
    """Verify a heap from the debugger: heap-check [EXPR]

Every header's check, prev links, sizes tiling each region up to its
sentinel, no two free blocks side by side, the free lists and bitmaps
against the blocks, the quarantine, every per-CPU cache and the depot
against the cached blocks, and h->stats against what the walk counted. Prints "heap-check: OK (N blocks, M free)" or one line per
problem. EXPR is a struct heap * (default: the kernel's system heap)."""

    def __init__(self):
        super().__init__("heap-check", gdb.COMMAND_DATA)

    @reading("heap-check")
    def invoke(self, arg, from_tty):
        heap = Heap(arg, "heap-check")
        t = Tally(heap.lay)
        held = heap.lock_holder()
        if held:
            print("heap-check: note: cpu %d holds the heap's lock; stopped "
                  "inside a heap operation, the heap may be half-updated"
                  % (held - 1))
        for r in heap.regions():
            check_region(heap, r, t)
        check_lists(heap, t)
        # after a walk cut short, the counts would only repeat that some
        # blocks were not reached
        if not t.cut_short:
            check_quarantine(heap, t)
            check_caches(heap, t)
            check_stats(heap, t)
        if not t.problems:
            print("heap-check: OK (%d blocks, %d free)" %
                  (t.blocks, len(t.free)))
            return
        for p in t.problems:
            print("heap-check: " + p)
        if t.cut_short:
            print("heap-check: note: a walk stopped early, so the quarantine, "
                  "the caches and the statistics were not checked")
        print("heap-check: %d problem(s) in %s (%d blocks walked)" %
              (len(t.problems), heap.lay.addr(heap.addr), t.blocks))
