#!/bin/sh
# The shared library exports exactly the functions edgenpu.h declares
# with EDGENPU_API, and the few internal ones the library's headers mark
# EDGENPU_PRIVATE for the TFLite delegate (lib_private.h): nothing else
# internal (the engine, the reader) leaks, and nothing declared is missing. The static library beside it has no
# global symbol outside the library's names, so that it links into any
# program: the API's (edgenpu_), the library's internal ones (edgenpu__)
# and the engine's (edgenpu_engine_, eng_). Prints TAP.
# usage: check-exports.sh LIBEDGENPU_SO EDGENPU_H [LIBEDGENPU_A]
so=$1 hdr=$2 ar=${3:-$(dirname "$1")/libedgenpu.a}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -n 's/^EDGENPU_API [^(]*[ *]\(edgenpu_[a-z0-9_]*\)(.*/\1/p' "$hdr" | sort -u > "$tmp/declared"
sed -n 's/^EDGENPU_PRIVATE [^(]*[ *]\(edgenpu__[a-z0-9_]*\)(.*/\1/p' \
	"$(dirname "$hdr")"/../lib/*.h | sort -u > "$tmp/private"
sort -u "$tmp/declared" "$tmp/private" > "$tmp/allowed"
nm -D --defined-only "$so" | awk '$2 ~ /^[TDRB]$/ { print $3 }' | sed 's/@.*//' | sort -u > "$tmp/exported"
n=0 rc=0
n=$((n + 1))
if [ -s "$tmp/declared" ] && diff -u "$tmp/allowed" "$tmp/exported" > "$tmp/diff"; then
	echo "ok $n - libedgenpu exports exactly the $(wc -l < "$tmp/declared") EDGENPU_API functions and $(wc -l < "$tmp/private") EDGENPU_PRIVATE ones"
else
	echo "not ok $n - libedgenpu's exports differ from edgenpu.h"
	sed 's/^/# /' "$tmp/diff"
	rc=1
fi
n=$((n + 1))
soname=$(objdump -p "$so" | awk '/SONAME/ { print $2 }')
if [ "$soname" = libedgenpu.so.1 ]; then
	echo "ok $n - soname is $soname"
else
	echo "not ok $n - soname is '$soname', expected libedgenpu.so.1"
	rc=1
fi
# Every function the man page names is one the library exports.
man=$(dirname "$hdr")/edgenpu.3
n=$((n + 1))
grep -o 'edgenpu_[a-z0-9_]*' "$man" | grep -v '^edgenpu_xxx' |
	sed 's/_$//' | sort -u > "$tmp/man"
# Struct, object and header names are not functions.
grep -vxE 'edgenpu|edgenpu_(device|model|plan|runner|bo|cmd_builder|device_info|plan_limits|cmdstream|accel)' "$tmp/man" > "$tmp/manfn"
if [ -s "$tmp/manfn" ] && comm -23 "$tmp/manfn" "$tmp/exported" > "$tmp/unknown" && [ ! -s "$tmp/unknown" ]; then
	echo "ok $n - edgenpu.3 names $(wc -l < "$tmp/manfn") functions, all exported"
else
	echo "not ok $n - edgenpu.3 names functions the library lacks"
	sed 's/^/# /' "$tmp/unknown"
	rc=1
fi
# Every global definition of the archive is in one of the namespaces:
# an unprefixed internal name (lower_model, grow_zeroed) would clash with
# a program's own.
n=$((n + 1))
nm -g --defined-only "$ar" | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/global"
grep -vE '^(edgenpu__|edgenpu_engine_|eng_)' "$tmp/global" |
	comm -23 - "$tmp/declared" > "$tmp/stray"
if [ -s "$tmp/global" ] && [ ! -s "$tmp/stray" ]; then
	echo "ok $n - libedgenpu.a defines no global symbol outside edgenpu_ (API), edgenpu__ (internal) and the engine's"
else
	echo "not ok $n - libedgenpu.a defines unprefixed or undeclared global symbols"
	sed 's/^/# /' "$tmp/stray"
	rc=1
fi
echo "1..$n"
exit $rc
