#!/usr/bin/env bash
# Documentation/edgenpu/layout.rst matches the tree: every file it names
# exists, and every production C file is named in it.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
doc="$top/Documentation/edgenpu/layout.rst"
cd "$top" || exit 1
n=0 bad=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi
}

files=$(git ls-files --cached --others --exclude-standard 2>/dev/null || find . -type f | sed 's#^\./##')
# ``name`` tokens that look like files: an extension we keep files under.
for tok in $(grep -oE '``[A-Za-z0-9_./-]+\.(c|h|mk|rst|sh|1|3)``' "$doc" |
	     tr -d '`' | sort -u); do
	grep -qE "(^|/)${tok//./\\.}\$" <<<"$files"
	check $? "layout.rst names $tok, which exists"
done
for f in drivers/accel/edgenpu/*.c drivers/accel/edgenpu/engine/*.c \
	 drivers/accel/edgenpu/vnpu/*.c drivers/accel/edgenpu/pci/*.c qemu/*.c \
	 userspace/lib/*.c userspace/accel-run/*.c; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	case $f in drivers/accel/edgenpu/vnpu/*) b=vnpu/ ;; esac
	grep -qF "\`\`$b\`\`" "$doc" || grep -qF "$b\`\`" "$doc"
	check $? "layout.rst describes $f"
done
echo "1..$n"
exit $bad
