#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/vm-run's COMMAND... reaches the guest's sh as it was given:
# guest_command (scripts/lib/common.sh) writes the script the guest runs,
# and that script runs here under busybox sh (the guest's shell) and sh.
# The same through a real guest: tests/host/scripts/vm-run-argv-test.sh.
# TAP.
#
#   guest-command-test.sh [WORKDIR]
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/scripts/lib/common.sh"
work=${1:-$(mktemp -d)}
mkdir -p "$work"
n=0 fail=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}

shells="sh"
if command -v busybox >/dev/null; then
	shells="busybox-sh sh"
fi
# run SHELL ARG...: run guest_command ARG... as the guest does, print
# its output; its status is the command's.
run() {
	local sh=$1
	shift
	guest_command "$@" >"$work/cmd"
	case "$sh" in
	busybox-sh) busybox sh "$work/cmd" ;;
	*) sh "$work/cmd" ;;
	esac
}

odd=("it's" 'two  spaces' '"double"' '$HOME and $(false) and `false`' '*' ''
     'back\slash' "new
line" '--' '-c' 'a;b|c&d' "tab	here" '\'\''')
for sh in $shells; do
	run "$sh" sh -c 'exit 3'
	rc=$?
	check $([ $rc = 3 ]; echo $?) "$sh: sh -c 'exit 3' exits 3 (exit $rc)"
	run "$sh" sh -c 'echo "$0|$1|$2"' zero 'one two' three >"$work/out"
	check $([ "$(cat "$work/out")" = "zero|one two|three" ]; echo $?) \
		"$sh: sh -c SCRIPT ARG...: \$0 and the arguments as given ($(cat "$work/out"))"
	run "$sh" printf '<%s>\n' "${odd[@]}" >"$work/out"
	printf '<%s>\n' "${odd[@]}" >"$work/want"
	cmp -s "$work/out" "$work/want"
	check $? "$sh: quotes, spaces, \$, backquotes, globs, empty, newline and tab arguments arrive unchanged"
	run "$sh" 'a=2; echo one; exit $((a + 2))' >"$work/out"
	rc=$?
	check $([ $rc = 4 ] && [ "$(cat "$work/out")" = one ]; echo $?) \
		"$sh: one argument is a shell command line ('a=2; echo one; exit \$((a + 2))': exit $rc)"
	run "$sh" "exit 5"
	rc=$?
	check $([ $rc = 5 ]; echo $?) "$sh: one argument 'exit 5' exits 5 (exit $rc)"
	run "$sh" true
	rc=$?
	check $([ $rc = 0 ]; echo $?) "$sh: a one-word command runs (exit $rc)"
done
echo "1..$n"
[ $fail = 0 ]
