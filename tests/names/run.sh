#!/usr/bin/env bash
# The names mm/ exports (scripts/check-mm-names.sh): mm/'s host64 and
# kernel objects must pass, and objects with a stray global must not - an
# mm/ file compiled again with one extra function, once with a name of no
# prefix and once with an internal heap_ name, so that a check that passes
# everything fails here. One line per case:
#   ok - mm-names/<case> ...
#   FAIL - mm-names/<case> ...
#   B=build tests/names/run.sh   (objects built by make host64-tests, kernel)
set -u
B=${B:-build}
CC=${CC:-gcc}
KERNEL_NM=${KERNEL_NM:-i686-linux-gnu-nm}
root=$(cd "$(dirname "$0")/../.." && pwd)
check=$root/scripts/check-mm-names.sh
log_dir=$B/test-logs
mkdir -p "$log_dir"
status=0

result() { # ok? case detail [log]
	if [ "$1" = 0 ]; then
		echo "ok - mm-names/$2 ($3)"
	else
		echo "FAIL - mm-names/$2 ($3)"
		# indented, so that run-all.sh counts only the line above
		[ -n "${4-}" ] && sed 's/^/    /' "$4" | head -n 20
		status=1
	fi
}

# One object per mm/*.c, as the Makefile builds them: a stale object of
# a source since removed is not mm/'s.
host_objs=()
kernel_objs=()
for src in "$root"/mm/*.c; do
	name=$(basename "$src" .c)
	host_objs+=("$B/host64/mm/$name.o")
	kernel_objs+=("$B/kernel/mm/$name.c.o")
done

# passes CASE NM OBJECT...: the check accepts these objects.
passes() {
	local case=$1 nm=$2 log=$log_dir/names-$1.log rc
	shift 2
	NM=$nm "$check" "$@" >"$log" 2>&1
	rc=$?
	result $rc "$case" "$(tail -n 1 "$log" |
		sed -e 's/^mm-names: //' -e 's/^ok (\(.*\))$/\1/')" "$log"
}

passes host64 nm "${host_objs[@]}"
passes kernel "$KERNEL_NM" "${kernel_objs[@]}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# rejects CASE SYMBOL: mm/memory.c with a global SYMBOL added, beside the
# other host64 objects, is refused, naming SYMBOL and nothing else.
rejects() {
	local case=$1 sym=$2 log=$log_dir/names-$1.log obj=$tmp/$1.o rc
	local others=()

	cp "$root/mm/memory.c" "$tmp/$case.c"
	printf '\nint %s(void);\nint %s(void)\n{\n\treturn 0;\n}\n' \
		"$sym" "$sym" >>"$tmp/$case.c"
	if ! "$CC" -std=c11 -Wall -Wextra -Werror -O2 -I"$root" -I"$root/mm" \
		-c "$tmp/$case.c" -o "$obj" >"$log" 2>&1; then
		result 1 "$case" "mm/memory.c with $sym() does not compile" "$log"
		return
	fi
	for o in "${host_objs[@]}"; do
		[ "$(basename "$o")" = memory.o ] || others+=("$o")
	done
	"$check" "${others[@]}" "$obj" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q ": $sym " "$log" &&
		grep -q '^mm-names: 1 of [0-9]* global symbols misnamed$' "$log"; then
		result 0 "$case" "$sym refused"
	else
		result 1 "$case" "$sym not refused as the one offender; exit $rc" "$log"
	fi
}

rejects rejects-unprefixed not_namespaced
rejects rejects-private-heap-name heap_not_public
exit $status
