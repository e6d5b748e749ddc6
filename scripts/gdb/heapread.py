"""heapread.py - reading mm/'s heap out of a stopped target, for heap.py.

Fields are read by name through gdb.Value, so a struct in mm/ that gains,
loses or moves a field still reads right, and a renamed one fails loudly.
Only what exists solely as a macro is copied here (flag bits, the hash
constants); sizes and array bounds come from the debug information.
Nothing here writes to the target or calls into it: a heap broken enough
to need a debugger must not be trusted to run code.
"""

import gdb

# mm/block.h: flag bits in the low bits of struct block's size field.
BLOCK_FREE = 1
BLOCK_SENTINEL = 2
BLOCK_QUARANTINED = 4
# mm/block.h: meta holds 13 bits of data under a keyed check; for a
# caller's block, slack (8 bits) below log2(alignment) (5 bits); the
# alignment's top value marks a block a cache holds, or the heap's own.
META_BITS = 13
META_DATA_MASK = (1 << META_BITS) - 1
META_SLACK_MASK = 0xFF
META_ALIGN_SHIFT = 8
META_ALIGN_MASK = 0x1F
META_HOLDER = META_ALIGN_MASK << META_ALIGN_SHIFT
META_CACHED = META_HOLDER | 1
META_INTERNAL = META_HOLDER | 2
# mm/heap.h and mm/internal.h.
HEAP_ALIGN = 16
ALIGN_LOG2 = 4
HEAP_MAGIC = 0x68656170
HEAP_CHECKING = 1
HEAP_QUARANTINE = 2
HEAP_REDZONE = 8
# mm/block.h's HASH_K1, HASH_K2, HASH_K3 and HASH_HALF, by word size.
HASH_CONSTANTS = {4: (0x9E3779B1, 0x85EBCA6B, 0xC2B2AE35, 16),
                  8: (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9,
                      0x94D049BB133111EB, 32)}


class Layout:
    """What the debug information says about mm/'s structures."""

    def __init__(self):
        try:
            self.block_t = gdb.lookup_type("struct block")
            self.links_t = gdb.lookup_type("struct free_links")
            self.heap_t = gdb.lookup_type("struct heap")
        except gdb.error as e:
            raise gdb.GdbError(
                "no debug information for mm/ (%s): load the kernel's "
                "symbols first, e.g. `file build/kernel.elf`" % e)
        self.word = self.block_t["check"].type.sizeof
        if self.word not in HASH_CONSTANTS:
            raise gdb.GdbError("unexpected word size %d" % self.word)
        self.mask = (1 << (8 * self.word)) - 1
        self.hdr = self.block_t.sizeof
        self.min_block = self.hdr + HEAP_ALIGN
        # lists is struct block *[FL_COUNT][SL_COUNT]
        lists = self.heap_t["lists"].type.strip_typedefs()
        self.fl_count = lists.range()[1] + 1
        self.sl_count = lists.target().strip_typedefs().range()[1] + 1
        self.sl_log2 = self.sl_count.bit_length() - 1
        self.fl_shift = self.sl_log2 + ALIGN_LOG2
        self.q_slots = self.heap_t["quarantine"].type.range()[1] + 1

    def addr(self, a):
        return "0x%0*x" % (2 * self.word, a)

    def ptr(self, v):
        """A pointer or word field as the target's unsigned word."""
        return as_int(v) & self.mask

    def key(self, secret, addr):
        """block_key() of mm/block.h."""
        k1 = HASH_CONSTANTS[self.word][0]
        return ((secret ^ addr) * k1) & self.mask

    def hash(self, secret, addr, size):
        """block_hash() of mm/block.h: the check of size and flags."""
        _, k2, _, half = HASH_CONSTANTS[self.word]
        m = self.mask
        h = self.key(secret, addr) ^ size
        h ^= h >> half
        h = (h * k2) & m
        return h ^ (h >> (half - 3))

    def meta(self, secret, addr, data):
        """meta_make() of mm/block.h: data under its keyed check."""
        _, k2, k3, _ = HASH_CONSTANTS[self.word]
        m = self.mask
        x = (self.key(secret, addr) ^ ((data * k3) & m)) * k2 & m
        return (x & ~META_DATA_MASK & m) | data

    def size_class(self, size):
        """mm_fl_class() of mm/freelist.c: the list a free block belongs in."""
        if size < (1 << self.fl_shift):
            return 0, size >> ALIGN_LOG2
        f = size.bit_length() - 1
        sl = (size >> (f - self.sl_log2)) ^ self.sl_count
        return f - self.fl_shift + 1, sl


def as_int(v):
    """A gdb.Value as a Python int; a pointer as its address."""
    if v.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        return int(v.cast(gdb.lookup_type("unsigned long long")))
    return int(v)


