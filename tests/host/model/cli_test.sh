#!/bin/sh
# SPDX-License-Identifier: MIT
# accel-run's model commands: info, run --device cpu, exit codes, and the
# --help command list against the man page. TAP.
#
#   cli_test.sh ACCEL_RUN MAN_PAGE MODELS_DIR WORKDIR
set -u
ar=$1 man=$2 models=$3 work=$4
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
