#!/usr/bin/env bash
# scripts/funcstats finds functions as the tree writes them and its --max
# gate fails on a long one; then the gate runs on the tree itself.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi
}

d="$tmp/userspace/lib"
mkdir -p "$d"
{
	printf 'static const int table[] = {\n\t1,\n};\n\n'
	printf 'static int\nshort_one(int a,\n\t  int b)\n{\n\treturn a + b;\n}\n\n'
	printf 'int long_one(void)\n{\n'
	for i in $(seq 1 80); do printf '\tx();\n'; done
	printf '}\n'
} > "$d/f.c"
out=$("$top/scripts/funcstats" --top 2 "$tmp")
grep -q '| userspace/lib | 2 |' <<<"$out"
check $? "counts two functions, not the initializer"
grep -qE '^ +83  long_one' <<<"$out"
check $? "long_one is 83 lines, signature to closing brace"
grep -qE '^ +6  short_one' <<<"$out"
check $? "a signature over three lines counts from its first line"
"$top/scripts/funcstats" --max 82 "$tmp" >/dev/null
check $([ $? = 1 ] && echo 0 || echo 1) "--max 82 fails on an 83-line function"
"$top/scripts/funcstats" --max 83 "$tmp" >/dev/null
check $? "--max 83 passes"

"$top/scripts/funcstats" --max 80 --top 5 "$top" | sed 's/^ok 1 /# /'
check "${PIPESTATUS[0]}" "no production function is over 80 lines"
echo "1..$n"
exit $bad
