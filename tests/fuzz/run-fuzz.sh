#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# run-fuzz.sh FUZZER CORPUS SECONDS WORKDIR
# Runs the engine fuzzer on a copy of the seed corpus and prints one TAP
# line. Fails if libFuzzer reports anything.
set -u
fuzzer=$1 corpus=$2 secs=$3 work=$4
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts" || exit 1
cp "$corpus"/* "$work/corpus/" 2>/dev/null
echo "1..1"
"$fuzzer" -max_total_time="$secs" -max_len=8192 -timeout=20 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
	"$work/corpus" >"$work/log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$work/artifacts")" ]; then
	echo "ok 1 - fuzz smoke ${execs:-0} execs in ${secs}s"
	exit 0
fi
echo "not ok 1 - fuzz found a problem (exit $rc), see $work/log"
tail -n 40 "$work/log" | sed 's/^/# /'
exit 1
