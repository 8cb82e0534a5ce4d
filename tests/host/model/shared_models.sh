#!/bin/sh
# SPDX-License-Identifier: MIT
# The real TFLite Micro models of ../shared/models on libedgenpu's CPU
# executor (through accel-run), against TFLite 2.14's reference kernels
# (scripts/tflite-oracle). TAP; every test is a SKIP without the models.
#
#   shared_models.sh ACCEL_RUN ROOT SHARED_MODELS WORKDIR
#
# - person_detect.tflite as shipped (1-D bias tensors with
#   quantized_dimension 3) loads;
# - person.bmp / no_person.bmp in both image conventions give exactly the
#   scores TFLite gives on the quantized_dimension-fixed copy
#   (tests/oracle/fix_person_detect.py); the input bytes for TFLite are
#   made here in Python, independently of accel-run's BMP reader;
# - raw convention: person > no person on person.bmp, the reverse on
#   no_person.bmp;
# - hello_world_int8 equals TFLite on a seeded random input;
# - keyword_scrambled_8bit fails with the documented error naming SVDF,
#   its op index and the model, exit status 1.
set -u
ar=$1 root=$2 shared=$3 work=$4
py=/usr/bin/python3
[ -x "$py" ] || py=python3
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
check() { if [ "$1" = 0 ]; then shift; ok "$@"; else shift; nok "$@"; fi; }

if [ ! -f "$shared/person_detect.tflite" ]; then
	for t in "person_detect loads" "person_detect scores equal TFLite" \
		"hello_world_int8 equals TFLite" "keyword_scrambled_8bit SVDF error"; do
		n=$((n + 1)); echo "ok $n - # SKIP $t: no $shared"
	done
	echo "1..$n"; exit 0
fi
rm -rf "$work" && mkdir -p "$work" || exit 1

"$ar" info "$shared/person_detect.tflite" >"$work/pd_info.txt" 2>&1
check $? "person_detect.tflite as shipped loads and plans (quantized_dimension 3 on 1-D biases accepted)"

cp "$shared/person_detect.tflite" "$work/pd_fixed.tflite" &&
	"$py" "$root/tests/oracle/fix_person_detect.py" "$work/pd_fixed.tflite" >/dev/null
check $? "fix_person_detect.py patches a copy for TFLite"

# Input bytes, independently of accel-run: 96x96 8-bit BMP, 1078-byte
# header, bottom-up rows -> top-down; raw = byte, minus128 = byte - 128.
"$py" - "$shared" "$work" <<'PYEOF'
import struct, sys
shared, work = sys.argv[1], sys.argv[2]
for img in ("person", "no_person"):
    data = open("%s/%s.bmp" % (shared, img), "rb").read()
    off, = struct.unpack_from("<I", data, 10)
    w, h = struct.unpack_from("<ii", data, 18)
    stride = (w + 3) & ~3
    pal = 14 + struct.unpack_from("<I", data, 14)[0]
    rows = [data[off + stride * (h - 1 - y):off + stride * (h - 1 - y) + w]
            for y in range(h)]
    px = bytes(data[pal + 4 * b] for r in rows for b in r)
    open("%s/%s_raw.bin" % (work, img), "wb").write(px)
    open("%s/%s_minus128.bin" % (work, img), "wb").write(
        bytes((p - 128) & 0xff for p in px))
PYEOF
head -c 1 /dev/zero | tr '\0' '\147' >"$work/hello_in.bin"

: >"$work/batch.txt"
for img in person no_person; do
	for cv in raw minus128; do
		mkdir -p "$work/tfl_${img}_$cv"
		printf '%s\t%s\t%s\t%s\n' "${img}_$cv" "$work/pd_fixed.tflite" \
			"$work/tfl_${img}_$cv" "$work/${img}_$cv.bin" >>"$work/batch.txt"
	done
done
mkdir -p "$work/tfl_hello"
printf '%s\t%s\t%s\t%s\n' hello "$shared/hello_world_int8.tflite" \
	"$work/tfl_hello" "$work/hello_in.bin" >>"$work/batch.txt"
"$root/scripts/tflite-oracle" --no-setup --batch "$work/batch.txt" >"$work/oracle.log" 2>&1
check $? "TFLite 2.14 reference kernels ran the fixed person_detect and hello_world"

# The npy payload: the last N bytes of the file.
payload() { tail -c "$2" "$1" | od -An -v -td1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

for img in person no_person; do
	for cv in raw minus128; do
		d="$work/edg_${img}_$cv"
		mkdir -p "$d"
		"$ar" run "$shared/person_detect.tflite" --device cpu \
			--input "input=$shared/$img.bmp" --image-convention "$cv" \
			--output-dir "$d" >"$d/log" 2>&1
		rc=$?
		ours=$(payload "$d/output0.npy" 2 2>/dev/null)
		theirs=$(payload "$work/tfl_${img}_$cv/output0.bin" 2 2>/dev/null)
		[ "$rc" = 0 ] && [ -n "$ours" ] && [ "$ours" = "$theirs" ]
		check $? "person_detect $img.bmp ($cv): edgenpu [$ours] = TFLite [$theirs]"
		eval "score_${img}_$cv=\"$ours\""
	done
done
# shellcheck disable=SC2154
set -- $score_person_raw
[ "${2:-0}" -gt "${1:-0}" ] 2>/dev/null
check $? "person.bmp (raw): person score ${2:-?} > no-person score ${1:-?}"
set -- $score_no_person_raw
[ "${1:-0}" -gt "${2:-0}" ] 2>/dev/null
check $? "no_person.bmp (raw): no-person score ${1:-?} > person score ${2:-?}"

d="$work/edg_hello"; mkdir -p "$d"
"$ar" run "$shared/hello_world_int8.tflite" --device cpu \
	--input "0=$work/hello_in.bin" --output-dir "$d" >"$d/log" 2>&1
rc=$?
ours=$(payload "$d/output0.npy" 1 2>/dev/null)
theirs=$(payload "$work/tfl_hello/output0.bin" 1 2>/dev/null)
[ "$rc" = 0 ] && [ -n "$ours" ] && [ "$ours" = "$theirs" ]
check $? "hello_world_int8: edgenpu [$ours] = TFLite [$theirs]"

"$ar" run "$shared/keyword_scrambled_8bit.tflite" --device cpu \
	--output-dir "$work" >"$work/kw.log" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "keyword_scrambled_8bit.tflite: op 1 (SVDF" "$work/kw.log"
check $? "keyword_scrambled_8bit: exit $rc, '$(head -n 1 "$work/kw.log" | cut -c1-100)...'"

echo "1..$n"
[ "$fail" = 0 ]