class Block:
    """One header, read in one go, and what it says."""

    def __init__(self, lay, secret, addr):
        v = gdb.Value(addr).cast(lay.block_t.pointer()).dereference()
        v.fetch_lazy()  # one memory read for the header, not four
        self.lay = lay
        self.addr = addr
        self.check = lay.ptr(v["check"])
        self.raw = lay.ptr(v["size"])
        self.prev = lay.ptr(v["prev"])
        self.meta = lay.ptr(v["meta"])
        self.expected = lay.hash(secret, addr, self.raw)
        self.data = self.meta & META_DATA_MASK
        self.meta_ok = self.meta == lay.meta(secret, addr, self.data)

    # a block the heap gave out also needs its meta word to verify
    intact = property(lambda s: s.check == s.expected and
                      (s.free or s.sentinel or s.meta_ok))
    size = property(lambda s: s.raw & ~(HEAP_ALIGN - 1))
    free = property(lambda s: bool(s.raw & BLOCK_FREE))
    sentinel = property(lambda s: bool(s.raw & BLOCK_SENTINEL))
    # free and on a free list: the only kind a neighbour merges with
    listed = property(lambda s: s.raw & (BLOCK_FREE | BLOCK_QUARANTINED)
                      == BLOCK_FREE)
    payload = property(lambda s: s.addr + s.lay.hdr)
    payload_size = property(lambda s: s.size - s.lay.hdr)
    callers = property(lambda s: s.data & META_HOLDER != META_HOLDER)
    slack = property(lambda s: s.data & META_SLACK_MASK if s.callers else
                     s.payload_size)
    align = property(lambda s: 1 << ((s.data >> META_ALIGN_SHIFT) &
                                     META_ALIGN_MASK))

    @property
    def state(self):
        if self.sentinel:
            return "sentinel"
        if self.free:
            return "free" if self.listed else "quarantined"
        if self.data == META_CACHED:
            return "cached"
        if self.data == META_INTERNAL:
            return "internal"
        return "used"

    def links(self):
        """(next, prev) of a free block's list links, in its payload."""
        t = self.lay.links_t.pointer()
        v = gdb.Value(self.payload).cast(t).dereference()
        return self.lay.ptr(v["next"]), self.lay.ptr(v["prev"])


class Heap:
    """A struct heap in the target, found from the command's argument."""

    def __init__(self, arg, command):
        self.lay = Layout()
        ptr = self._pointer(arg.strip(), command)
        self.addr = as_int(ptr)
        if self.addr == 0:
            raise gdb.GdbError(
                "%s: the heap pointer is NULL: memory_init has not run yet "
                "(stop later, e.g. `break selftest_run`)" % command)
        self.v = ptr.dereference()
        magic = as_int(self.v["magic"])
        if magic != HEAP_MAGIC:
            raise gdb.GdbError(
                "%s: %s is not a heap (magic 0x%x, not 0x%x)" %
                (command, self.lay.addr(self.addr), magic, HEAP_MAGIC))
        self.secret = self.lay.ptr(self.v["secret"])

    def _pointer(self, arg, command):
        heap_ptr = self.lay.heap_t.pointer()
        if not arg:
            sym = gdb.lookup_static_symbol("system_heap")
            if sym is None:
                raise gdb.GdbError(
                    "%s: no symbol system_heap (mm/memory.c): load the "
                    "kernel's symbols, or name a heap: %s EXPR" %
                    (command, command))
            return sym.value().cast(heap_ptr)
        try:
            v = gdb.parse_and_eval(arg)
        except gdb.error as e:
            raise gdb.GdbError("%s: %s" % (command, e))
        code = v.type.strip_typedefs().code
        if code == gdb.TYPE_CODE_STRUCT:
            return v.address.cast(heap_ptr)
        return v.cast(heap_ptr)

    def mode(self):
        flags = as_int(self.v["flags"])
        if flags & HEAP_QUARANTINE:
            return "checking + quarantine"
        return "checking" if flags & HEAP_CHECKING else "fast"

    def lock_holder(self):
        return as_int(self.v["lock"]["holder"])

    def regions(self):
        """Each struct region, following next; a loop ends the list
        instead of hanging the debugger."""
        seen = set()
        r = self.v["regions"]
        while as_int(r) and as_int(r) not in seen:
            seen.add(as_int(r))
            yield r.dereference()
            r = r.dereference()["next"]

    def describe(self):
        held = self.lock_holder()
        return "heap %s: %s mode, %d region(s), secret %s, lock %s" % (
            self.lay.addr(self.addr), self.mode(),
            as_int(self.v["stats"]["regions"]), self.lay.addr(self.secret),
            "held by cpu %d" % (held - 1) if held else "not held")


