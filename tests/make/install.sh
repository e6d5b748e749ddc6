# tests/make/install.sh - scripts/install-deps.sh against a stand-in apt:
# `make -j2 test` on a fresh machine ran several installs at once and
# apt-get failed on the dpkg lock; a mirror that fails one index file must
# not fail an install that works; a user without root or sudo must be told
# what to install, not shown a failing prompt.
#
# The stand-ins (apt-get, dpkg, id, sudo) come first on PATH; the package
# list is a test manifest (INSTALL_DEPS_MANIFEST) whose probes are files
# the stand-in apt-get creates.
# shellcheck shell=bash

INSTALL=scripts/install-deps.sh

# fake_apt DIR: stand-ins in DIR/bin. The fake apt-get holds a lock of its
# own while it works, as dpkg does, and fails like apt when it finds it
# held, noting the overlap in DIR/overlaps. DIR/update-fails makes every
# update fail as a flaky mirror does; DIR/install-fails-once fails the next
# install, DIR/install-fails every one. DIR/uid is what id -u says.
fake_apt() {
	local dir=$1
	rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/installed"
	echo 0 >"$dir/uid"
	cat >"$dir/bin/apt-get" <<SH
#!/bin/bash
echo "apt-get \$*" >>"$dir/apt.log"
if ! mkdir "$dir/dpkg-lock" 2>/dev/null; then
	echo "apt-get \$*" >>"$dir/overlaps"
	echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1 (apt-get)" >&2
	exit 100
fi
trap 'rmdir "$dir/dpkg-lock"' EXIT
sleep 0.5
case " \$* " in
*" update "*)
	if [ -e "$dir/update-fails" ]; then
		echo "W: Failed to fetch http://mirror.invalid/debian/dists/bookworm/main/binary-i386/Packages  Hash Sum mismatch" >&2
		echo "E: Some index files failed to download. They have been ignored, or old ones used instead." >&2
		exit 100
	fi
	exit 0 ;;
*" install "*)
	if [ -e "$dir/install-fails" ] || [ -e "$dir/install-fails-once" ]; then
		rm -f "$dir/install-fails-once"
		echo "E: Unable to locate package \${*: -1}" >&2
		exit 100
	fi
	for a in "\$@"; do
		case \$a in -* | install | *=*) continue ;; esac
		touch "$dir/installed/\$a"
		echo "\$a" >>"$dir/installs"
	done
	exit 0 ;;
esac
exit 1
SH
	cat >"$dir/bin/dpkg" <<SH
#!/bin/sh
[ "\$1" = --print-foreign-architectures ] && echo i386
exit 0
SH
	printf '#!/bin/sh\n[ "$1" = -u ] && exec cat "%s/uid"\nexec /usr/bin/id "$@"\n' "$dir" \
		>"$dir/bin/id"
	# sudo as it is for a user who has no password-less sudo
	printf '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n' >"$dir/bin/sudo"
	chmod +x "$dir"/bin/*
	cat >"$dir/manifest" <<LIST
a  pkg-a       $dir/installed/pkg-a
a  pkg-shared  $dir/installed/pkg-shared
b  pkg-b       $dir/installed/pkg-b
b  pkg-shared  $dir/installed/pkg-shared
LIST
}

# deps DIR GROUP...: the install script with DIR's stand-ins.
deps() {
	local dir=$1
	shift
	PATH=$dir/bin:$PATH INSTALL_DEPS_MANIFEST=$dir/manifest \
		INSTALL_DEPS_LOCK=$dir/install.lock INSTALL_DEPS_RETRY_DELAY=0 \
		"$INSTALL" "$@" </dev/null
}

case_installs_never_overlap() {
	local dir=$LOGS/apt-parallel ok=0 ra rb once
	fake_apt "$dir"
	deps "$dir" a >"$dir/a.log" 2>&1 &
	local pa=$!
	deps "$dir" b >"$dir/b.log" 2>&1 &
	local pb=$!
	wait $pa
	ra=$?
	wait $pb
	rb=$?
	once=$(sort "$dir/installs" 2>/dev/null | tr '\n' ' ')
	if [ $ra -eq 0 ] && [ $rb -eq 0 ] && [ ! -e "$dir/overlaps" ] &&
		[ "$once" = "pkg-a pkg-b pkg-shared " ] &&
		! grep -v 'DPkg::Lock::Timeout=' "$dir/apt.log" | grep -q .; then
		ok=1
	fi
	result "two installs at once take turns; each package installed once, apt waits for its lock" $ok \
		"exit $ra and $rb; installed: $once" \
		"overlapping apt-get calls: $(tr '\n' ';' 2>/dev/null <"$dir/overlaps")" \
		"apt-get calls:" "$(cat "$dir/apt.log" 2>/dev/null)" \
		"install a:" "$(tail_of "$dir/a.log" 6)" "install b:" "$(tail_of "$dir/b.log" 6)"
}

case_update_failure_tolerated() {
	local dir=$LOGS/apt-flaky log ok=0 rc
	fake_apt "$dir"
	log=$dir/out.log
	touch "$dir/update-fails" "$dir/install-fails-once"
	deps "$dir" a >"$log" 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ -e "$dir/installed/pkg-a" ] &&
		grep -q 'apt-get .*update' "$dir/apt.log" && ok=1
	result "a mirror failing an index file does not fail an install that works" $ok \
		"exit $rc" "$(tail_of "$log")"

	fake_apt "$dir"
	# every install fails: the script must give up, and say what it could not install
	touch "$dir/update-fails" "$dir/install-fails"
	ok=0
	deps "$dir" a >"$log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && grep -q 'could not install: .*pkg-a' "$log" && ok=1
	result "an install that keeps failing fails, naming the packages" $ok \
		"exit $rc" "$(tail_of "$log")"
}

case_no_root_gets_the_command() {
	local dir=$LOGS/apt-user log ok=0 rc
	fake_apt "$dir"
	log=$dir/out.log
	echo 1000 >"$dir/uid"
	deps "$dir" a b >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ ! -e "$dir/apt.log" ] &&
		grep -q 'pkg-a pkg-shared pkg-b' "$log" &&
		grep -qE '^ +(sudo )?apt-get install -y --no-install-recommends pkg-a pkg-shared pkg-b$' "$log" &&
		! grep -q 'password is required' "$log"; then
		ok=1
	fi
	result "without root or sudo: the packages and the apt-get command to run, no prompt" $ok \
		"exit $rc; apt-get run: $([ -e "$dir/apt.log" ] && echo yes || echo no)" "$(tail_of "$log")"
}

case_installs_never_overlap
case_update_failure_tolerated
case_no_root_gets_the_command
