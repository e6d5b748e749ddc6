#!/usr/bin/env bash
# Install the Debian/Ubuntu packages a build needs, and only the missing ones.
#
#   scripts/install-deps.sh [group...]     groups: host i386 kernel fuzz bench viz lint debug
#                                          (default: host i386 kernel)
#
# Idempotent: a package already installed is not touched, and nothing runs when
# nothing is missing. Uses sudo only when not root. The package mirror
# sometimes fails one index file during 'apt-get update'; that is retried and
# then tolerated, because what matters is whether the packages install.
set -u

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(host i386 kernel)

# Each line: group  package  probe (a command name, or a path that must exist)
manifest() {
	cat <<'LIST'
host    make                     make
host    gcc                      gcc
host    clang                    clang
host    libc6-dev                /usr/include/stdio.h
host    libcmocka-dev            /usr/include/cmocka.h
host    valgrind                 /usr/include/valgrind/memcheck.h
i386    gcc-i686-linux-gnu       i686-linux-gnu-gcc
i386    libc6-dev-i386-cross     /usr/i686-linux-gnu/include/stdio.h
i386    libcmocka-dev:i386       /usr/lib/i386-linux-gnu/libcmocka.so
i386    libasan8-i386-cross      /usr/i686-linux-gnu/lib/libasan.so.8
i386    libubsan1-i386-cross     /usr/i686-linux-gnu/lib/libubsan.so.1
i386    libstdc++6-i386-cross    /usr/i686-linux-gnu/lib/libstdc++.so.6
kernel  gcc-i686-linux-gnu       i686-linux-gnu-gcc
kernel  binutils-i686-linux-gnu  i686-linux-gnu-ld
kernel  grub-common              grub-mkrescue
kernel  grub-pc-bin              /usr/lib/grub/i386-pc/moddep.lst
kernel  xorriso                  xorriso
kernel  mtools                   mformat
kernel  qemu-system-x86          qemu-system-i386
fuzz    clang                    clang
fuzz    libclang-rt-dev          @libfuzzer
bench   gnuplot-nox              gnuplot
bench   valgrind                 valgrind
bench   libjemalloc2             /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
bench   libmimalloc2.0           /usr/lib/x86_64-linux-gnu/libmimalloc.so.2
bench   libtcmalloc-minimal4     /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
lint    cppcheck                 cppcheck
lint    clang-tidy               clang-tidy
lint    clang-format             clang-format
viz     libpng-dev               /usr/include/png.h
viz     gnuplot-nox              gnuplot
viz     netpbm                   pnmtopng
debug   gdb                      gdb
debug   qemu-system-x86          qemu-system-i386
LIST
}

present() {
	case "$1" in
	@libfuzzer) # clang's runtime library directory differs per version
		command -v clang >/dev/null 2>&1 &&
			[ -e "$(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ] ;;
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing=()
for g in "${groups[@]}"; do
	case "$g" in host | i386 | kernel | fuzz | bench | lint | viz | debug) ;;
	*)
		echo "install-deps: unknown group '$g' (known: host i386 kernel fuzz bench lint viz debug)" >&2
		exit 2
		;;
	esac
	while read -r group pkg probe; do
		[ "$group" = "$g" ] || continue
		present "$probe" && continue
		case " ${missing[*]-} " in *" $pkg "*) continue ;; esac
		missing+=("$pkg")
	done < <(manifest)
done

[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: no apt-get here; install the equivalents by hand (see README.md)" >&2
	exit 1
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
		exit 1
	fi
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive

echo "install-deps: installing ${missing[*]}"

# i386 libraries come from Debian's multiarch archive.
case " ${missing[*]} " in *:i386*)
	if ! dpkg --print-foreign-architectures | grep -qx i386; then
		echo "install-deps: enabling the i386 architecture (dpkg --add-architecture i386)"
		$SUDO dpkg --add-architecture i386
		need_update=1
	fi
	;;
esac

update() {
	local try
	for try in 1 2 3; do
		if $SUDO apt-get update -q; then return 0; fi
		echo "install-deps: apt-get update failed (try $try of 3); retrying" >&2
		sleep $((try * 5))
	done
	echo "install-deps: apt-get update kept failing; trying to install anyway" >&2
	return 0
}

install() {
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# A stale package list is the usual reason an install fails on a new machine,
# so update first when we have never updated or just added an architecture.
if [ -n "${need_update-}" ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
	update
fi
for try in 1 2 3; do
	if install; then
		echo "install-deps: done"
		exit 0
	fi
	echo "install-deps: apt-get install failed (try $try of 3); updating the package lists and retrying" >&2
	update
done
echo "install-deps: could not install: ${missing[*]}" >&2
exit 1
