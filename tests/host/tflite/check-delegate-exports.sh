#!/bin/sh
# SPDX-License-Identifier: MIT
# libedgenpu-tflite.so exports exactly the two external-delegate functions,
# and takes libedgenpu from libedgenpu.so.1 (no copy of the library inside):
# every edgenpu symbol it needs, that library exports.
#   check-delegate-exports.sh DELEGATE_SO [LIBEDGENPU_SO]
set -eu
so=$1
lib=${2:-$(dirname "$so")/../userspace/libedgenpu.so.1}
got=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort)
want=$(printf '%s\n' tflite_plugin_create_delegate tflite_plugin_destroy_delegate)
if [ "$got" != "$want" ]; then
	echo "$so exports:" >&2
	echo "$got" >&2
	echo "expected exactly:" >&2
	echo "$want" >&2
	exit 1
fi
if ! objdump -p "$so" | awk '$1 == "NEEDED" { print $2 }' | grep -qx libedgenpu.so.1; then
	echo "$so does not link libedgenpu.so.1" >&2
	exit 1
fi
need=$(nm -D --undefined-only "$so" | awk '{ print $2 }' | grep '^edgenpu_' | sort -u)
have=$(nm -D --defined-only "$lib" | awk '{ print $3 }' | sort -u)
missing=$(printf '%s\n' "$need" | while read -r s; do
	printf '%s\n' "$have" | grep -qx "$s" || echo "$s"
done)
if [ -n "$missing" ]; then
	echo "$so needs what $lib does not export:" >&2
	echo "$missing" >&2
	exit 1
fi
