#!/bin/sh
# The shared library exports exactly the functions edgenpu.h declares
# with EDGENPU_API: nothing internal (the engine, the reader) leaks, and
# nothing declared is missing. Prints TAP.
# usage: check-exports.sh LIBEDGENPU_SO EDGENPU_H
so=$1 hdr=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -n 's/^EDGENPU_API [^(]*[ *]\(edgenpu_[a-z0-9_]*\)(.*/\1/p' "$hdr" | sort -u > "$tmp/declared"
nm -D --defined-only "$so" | awk '$2 ~ /^[TDRB]$/ { print $3 }' | sed 's/@.*//' | sort -u > "$tmp/exported"
n=0 rc=0
n=$((n + 1))
if [ -s "$tmp/declared" ] && diff -u "$tmp/declared" "$tmp/exported" > "$tmp/diff"; then
	echo "ok $n - libedgenpu exports exactly the $(wc -l < "$tmp/declared") EDGENPU_API functions"
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
echo "1..$n"
exit $rc
