#!/bin/sh
# SPDX-License-Identifier: MIT
# accel-run's model commands: info, run --device cpu, exit codes, and the
# --help command list against the man page. TAP.
#
#   cli_test.sh ACCEL_RUN MAN_PAGE MODELS_DIR WORKDIR [FAKE_NPU_SO]
#
# FAKE_NPU_SO (tests/host/cli/fake_npu.c) is preloaded to give accel-run a
# pretend NPU that runs CONV_2D only, so that plans place ops on the CPU.
set -u
ar=$1 man=$2 models=$3 work=$4 fake=${5:-}
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
check() { if [ "$1" = 0 ]; then shift; ok "$@"; else shift; nok "$@"; fi; }
rm -rf "$work" && mkdir -p "$work" || exit 1
m=$models/chain_conv_dwconv_add_avgpool_fc_softmax/model.tflite
c=$models/concat_axis2_3in_samequant/model.tflite

"$ar" info "$m" >"$work/info.txt" 2>&1
rc=$?
grep -q "^inputs:" "$work/info.txt" && grep -q "^outputs:" "$work/info.txt" &&
	grep -q "'input' int8 \[1,16,16,3\] scale" "$work/info.txt" &&
	grep -q "CONV_2D .* NPU " "$work/info.txt" &&
	grep -q "scratch (shared)" "$work/info.txt" && [ "$rc" = 0 ]
check $? "info shows inputs, quantization, placement and the memory plan (exit $rc)"
grep -q "^cost: 27360 units per inference$" "$work/info.txt" &&
	grep -q "^jobs per inference: 1 (1 on the NPU, 0 on the CPU executor)$" "$work/info.txt" &&
	grep -q "^  0 NPU 8 ops, 27360 cost units, " "$work/info.txt"
check $? "info shows the cost and the jobs per inference (1)"

"$ar" run "$m" --device cpu --output-dir "$work" >"$work/run.txt" 2>&1
rc=$?
[ "$rc" = 0 ] && [ "$(head -c 6 "$work/output0.npy" | od -An -c | tr -d ' ')" = "223NUMPY" ] &&
	[ "$(wc -c <"$work/output0.npy")" = $((128 + 4)) ] &&
	grep -q "top-4 (dequantized)" "$work/run.txt" && grep -q "random bytes (seed 1)" "$work/run.txt"
check $? "run --device cpu writes output0.npy (128-byte header + 4 bytes) and prints top-k (exit $rc)"

cp "$work/output0.npy" "$work/first.npy"
"$ar" run "$m" --device cpu --seed 1 --output-dir "$work" >/dev/null 2>&1 &&
	cmp -s "$work/output0.npy" "$work/first.npy"
check $? "the same seed gives the same output"

"$ar" run "$m" --device cpu --input "input=$models/chain_conv_dwconv_add_avgpool_fc_softmax/input0.bin" \
	--output-dir "$work" >/dev/null 2>&1 &&
	[ "$(tail -c 4 "$work/output0.npy" | od -An -td1)" = "$(od -An -td1 "$models/chain_conv_dwconv_add_avgpool_fc_softmax/expected0.bin")" ]
check $? "run with a .bin input equals TFLite's expected output"

"$ar" run "$c" --device cpu --input input0=$models/concat_axis2_3in_samequant/input0.bin \
	--input 1=$models/concat_axis2_3in_samequant/input1.bin \
	--input input2=$models/concat_axis2_3in_samequant/input2.bin --output-dir "$work" >/dev/null 2>&1 &&
	[ "$(tail -c +129 "$work/output0.npy" | od -An -td1)" = "$(od -An -td1 "$models/concat_axis2_3in_samequant/expected0.bin")" ]
check $? "inputs by name and by index"

head -c 300 "$m" >"$work/trunc.tflite"
"$ar" info "$work/trunc.tflite" >"$work/trunc.txt" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "malformed model" "$work/trunc.txt"
check $? "info on a truncated model: exit $rc, '$(head -n 1 "$work/trunc.txt" | cut -c1-90)'"
"$ar" run "$work/trunc.tflite" --device cpu >/dev/null 2>&1
rc=$?
check $([ "$rc" = 2 ]; echo $?) "run on a truncated model: exit $rc"

"$ar" run "$m" --device cpu --bogus >/dev/null 2>&1
rc=$?
check $([ "$rc" = 2 ]; echo $?) "unknown flag: exit $rc"

