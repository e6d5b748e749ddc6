#!/usr/bin/env bash
# scripts/check-mm-names.sh - mm/ links into a kernel that has names of its
# own (a spin_lock, a list_insert): every global symbol mm/'s objects define
# must be heap_*, mm_* or the original API (memory_*, allocate_*,
# reallocate_memory, deallocate_memory). A name of the public kind - all
# but mm_* - must also be declared in mm/heap.h, mm/memory.h or mm/hooks.h:
# an internal helper called heap_something would look like API it is not.
# Symbols that are no C name (the compiler's own thunks) are not counted.
#
#   scripts/check-mm-names.sh [OBJECT...]   default: $B/host64/mm/*.o
#   NM=i686-linux-gnu-nm scripts/check-mm-names.sh build/kernel/mm/*.c.o
#
# Prints "mm-names: ok (N global symbols)", or one line per misnamed
# symbol and exits 1.
set -u
NM=${NM:-nm}
here=$(cd "$(dirname "$0")" && pwd)
MM_DIR=${MM_DIR:-$here/../mm}
PUBLIC_HEADERS="heap.h memory.h hooks.h"

if [ $# -eq 0 ]; then
	set -- "${B:-build}"/host64/mm/*.o
fi
for o in "$@"; do
	if [ ! -f "$o" ]; then
		echo "mm-names: no object $o (build mm/ first: make host64-tests)" >&2
		exit 1
	fi
done

# What the public headers declare, comments taken out (they name
# functions too): one line of text to search.
declared=
for hdr in $PUBLIC_HEADERS; do
	if [ ! -f "$MM_DIR/$hdr" ]; then
		echo "mm-names: no header $MM_DIR/$hdr" >&2
		exit 1
	fi
	declared="$declared $(sed 's#//.*##' "$MM_DIR/$hdr" | tr '\n' ' ' |
		sed -E 's#/\*([^*]|\*+[^*/])*\*+/# #g')"
done

# -P: "object: symbol type value size", one symbol a line; -A names the
# object even when there is only one.
if ! syms=$("$NM" -g --defined-only -A -P "$@"); then
	echo "mm-names: $NM failed on the $# objects given" >&2
	exit 1
fi

total=0
bad=0
while read -r obj sym _; do
	[ -n "$sym" ] || continue
	obj=${obj%:}
	case $sym in
	*[!A-Za-z0-9_]*)
		# not a C name: the compiler's own (i386 PIC's
		# __x86.get_pc_thunk.bx, ASan's __odr_asan.mm_hooks)
		continue
		;;
	esac
	total=$((total + 1))
	case $sym in
	mm_*)
		continue
		;;
	heap_* | memory_* | allocate_* | reallocate_memory | deallocate_memory)
		if printf '%s\n' "$declared" |
			grep -Eq "(^|[^A-Za-z0-9_])${sym}[[:space:]]*\("; then
			continue
		fi
		echo "mm-names: $obj: $sym has a public name but no public" \
			"declaration (mm/heap.h, mm/memory.h, mm/hooks.h): an" \
			"internal name is mm_*, or static"
		;;
	*)
		echo "mm-names: $obj: $sym is global but not heap_*, mm_* or" \
			"the original API: make it static, or name it mm_*"
		;;
	esac
	bad=$((bad + 1))
done <<<"$syms"

if [ "$total" -eq 0 ]; then
	echo "mm-names: no global symbols in the $# objects given (not mm/'s?)"
	exit 1
fi
if [ "$bad" -ne 0 ]; then
	echo "mm-names: $bad of $total global symbols misnamed"
	exit 1
fi
echo "mm-names: ok ($total global symbols)"
