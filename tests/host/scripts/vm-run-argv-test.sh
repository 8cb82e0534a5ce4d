#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/vm-run keeps COMMAND...'s arguments intact into the guest, and a
# single argument is still a shell command line. Boots Debian's 6.12
# kernel twice under TCG (about 20 s each on 2 cores, more when the
# module or the guest programs must be built first), so it is not part of
# `make check`; guest-command-test.sh tests the same quoting on the host
# in a second. TAP.
#
#   vm-run-argv-test.sh        (honours BUILD, as vm-run does)
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/edgenpu-argv.XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0 fail=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}

"$top/scripts/vm-run" --kernel distro -- \
	sh -c 'printf "[%s]" "$0" "$1"; echo; exit 3' 'it'\''s' 'two  spaces' \
	>"$work/argv.log" 2>&1
rc=$?
grep -q "^\[it's\]\[two  spaces\]$" "$work/argv.log"
check $([ $? = 0 ] && [ $rc = 3 ]; echo $?) \
	"vm-run -- sh -c 'exit 3' ARG...: the guest's exit status 3 and the arguments as given (exit $rc)"
[ $rc = 3 ] || sed 's/^/# /' "$work/argv.log" | tail -n 20

"$top/scripts/vm-run" --kernel distro -- 'a=4; echo one | tr o O; exit $a' \
	>"$work/line.log" 2>&1
rc=$?
grep -q '^One$' "$work/line.log"
check $([ $? = 0 ] && [ $rc = 4 ]; echo $?) \
	"vm-run -- 'a=4; echo one | tr o O; exit \$a': one argument is a shell command line (exit $rc)"
[ $rc = 4 ] || sed 's/^/# /' "$work/line.log" | tail -n 20
echo "1..$n"
[ $fail = 0 ]