head -c 10 /dev/zero >"$work/short.bin"
"$ar" run "$m" --device cpu --input "input=$work/short.bin" --output-dir "$work" >"$work/bad.txt" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "needs exactly 768" "$work/bad.txt"
check $? "--input of the wrong size: exit $rc"
"$ar" run "$m" --device cpu --input "nosuch=$work/short.bin" >/dev/null 2>&1
rc=$?
check $([ "$rc" = 2 ]; echo $?) "--input naming no input: exit $rc"
"$ar" run "$m" --device cpu --input "input" >/dev/null 2>&1
rc=$?
check $([ "$rc" = 2 ]; echo $?) "--input without =FILE: exit $rc"
printf 'P5\n16 16\n255\n' >"$work/img.pgm"
"$ar" run "$m" --device cpu --input "input=$work/img.pgm" >/dev/null 2>&1
rc=$?
check $([ "$rc" = 2 ]; echo $?) "PGM image that does not fit the input: exit $rc"

"$ar" run "$m" --device /dev/accel/accel99 >"$work/npu.txt" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "no edgenpu device there" "$work/npu.txt"
check $? "--device naming no NPU: exit $rc with a clear message"

# A sanitizer report in FILE (ASan, UBSan).
sanitized() { grep -qE 'Sanitizer|runtime error' "$1"; }

rm -rf "$work/full"
"$ar" run "$m" --device cpu --require-full-offload --output-dir "$work/full" \
	>"$work/full.txt" 2>"$work/full.err"
rc=$?
[ "$rc" = 1 ] && ! sanitized "$work/full.err" && [ ! -e "$work/full" ] &&
	grep -q "^accel-run: --require-full-offload: no NPU: all 8 op(s) would run on the CPU executor$" "$work/full.err"
check $? "run --device cpu --require-full-offload: exit $rc, '$(tail -n 1 "$work/full.err" | cut -c1-90)'"

if [ -n "$fake" ]; then
	# The library is sanitized: ASan need not come first when preloaded.
	fake_run() {
		LD_PRELOAD=$fake EDGENPU_FAKE_NODE=/fake/accel0 \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		"$ar" "$@"
	}
	fake_run info "$m" --device /fake/accel0 >"$work/fake-info.txt" 2>&1
	rc=$?
	[ "$rc" = 0 ] && grep -q "CONV_2D .* NPU " "$work/fake-info.txt" &&
		grep -q "SOFTMAX .* CPU " "$work/fake-info.txt"
	check $? "a pretend NPU running CONV_2D only: info places the other ops on the CPU (exit $rc)"
	fake_run run "$m" --device /fake/accel0 --require-full-offload \
		--output-dir "$work/full" >"$work/fake-full.txt" 2>"$work/fake-full.err"
	rc=$?
	[ "$rc" = 1 ] && ! sanitized "$work/fake-full.err" && [ ! -e "$work/full" ] &&
		grep -q "op 7 (SOFTMAX) on the CPU" "$work/fake-full.err" &&
		grep -q "^accel-run: --require-full-offload: 6 op(s) would run on the CPU$" "$work/fake-full.err"
	check $? "run --require-full-offload on an NPU with CPU-placed ops: exit $rc, the ops and '$(tail -n 1 "$work/fake-full.err" | cut -c1-70)', nothing else"
	fake_run run "$m" --device /fake/accel0 --output-dir "$work/full" \
		>"$work/fake-run.txt" 2>"$work/fake-run.err"
	rc=$?
	[ "$rc" = 1 ] && ! sanitized "$work/fake-run.err" &&
		grep -q "^accel-run: cannot allocate" "$work/fake-run.err"
	check $? "run on an NPU that cannot allocate: exit $rc, '$(tail -n 1 "$work/fake-run.err" | cut -c1-80)'"
	# Work limits: the chain's ops cost 13824 (op 0), 8704 (ops 1-2), ...
	(export EDGENPU_FAKE_OP_MASK=0x3fffe EDGENPU_FAKE_MAX_JOB_COST=10000
	 fake_run info "$m" --device /fake/accel0) >"$work/fake-jobs.txt" 2>&1
	rc=$?
	[ "$rc" = 0 ] && ! sanitized "$work/fake-jobs.txt" &&
		grep -q "^jobs per inference: 3 (2 on the NPU, 1 on the CPU executor)$" "$work/fake-jobs.txt" &&
		grep -q "^  1 NPU 2 ops, 8704 cost units, .*; job 1 of 2 of ops 1-7 (job limit 10000 units)$" "$work/fake-jobs.txt" &&
		grep -q "^  2 NPU 5 ops, 4832 cost units, .*; job 2 of 2 of ops 1-7 (job limit 10000 units)$" "$work/fake-jobs.txt" &&
		grep -q "^ *0 CONV_2D .* CPU  fallback: op cost 13824 exceeds the device's limit 10000 " "$work/fake-jobs.txt"
	check $? "a pretend NPU taking at most 10000 cost units a job: info splits its ops into 2 jobs, the 13824-unit op 0 on the CPU, 3 jobs per inference (exit $rc)"
	(export EDGENPU_FAKE_OP_MASK=0x3fffe EDGENPU_FAKE_MAX_OP_COST=5000
	 fake_run run "$m" --device /fake/accel0 --require-full-offload \
		--output-dir "$work/full") >"$work/fake-opcost.txt" 2>&1
	rc=$?
	[ "$rc" = 1 ] && ! sanitized "$work/fake-opcost.txt" && [ ! -e "$work/full" ] &&
		grep -q "op 0 (CONV_2D) on the CPU: fallback: op cost 13824 exceeds the device's limit 5000 " "$work/fake-opcost.txt"
	check $? "a pretend NPU taking at most 5000 units an op: run --require-full-offload names op 0 and its cost (exit $rc)"
	# devices shows the backend the module names, whatever it is.
	mkdir -p "$work/accel" && : >"$work/accel/accel0"
	for b in pci vnpu; do
		LD_PRELOAD=$fake EDGENPU_FAKE_NODE=/dev/accel/accel0 \
		EDGENPU_FAKE_ACCEL_DIR="$work/accel" EDGENPU_FAKE_BACKEND=$b \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
			"$ar" devices >"$work/fake-devices-$b.txt" 2>&1
		rc=$?
		[ "$rc" = 0 ] && ! sanitized "$work/fake-devices-$b.txt" &&
			grep -q "^/dev/accel/accel0: fakenpu0 (backend $b)$" "$work/fake-devices-$b.txt"
		check $? "devices on a pretend NPU whose backend is $b: '$(head -n 1 "$work/fake-devices-$b.txt")' (exit $rc)"
	done
	# The jobs a core holds: as the caps say (uapi 1.3), else one.
	for d in 0 2; do
		LD_PRELOAD=$fake EDGENPU_FAKE_NODE=/dev/accel/accel0 \
		EDGENPU_FAKE_ACCEL_DIR="$work/accel" EDGENPU_FAKE_QUEUE_DEPTH=$d \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
			"$ar" devices >"$work/fake-depth-$d.txt" 2>&1
		rc=$?
		want=$(( d ? d : 1 ))
		[ "$rc" = 0 ] && ! sanitized "$work/fake-depth-$d.txt" &&
			grep -qx "  jobs held: $want per core, $want in all" "$work/fake-depth-$d.txt"
		check $? "devices on a pretend NPU whose caps say $d job(s) a core: '$(grep 'jobs held' "$work/fake-depth-$d.txt")' (exit $rc)"
	done
