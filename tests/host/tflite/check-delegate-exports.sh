#!/bin/sh
# SPDX-License-Identifier: MIT
# libedgenpu-tflite.so exports exactly the two external-delegate functions.
set -eu
so=$1
got=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort)
want=$(printf '%s\n' tflite_plugin_create_delegate tflite_plugin_destroy_delegate)
if [ "$got" != "$want" ]; then
	echo "$so exports:" >&2
	echo "$got" >&2
	echo "expected exactly:" >&2
	echo "$want" >&2
	exit 1
fi