def read_word(lay, addr):
    """The target's word at addr (a link a cached block keeps)."""
    t = gdb.lookup_type("uintptr_t").pointer()
    return lay.ptr(gdb.Value(addr).cast(t).dereference())


def listed_loop(first, follow, limit):
    """Addresses from first on through follow(addr), at most limit of
    them: a damaged or looping list cannot hang the debugger."""
    a, n = first, 0
    while a and n < limit:
        yield a
        n += 1
        a = follow(a)


class Caches:
    """A heap's per-CPU caches and the depot behind them (mm/cache.h), as
    heap_get_stats() and mm_cache_count() see them. Only what a halted
    target shows: the counts each owner keeps, read while it is stopped."""

    def __init__(self, heap):
        v, lay = heap.v, heap.lay
        self.on = as_int(v["cached"]) != 0
        self.depot_blocks = as_int(v["depot_blocks"])
        self.depot_bytes = as_int(v["depot_bytes"])
        self.internal_blocks = as_int(v["internal_blocks"])
        self.internal_bytes = as_int(v["internal_bytes"])
        self.lost_blocks = as_int(v["lost_blocks"])
        self.lost_bytes = as_int(v["lost_bytes"])
        self.depot = lay.ptr(v["depot"])
        bins = gdb.lookup_type("struct mm_cache")["bins"].type
        self.nclasses = bins.strip_typedefs().range()[1] + 1
        self.caches = []
        seen = set()
        c = v["caches"]
        # each cache is claimed once: ncaches bounds a looping list
        for _ in range(as_int(v["ncaches"])):
            a = as_int(c)
            if not a or a in seen:
                break
            seen.add(a)
            self.caches.append(c.dereference())
            c = c.dereference()["next"]

    def class_size(self, lay, k):
        """cache_class_size() of mm/cache.h: the block size of class k:
        every 16 bytes of payload up to 1 KiB, then 8 classes to each
        power of two."""
        fine = 1024 // HEAP_ALIGN
        if k < fine:
            return lay.hdr + (k + 1) * HEAP_ALIGN
        j = k - fine
        f = 10 + (j >> 3)
        return lay.hdr + (1 << f) + (((j & 7) + 1) << (f - 3))

    def held(self, lay):
        """(blocks, payload bytes, net bytes requested) in every cache
        and the depot: what mm_cache_count() adds up."""
        blocks, nbytes, requested = self.depot_blocks, self.depot_bytes, 0
        for c in self.caches:
            for k in range(self.nclasses):
                b = c["bins"][k]
                n = as_int(b["count"]) + as_int(b["spares"])
                blocks += n
                nbytes += n * (self.class_size(lay, k) - lay.hdr)
            requested += int(c["requested"])
        return blocks, nbytes, requested


def walk_region(heap, r):
    """Yield (block, problem) along a region, the sentinel last. problem
    is None, or why the walk cannot go on past that block."""
    lay = heap.lay
    first, sentinel = lay.ptr(r["first"]), lay.ptr(r["sentinel"])
    addr = first
    while True:
        try:
            b = Block(lay, heap.secret, addr)
        except gdb.MemoryError:
            yield None, "cannot read a header at %s" % lay.addr(addr)
            return
        if addr == sentinel:
            yield b, None
            return
        if b.sentinel or b.size < lay.min_block or addr + b.size > sentinel:
            yield b, ("size 0x%x does not tile the region (sentinel at %s)"
                      % (b.raw, lay.addr(sentinel)))
            return
        if not b.intact and not names_as_prev(heap, addr + b.size, addr):
            # the damage may be in size itself: reading on from there
            # would report garbage as blocks
            yield b, ("header corrupted, and no intact header at %s (its "
                      "size on) names it as prev: the walk stops here"
                      % lay.addr(addr + b.size))
            return
        yield b, None
        addr += b.size


def names_as_prev(heap, at, addr):
    """Whether an intact header at `at` says `addr` is the block before."""
    try:
        b = Block(heap.lay, heap.secret, at)
    except gdb.MemoryError:
        return False
    return b.intact and b.prev == addr


def region_bounds(heap, r):
    """[base, end): what the caller gave, up to past the sentinel."""
    lay = heap.lay
    return lay.ptr(r["base"]), lay.ptr(r["sentinel"]) + lay.hdr


def reading(command):
    """For a command's invoke: memory that cannot be read (a wild pointer
    in the heap's own structures) ends it with one line naming it."""
    def wrap(invoke):
        def run(self, arg, from_tty):
            try:
                return invoke(self, arg, from_tty)
            except gdb.MemoryError as e:
                raise gdb.GdbError("%s: %s (a wild pointer in the heap?)"
                                   % (command, e))
        return run
    return wrap
