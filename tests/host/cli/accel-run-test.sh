#!/bin/sh
# accel-run bench and doctor on the host (no NPU: the CPU executor).
# usage: accel-run-test.sh ACCEL_RUN MODEL_DIR WORKDIR
ar=$1 models=$2 work=$3
top=$(cd "$(dirname "$0")/../../.." && pwd)
n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
mkdir -p "$work"
m="$models/chain/model.tflite"
[ -f "$m" ] || m=$(ls "$models"/*/model.tflite | head -n1)

"$ar" bench "$m" --device cpu --iterations 30 --warmup 2 --profile \
	--json "$work/bench.json" --trace "$work/trace.json" > "$work/bench.txt" 2>&1
rc=$?
check $rc "bench --device cpu runs (exit $rc)"
grep -q 'p50' "$work/bench.txt" && grep -q 'init .* first run' "$work/bench.txt" &&
	grep -q '^per-op profile' "$work/bench.txt" && grep -q '^by op type' "$work/bench.txt"
check $? "bench prints latency percentiles, init/first run and the profile"
python3 "$top/tests/host/cli/bench_json_check.py" "$work/bench.json" > "$work/schema.tap"
check $? "bench JSON validates against edgenpu-bench/1"
python3 -c "import json,sys; t=json.load(open(sys.argv[1])); e=t['traceEvents']; sys.exit(not e or any(x['ph']!='X' or x['dur']<0 for x in e))" "$work/trace.json"
check $? "the trace is Chrome trace-event JSON with complete events"
"$ar" bench "$m" --device cpu --duration 0.3 > "$work/dur.txt" 2>&1
check $? "bench --duration"
"$ar" bench "$m" --device cpu --iterations 40 --parallel 3 --json "$work/par.json" > "$work/par.txt" 2>&1 &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d['parallel'] == 3 and d['all_runs'] >= d['runs'] == 40))" "$work/par.json"
check $? "bench --parallel 3 runs three runners and reports all their runs"
"$ar" bench "$m" --parallel 65 > /dev/null 2>&1
[ $? = 2 ]
check $? "bench --parallel 65 exits 2"
"$ar" bench "$m" --device cpu --pipeline 2 > "$work/pipe.txt" 2>&1
[ $? = 2 ] && grep -q -- '--pipeline needs an NPU device' "$work/pipe.txt"
check $? "bench --pipeline on the CPU executor exits 2, saying it needs an NPU"
"$ar" bench "$m" --pipeline 2 --parallel 2 > "$work/pipe.txt" 2>&1
[ $? = 2 ] && grep -q 'give --parallel or --pipeline, not both' "$work/pipe.txt"
check $? "bench --pipeline with --parallel exits 2"
"$ar" bench "$m" --pipeline 17 > /dev/null 2>&1
[ $? = 2 ]
check $? "bench --pipeline 17 exits 2"
"$ar" bench "$m" --device cpu --pipeline 1 --iterations 5 --json "$work/pipe1.json" > /dev/null 2>&1 &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d['pipeline'] == 1 and d['device_busy_s'] == 0 and d['wall_per_device_busy'] == 0))" "$work/pipe1.json"
check $? "bench --pipeline 1 is the plain loop; on the CPU the JSON's device busy time is 0"
mm="$models/mobilenet_v2_224_avgpool_logits/model.tflite"
[ -f "$mm" ] || mm=$m
# Threads: EDGENPU_CPU_KERNELS=c gives every CPU fast kernels to split.
cpus=$(getconf _NPROCESSORS_ONLN)
[ "$cpus" -le 64 ] || cpus=64
jthreads() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['threads'] != int(sys.argv[2]))" "$@"
}
EDGENPU_CPU_KERNELS=c "$ar" bench "$mm" --device cpu --iterations 2 --warmup 0 \
	--json "$work/thr0.json" > "$work/thr0.txt" 2>&1 && jthreads "$work/thr0.json" "$cpus" &&
	grep -q "first run .*, $cpus CPU executor thread" "$work/thr0.txt"
check $? "bench without --threads: one thread per online CPU ($cpus), in the JSON and the text"
half=$((cpus / 2))
[ $half -ge 1 ] || half=1
EDGENPU_CPU_KERNELS=c "$ar" bench "$mm" --device cpu --iterations 2 --warmup 0 --parallel 2 \
	--json "$work/thr1.json" > /dev/null 2>&1 && jthreads "$work/thr1.json" "$half"
check $? "bench --parallel 2 without --threads: the online CPUs shared out ($half each)"
EDGENPU_CPU_KERNELS=engine "$ar" bench "$mm" --device cpu --iterations 2 --warmup 0 --threads 3 \
	--json "$work/thr2.json" > /dev/null 2>&1 && jthreads "$work/thr2.json" 1
check $? "bench --threads 3 where no op has a fast kernel: one thread, and the JSON says so"
EDGENPU_CPU_KERNELS=c "$ar" run "$mm" --device cpu --threads 3 --check --output-dir "$work" \
	> "$work/run3.txt" 2>&1
check $? "run --threads 3 --check: the threaded CPU executor matches the reference"
"$ar" run "$m" --device cpu --threads 65 > /dev/null 2>&1
[ $? = 2 ]
check $? "run --threads 65 exits 2"
EDGENPU_CPU_KERNELS=c "$ar" bench "$mm" --device cpu --iterations 2 --warmup 0 --parallel 2 --threads 3 \
	--json "$work/thr.json" > /dev/null 2>&1 &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d['threads'] == 3 and d['runs'] == 2))" "$work/thr.json"
check $? "bench --threads 3 with --parallel 2 runs, and the JSON says 3 threads"
"$ar" bench "$m" --threads 65 > /dev/null 2>&1
[ $? = 2 ]
check $? "bench --threads 65 exits 2"
"$ar" bench "$m" --iterations 5 --duration 1 > /dev/null 2>&1
[ $? = 2 ]
check $? "bench with both --iterations and --duration exits 2"
"$ar" bench "$m" --iterations 0 > /dev/null 2>&1
[ $? = 2 ]
check $? "bench --iterations 0 exits 2"
"$ar" bench "$m" --device cpu --iterations 3 > "$work/notty.txt" 2>&1 < /dev/null
! grep -q "$(printf '\r')" "$work/notty.txt"
check $? "no progress line when not on a terminal"

# A model of more than 64 ops on the CPU still gets a time for every op.
big="$models/mobilenet_v2_224_avgpool_logits/model.tflite"
if [ -f "$big" ]; then
	"$ar" bench "$big" --device cpu --iterations 2 --warmup 0 --profile \
		--json "$work/big.json" > /dev/null 2>&1 &&
		python3 -c 'import json, sys
ops = json.load(open(sys.argv[1]))["ops"]
sys.exit(0 if len(ops) > 64 and all(o["mean_ms"] > 0 for o in ops) else 1)' "$work/big.json"
	check $? "bench --profile on the CPU times every one of a 65-op model's ops"
fi

"$ar" bench "$m" --parallel 4294967297 > /dev/null 2>&1
[ $? = 2 ]
check $? "bench --parallel 4294967297 exits 2 (not wrapped to 1)"

# A model path that JSON must escape: a quote and a backslash.
odd="$work/odd\"dir\\x"
mkdir -p "$odd" && cp "$m" "$odd/model.tflite" &&
	"$ar" bench "$odd/model.tflite" --device cpu --iterations 2 --warmup 0 \
		--json "$work/odd.json" > /dev/null 2>&1 &&
	python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['config']['model'] != sys.argv[2])" \
		"$work/odd.json" "$odd/model.tflite"
check $? "bench --json escapes a model path with a quote and a backslash"

# Every option --help shows for info, run and bench is taken by that
# command, and the man page lists the same options as --help.
"$ar" --help > "$work/help.txt"
for cmd in info run bench; do
	opts=$(sed -n "/^  accel-run $cmd /,/^  accel-run [a-z]/p" "$work/help.txt" |
		sed '$d' | grep -o -- '--[a-z-]*' | sort -u)
	bad=
	for o in $opts --help; do
		"$ar" $cmd $o 2>&1 < /dev/null | grep -q "unrecognized option" && bad="$bad $o"
	done
	[ -n "$opts" ] && [ -z "$bad" ]
	check $? "accel-run $cmd takes every option --help shows for it [$(echo $opts)]${bad:+, not:$bad}"
done
"$ar" info "$m" --device /dev/accel/accel99 > "$work/info-nodev.txt" 2>&1
rc=$?
[ $rc = 2 ] && grep -q '^accel-run: device /dev/accel/accel99: ' "$work/info-nodev.txt"
check $? "info --device naming no device: exit $rc, as run"
"$ar" bench --help > "$work/bench-help.txt" 2>&1
rc=$?
[ $rc = 0 ] && cmp -s "$work/bench-help.txt" "$work/help.txt"
check $? "bench --help prints the usage, exit $rc"
"$ar" run "$m" -d cpu > /dev/null 2>&1
[ $? = 2 ]
check $? "run takes no undocumented short options (-d)"
man=$top/userspace/accel-run/accel-run.1
help_opts=$(grep -o -- '--[a-z][a-z-]*' "$work/help.txt" | sort -u | tr '\n' ' ')
man_opts=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man" | grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
[ "$help_opts" = "$man_opts" ]
check $? "--help and the man page name the same options [$help_opts] [$man_opts]"

"$ar" doctor > "$work/doctor.txt" 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'PROBLEM the edgenpu module is not loaded' "$work/doctor.txt" &&
	grep -q 'fix: sudo modprobe edgenpu' "$work/doctor.txt"
check $? "doctor without the module: the problem and its fix, exit $rc"
printf "modprobe: ERROR: could not insert 'edgenpu': Key was rejected by service\n" > "$work/klog"
EDGENPU_DOCTOR_KLOG="$work/klog" "$ar" doctor > "$work/doctor-sb.txt" 2>&1
grep -q 'Secure Boot rejected' "$work/doctor-sb.txt" && grep -q 'mokutil --import' "$work/doctor-sb.txt"
check $? "doctor recognises \"Key was rejected by service\" and prints the mokutil steps"
# What Debian 13's kernel logs under Secure Boot (tests/packaging/secureboot-test
# sees them): an unsigned module, one signed by a key not enrolled, and
# lockdown's own line.
for msg in "[   12.345678] Loading of unsigned module is rejected" \
	"[   12.345678] Loading of module with unavailable key is rejected" \
	"[   12.345678] Lockdown: insmod: unsigned module loading is restricted; see man kernel_lockdown.7"; do
	printf '%s\n' "[    0.000000] secureboot: Secure boot enabled" "$msg" > "$work/klog"
	EDGENPU_DOCTOR_KLOG="$work/klog" "$ar" doctor > "$work/doctor-sb.txt" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q 'PROBLEM Secure Boot rejected' "$work/doctor-sb.txt" &&
		grep -q 'sudo mokutil --import /var/lib/dkms/mok.pub' "$work/doctor-sb.txt"
	check $? "doctor recognises the kernel's \"${msg#*] }\" and prints the mokutil steps, exit $rc"
done
printf '%s\n' "[    0.000000] secureboot: Secure boot enabled" > "$work/klog"
EDGENPU_DOCTOR_KLOG="$work/klog" "$ar" doctor > "$work/doctor-sb.txt" 2>&1
! grep -q 'Secure Boot rejected' "$work/doctor-sb.txt"
check $? "doctor blames Secure Boot only when the kernel log shows a refusal"
"$ar" doctor extra > /dev/null 2>&1
[ $? = 2 ]
check $? "doctor with an argument exits 2"
echo "1..$n"
[ $failed = 0 ]
