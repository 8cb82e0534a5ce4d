# shellcheck shell=bash
# Shared helpers of the packaging tests: TAP output and throw-away
# overlays of the packaging chroot (tests/packaging/pkg-chroot-setup).
# Sourced, never executed.

. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"

BUILD=${BUILD:-$EDGENPU_TOP/build}
VERSION=$(cat "$EDGENPU_TOP/VERSION")
tap_n=0
tap_failed=0

# ok DESCRIPTION COMMAND...: one test, passed when COMMAND succeeds. Its
# output is shown (as TAP comments) only when it fails.
ok() {
	local desc=$1 out rc t0=$SECONDS
	shift
	tap_n=$((tap_n + 1))
	out=$("$@" 2>&1) && rc=0 || rc=$?
	# EDGENPU_TAP_TIMES=1: how long each test took, and the time between.
	[ "${EDGENPU_TAP_TIMES:-0}" = 0 ] ||
		echo "# [$((SECONDS - t0)) s, at $SECONDS s]"
	if [ $rc -eq 0 ]; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/# /'
		tap_failed=$((tap_failed + 1))
	fi
	return 0
}

# skip DESCRIPTION REASON
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

note() { printf '# %s\n' "$*"; }

tap_done() {
	echo "1..$tap_n"
	[ $tap_failed -eq 0 ]
}

# The packaging chroot, as a throw-away overlay: chroot_up NAME mounts
# a writable view of it at $CHROOT (changes go to a temporary upper
# directory, the cached chroot is never changed) and sets a trap that
# unmounts and removes it. chroot_run COMMAND... runs a shell command in it.
# chroot_up NAME RELEASE does the same with the chroot of a newer release
# (tests/packaging/distro-chroot-setup), whose kernel it reads into KREL,
# KDEBVER, VMLINUZ and MODULES.
CHROOT=
chroot_lower=
chroot_work=
chroot_up() {
	if [ -n "${2:-}" ]; then
		chroot_lower=$("$EDGENPU_TOP/tests/packaging/distro-chroot-setup" "$2" --print-root) ||
			die "cannot set up the $2 chroot"
	else
		chroot_lower=$("$EDGENPU_TOP/tests/packaging/pkg-chroot-setup" --print-root) ||
			die "cannot set up the packaging chroot"
	fi
	chroot_work=$(mktemp -d "${TMPDIR:-/tmp}/edgenpu-$1.XXXXXX")
	mkdir -p "$chroot_work"/{upper,work,root}
	mount -t overlay overlay \
		-o "lowerdir=$chroot_lower,upperdir=$chroot_work/upper,workdir=$chroot_work/work" \
		"$chroot_work/root" || die "cannot mount the chroot overlay"
	CHROOT=$chroot_work/root
	mount -t proc proc "$CHROOT/proc" || { umount "$CHROOT"; die "cannot mount /proc"; }
	# bash's process substitution (dkms uses it) needs /dev/fd.
	[ -e "$CHROOT/dev/fd" ] || ln -s /proc/self/fd "$CHROOT/dev/fd"
	trap chroot_down EXIT
	# shellcheck disable=SC1091
	if [ -n "${2:-}" ]; then
		. "$chroot_lower/.edgenpu-kernel"
	else
		. "$chroot_lower/.edgenpu-kernels"
	fi
}

chroot_down() {
	[ -n "$chroot_work" ] || return 0
	umount "$CHROOT/proc" 2>/dev/null || umount -l "$CHROOT/proc" 2>/dev/null || true
	umount "$CHROOT" 2>/dev/null || umount -l "$CHROOT" 2>/dev/null || true
	if ! awk -v d="$chroot_work" 'index($2, d) == 1 { f = 1 } END { exit !f }' /proc/self/mounts; then
		rm -rf "$chroot_work"
	fi
	chroot_work=
}

chroot_run() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root \
		DEBIAN_FRONTEND=noninteractive chroot "$CHROOT" /bin/sh -c "$*"
}

# Every file (not directory) below DIR, relative, sorted.
list_files() {
	(cd "$1" && find . ! -type d | sort)
}