else
	echo "ok $((n + 1)) # SKIP no pretend NPU (FAKE_NPU_SO) given"
	n=$((n + 1))
fi

rm -rf "$work/new"
"$ar" run "$m" --device cpu --output-dir "$work/new/a/b" >"$work/newdir.txt" 2>&1
rc=$?
[ "$rc" = 0 ] && [ "$(wc -c <"$work/new/a/b/output0.npy")" = $((128 + 4)) ]
check $? "run --output-dir DIR/a/b that does not exist: made as by mkdir -p, output0.npy in it (exit $rc)"
: >"$work/plain"
"$ar" run "$m" --device cpu --output-dir "$work/plain/out" >"$work/plain.txt" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "^accel-run: --output-dir $work/plain/out: Not a directory$" "$work/plain.txt" &&
	! grep -q "^ran on" "$work/plain.txt"
check $? "run --output-dir under a regular file: exit $rc before the run, '$(grep '^accel-run' "$work/plain.txt" | cut -c1-80)'"

"$ar" --help >"$work/help.txt" 2>&1
rc=$?
help_cmds=$(sed -n '/^commands:/,/^$/p' "$work/help.txt" | awk 'NF && $1 != "commands:" {print $1}' | sort | tr '\n' ' ')
man_cmds=$(sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$man" | awk '/^\.TP/{getline; print $2}' | sort | tr '\n' ' ')
[ "$rc" = 0 ] && [ -n "$help_cmds" ] && [ "$help_cmds" = "$man_cmds" ]
check $? "--help commands [$help_cmds] = man page COMMANDS [$man_cmds]"
for o in device input output-dir seed image-convention top; do
	grep -q -- "--$o" "$work/help.txt" && sed 's/\\-/-/g' "$man" | grep -q -- "--$o"
	check $? "option --$o in --help and in the man page"
done

echo "1..$n"
[ "$fail" = 0 ]
