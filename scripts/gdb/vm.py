"""vm.py - GDB command that walks the kernel's page tables (kernel/vm/).

    page-walk ADDR   translate a virtual address as the CPU would: CR3 ->
                     the directory entry -> the table entry -> the frame,
                     each entry decoded; notes the kernel keeps in
                     entries that are not present (guard pages, pages
                     being unmapped) are named

The entries are read from physical memory (QEMU's monitor `xp`), as the
CPU's page walker reads them, so the walk does not depend on the kernel's
own mappings (or their mistakes). i386 without PAE: two levels of 1024
four-byte entries. docs/vm.md draws the walk.
"""

import re

import gdb

PRESENT, WRITE, USER, PWT, PCD, ACCESSED, DIRTY, LARGE = (
    0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80)
# the kernel's notes in entries that are not present (kernel/vm/paging.h)
NOTE_GUARD, NOTE_PENDING, NOTE_GUARD_BELOW = 0x200, 0x400, 0x800
CR0_PG = 0x80000000


def read_phys(addr):
    """The 32-bit word at physical address addr."""
    out = gdb.execute("monitor xp /1wx 0x%x" % addr, to_string=True)
    m = re.search(r":\s*0x([0-9a-fA-F]+)", out)
    if not m:
        raise gdb.GdbError("page-walk: cannot read physical 0x%08x "
                           "(is this QEMU? monitor said: %s)"
                           % (addr, out.strip()))
    return int(m.group(1), 16)


def flags(e):
    names = ["present" if e & PRESENT else "not present",
             "writable" if e & WRITE else "read-only",
             "user" if e & USER else "kernel"]
    for bit, name in ((PCD, "uncached"), (ACCESSED, "accessed"),
                      (DIRTY, "dirty")):
        if e & bit:
            names.append(name)
    return " ".join(names)


def note(e):
    """What a non-present entry says, in the kernel's words."""
    if e == 0:
        return "empty: nothing mapped"
    pages = e >> 12
    if e & NOTE_GUARD_BELOW:
        return "guard page below a range of %d page(s)" % pages
    if e & NOTE_GUARD:
        return "guard page after a range of %d page(s)" % pages
    if e & NOTE_PENDING:
        return "being unmapped (frame 0x%08x, freed after the shootdown)" \
            % (e & 0xFFFFF000)
    return "not present (0x%08x)" % e


class PageWalk(gdb.Command):
    """Translate a virtual address through the page tables: page-walk ADDR"""

    def __init__(self):
        super().__init__("page-walk", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: page-walk ADDR")
        v = gdb.parse_and_eval(arg)
        # a function or an array names its address, as in C
        if v.type.strip_typedefs().code in (gdb.TYPE_CODE_FUNC,
                                            gdb.TYPE_CODE_ARRAY):
            v = v.address
        va = int(v.cast(gdb.lookup_type("unsigned long"))) & 0xFFFFFFFF
        cr0 = int(gdb.parse_and_eval("$cr0")) & 0xFFFFFFFF
        cr3 = int(gdb.parse_and_eval("$cr3")) & 0xFFFFF000
        if not cr0 & CR0_PG:
            print("page-walk 0x%08x: paging is off (CR0 0x%08x): the "
                  "address is physical" % (va, cr0))
            return
        pdi, pti = va >> 22, (va >> 12) & 0x3FF
        print("page-walk 0x%08x: CR3 0x%08x, directory entry %d, table "
              "entry %d, offset 0x%03x" % (va, cr3, pdi, pti, va & 0xFFF))
        at = cr3 + 4 * pdi
        pde = read_phys(at)
        print("  directory entry at 0x%08x: 0x%08x  %s" % (at, pde,
                                                            flags(pde)))
        if not pde & PRESENT:
            print("  0x%08x is not mapped (no page table)" % va)
            return
        if pde & LARGE:
            pa = (pde & 0xFFC00000) | (va & 0x3FFFFF)
            print("  4 MiB page: 0x%08x -> physical 0x%08x" % (va, pa))
            return
        table = pde & 0xFFFFF000
        at = table + 4 * pti
        pte = read_phys(at)
        if not pte & PRESENT:
            print("  table entry at 0x%08x: 0x%08x  %s" % (at, pte, note(pte)))
            print("  0x%08x is not mapped" % va)
            return
        print("  table entry at 0x%08x: 0x%08x  %s" % (at, pte, flags(pte)))
        print("  0x%08x -> physical 0x%08x" % (va, (pte & 0xFFFFF000) |
                                                   (va & 0xFFF)))


PageWalk()
