#!/usr/bin/env bash
# Install the Debian/Ubuntu packages a build needs, and only the missing ones.
#
#   scripts/install-deps.sh [group...]     groups: the first column of the
#                                          manifest below (default: host i386 kernel)
#
# Idempotent: a package already installed is not touched, and nothing runs when
# nothing is missing. Uses sudo only when not root, and only when it needs no
# password or can ask for one on a terminal; otherwise it prints the command
# for someone who can. The package mirror sometimes fails one index file
# during 'apt-get update'; that is retried and then tolerated, because what
# matters is whether the packages install.
#
# `make -j` runs several of these at once (one per tools-* prerequisite):
# they take turns through a lock file, and each checks again, once it has
# the lock, what the one before it left to install. apt itself is told to
# wait for dpkg's lock too, in case something else holds it.
#
# For tests: INSTALL_DEPS_MANIFEST=FILE reads the list from FILE,
# INSTALL_DEPS_LOCK=FILE locks FILE, INSTALL_DEPS_RETRY_DELAY=S waits S*try
# seconds between tries (default 5).
set -u

LOCK=${INSTALL_DEPS_LOCK:-/tmp/alloc-install-deps.lock}
RETRY_DELAY=${INSTALL_DEPS_RETRY_DELAY:-5}
APT_OPTS=(-q -o DPkg::Lock::Timeout=300)

# Each line: group  package  probe (a command name, or a path that must exist)
manifest() {
	if [ -n "${INSTALL_DEPS_MANIFEST-}" ]; then
		cat "$INSTALL_DEPS_MANIFEST"
		return
	fi
	cat <<'LIST'
host    make                     make
host    gcc                      gcc
host    clang                    clang
host    libc6-dev                /usr/include/stdio.h
host    libcmocka-dev            /usr/lib/x86_64-linux-gnu/libcmocka.so
host    valgrind                 /usr/include/valgrind/memcheck.h
i386    gcc-i686-linux-gnu       i686-linux-gnu-gcc
i386    libc6-dev-i386-cross     /usr/i686-linux-gnu/include/stdio.h
i386    libcmocka-dev:i386       /usr/lib/i386-linux-gnu/libcmocka.so
i386    libasan8-i386-cross      /usr/i686-linux-gnu/lib/libasan.so.8
i386    libubsan1-i386-cross     /usr/i686-linux-gnu/lib/libubsan.so.1
i386    libstdc++6-i386-cross    /usr/i686-linux-gnu/lib/libstdc++.so.6
i386    qemu-user                qemu-i386
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
real    python3                  /usr/bin/python3
real    libpython3.11-testsuite  /usr/lib/python3.11/test/test_dict.py
real    perl                     perl
real    git                      git
real    xz-utils                 xz
real    gzip                     gzip
real    tar                      tar
real    gawk                     awk
real    time                     /usr/bin/time
lint    cppcheck                 cppcheck
lint    clang-tidy               clang-tidy
lint    clang-format             clang-format
viz     libpng-dev               /usr/include/png.h
viz     gnuplot-nox              gnuplot
viz     netpbm                   pnmtopng
debug   gdb                      gdb
debug   qemu-system-x86          qemu-system-i386
gui     qemu-system-x86          qemu-system-i386
gui     qemu-system-gui          @qemu-gtk
LIST
}

present() {
	case "$1" in
	@libfuzzer) # clang's runtime library directory differs per version
		command -v clang >/dev/null 2>&1 &&
			[ -e "$(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ] ;;
	@qemu-gtk) # QEMU's GUI is a module that its own package adds
		qemu-system-i386 -display help 2>/dev/null | grep -qx gtk ;;
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(host i386 kernel)
known=$(manifest | awk '!seen[$1]++ { print $1 }' | tr '\n' ' ')
for g in "${groups[@]}"; do
	case " $known" in *" $g "*) ;;
	*)
		echo "install-deps: unknown group '$g' (known: ${known% })" >&2
		exit 2
		;;
	esac
done

# find_missing: sets missing to the packages of the groups whose probe fails.
find_missing() {
	local g group pkg probe
	missing=()
	for g in "${groups[@]}"; do
		while read -r group pkg probe; do
			[ "$group" = "$g" ] || continue
			present "$probe" && continue
			case " ${missing[*]-} " in *" $pkg "*) continue ;; esac
			missing+=("$pkg")
		done < <(manifest)
	done
}

find_missing
[ ${#missing[@]} -eq 0 ] && exit 0

# One install at a time. A lock file made by another user is read-only to
# us; flock works on a descriptor opened for reading as well.
if command -v flock >/dev/null 2>&1 &&
	{ { exec 9>>"$LOCK"; } 2>/dev/null || { exec 9<"$LOCK"; } 2>/dev/null; }; then
	if ! flock -n 9; then
		echo "install-deps: another install is running; waiting for it to finish"
		flock 9
	fi
	find_missing
	[ ${#missing[@]} -eq 0 ] && exit 0
fi

i386_arch_missing() {
	case " ${missing[*]} " in *:i386*)
		! dpkg --print-foreign-architectures 2>/dev/null | grep -qx i386 ;;
	*) false ;;
	esac
}

# tell_how: for a user who cannot install, what to run (as root).
tell_how() {
	echo "install-deps: these Debian packages are missing: ${missing[*]}" >&2
	echo "install-deps: $1; as root (or with sudo), run:" >&2
	i386_arch_missing && echo "    dpkg --add-architecture i386" >&2
	echo "    apt-get update" >&2
	echo "    apt-get install -y --no-install-recommends ${missing[*]}" >&2
	echo "install-deps: then run make again" >&2
}

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: no apt-get here; install the equivalents by hand (see README.md)" >&2
	exit 1
fi

# sudo -n never prompts: it works (no password needed, or a recent one
# cached) or fails at once. A password prompt only where someone can answer.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		tell_how "installing them needs root, and there is no sudo"
		exit 1
	elif sudo -n true 2>/dev/null; then
		SUDO=(sudo -n)
	elif [ -t 0 ]; then
		echo "install-deps: sudo will ask for your password, to install: ${missing[*]}"
		SUDO=(sudo)
	else
		tell_how "installing them needs root, and sudo wants a password (no terminal to ask on)"
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive

echo "install-deps: installing ${missing[*]}"

# i386 libraries come from Debian's multiarch archive.
if i386_arch_missing; then
	echo "install-deps: enabling the i386 architecture (dpkg --add-architecture i386)"
	"${SUDO[@]}" dpkg --add-architecture i386
	need_update=1
fi

update() {
	local try
	for try in 1 2 3; do
		if "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update; then return 0; fi
		echo "install-deps: apt-get update failed (try $try of 3); retrying" >&2
		sleep $((try * RETRY_DELAY))
	done
	echo "install-deps: apt-get update kept failing; trying to install anyway" >&2
	return 0
}

install() {
	"${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}"
}

# A stale package list is the usual reason an install fails on a new machine,
# so update first when we have never updated or just added an architecture.
if [ -n "${need_update-}" ] || ! compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null; then
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
