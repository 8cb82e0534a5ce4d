# shellcheck shell=bash
# Shared settings for the edgenpu scripts. Sourced, never executed.

EDGENPU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EDGENPU_CACHE=${EDGENPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgenpu}
EDGENPU_MIRROR=${EDGENPU_MIRROR:-}
JOBS=${JOBS:-$(( $(nproc) + 1 ))}
# ccache for the module builds, as the Makefile sets it up for userspace
# (same directory, paths relative to the tree, so any clone hits).
EDGENPU_CCACHE=
if command -v ccache > /dev/null 2>&1; then
	EDGENPU_CCACHE=ccache
	export CCACHE_DIR=${CCACHE_DIR:-$EDGENPU_CACHE/ccache}
	export CCACHE_BASEDIR=$EDGENPU_TOP CCACHE_NOHASHDIR=1
fi

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# The Debian mirror the host's apt sources already use, so that the
# private apt configuration reaches the same server.
edgenpu_mirror() {
	if [ -n "$EDGENPU_MIRROR" ]; then
		echo "$EDGENPU_MIRROR"
		return
	fi
	local m
	m=$(grep -rhoE '(URIs:|deb) *https?://[^ ]*/debian/?( |$)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
		grep -oE 'https?://[^ ]*' | grep -v security | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}

# apt with a private sources list and state, so the host's apt
# configuration is never changed. $EDGENPU_CACHE/apt holds its state.
edgenpu_apt_dir() { echo "$EDGENPU_CACHE/apt"; }

edgenpu_apt_opts() {
	local d
	d=$(edgenpu_apt_dir)
	printf '%s\n' \
		-o "Dir::Etc::SourceList=$d/sources.list" \
		-o "Dir::Etc::SourceParts=/dev/null" \
		-o "Dir::Etc::Preferences=/dev/null" \
		-o "Dir::Etc::PreferencesParts=/dev/null" \
		-o "Dir::State::Lists=$d/lists" \
		-o "Dir::State::status=/dev/null" \
		-o "Dir::Cache=$d/cache" \
		-o "Debug::NoLocking=1" \
		-o "APT::Sandbox::User=root" \
		-o "APT::Get::AllowUnauthenticated=false"
}

edgenpu_apt_setup() {
	local d mirror kr=/usr/share/keyrings/debian-archive-keyring.gpg
	d=$(edgenpu_apt_dir)
	mirror=$(edgenpu_mirror)
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	# Written aside and renamed: make check's background setup steps
	# call this while another apt may be reading the list.
	local tmp
	tmp=$(mktemp "$d/sources.list.XXXXXX")
	cat > "$tmp" <<EOT
deb [signed-by=$kr] $mirror bookworm main
deb [signed-by=$kr] $mirror bookworm-backports main
deb [signed-by=$kr] $mirror trixie main
deb [signed-by=$kr] $mirror sid main
EOT
	chmod 644 "$tmp"
	mv -f "$tmp" "$d/sources.list"
	# Refresh at most every 6 hours: a warm cache must not depend on
	# the network.
	local stamp="$d/lists/.updated"
	if [ -z "$(find "$stamp" -mmin -360 2>/dev/null)" ]; then
		log "updating private apt lists from $mirror"
		# shellcheck disable=SC2046
		apt-get $(edgenpu_apt_opts) -qq update >/dev/null
		touch "$stamp"
	fi
}

edgenpu_apt_get() {
	# shellcheck disable=SC2046
	apt-get $(edgenpu_apt_opts) "$@"
}

edgenpu_apt_cache() {
	# shellcheck disable=SC2046
	apt-cache $(edgenpu_apt_opts) "$@"
}

# Highest version of PKG available from SUITE (e.g. bookworm-backports).
edgenpu_apt_version() {
	local pkg=$1 suite=$2
	edgenpu_apt_cache madison "$pkg" | awk -F'|' -v s="$suite" '
		{ gsub(/ /, "", $2); if (index($3, " " s "/") || index($3, " " s " ")) { print $2; exit } }'
}

# Download PKG=VERSION into the cache and print the .deb's path.
edgenpu_apt_fetch() {
	local spec=$1 dir="$EDGENPU_CACHE/debs" f
	mkdir -p "$dir"
	f=$(ls "$dir/${spec%%=*}_"*"${spec#*=}"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		(cd "$dir" && edgenpu_apt_get -qq download "$spec" >/dev/null)
		f=$(ls -t "$dir/${spec%%=*}_"*.deb | head -n1)
	fi
	echo "$f"
}

# guest_command ARG...: the script the guest's sh runs for ARG... (one
# line, unless an argument holds a newline). One argument is a shell
# command line, as `sh -c` takes it ('cmd; cmd2'); several are a command
# and its arguments, each single-quoted so the guest sees them unchanged.
guest_command() {
	local a q="'\\''" sep=
	if [ $# -eq 1 ]; then
		printf '%s\n' "$1"
		return
	fi
	for a in "$@"; do
		printf "%s'%s'" "$sep" "${a//\'/$q}"
		sep=' '
	done
	printf '\n'
}

# Copy what Kbuild needs into OUT, so each kernel builds in its own tree
# and builds never mix objects.
edgenpu_stage_sources() {
	local out=$1 d
	mkdir -p "$out"
	rsync -a "$EDGENPU_TOP"/{Kbuild,VERSION} "$out/"
	for d in drivers include tests/kunit tests/common; do
		[ -d "$EDGENPU_TOP/$d" ] || continue
		mkdir -p "$out/$d"
		rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
			--exclude='*.mod' --exclude='*.mod.c' \
			"$EDGENPU_TOP/$d/" "$out/$d/"
	done
}

# apt-get source through the private configuration: a separate sources
# list with bookworm's deb-src line and its own lists directory, so the
# binary lists above are untouched. Downloads into the current directory.
edgenpu_apt_source() {
	local d mirror kr=/usr/share/keyrings/debian-archive-keyring.gpg
	d=$(edgenpu_apt_dir)
	mirror=$(edgenpu_mirror)
	mkdir -p "$d/lists-src/partial" "$d/cache/archives/partial"
	echo "deb-src [signed-by=$kr] $mirror bookworm main" > "$d/sources-src.list"
	local src=(-o "Dir::Etc::SourceList=$d/sources-src.list"
		   -o "Dir::State::Lists=$d/lists-src")
	if [ -z "$(find "$d/lists-src/.updated" -mmin -360 2>/dev/null)" ]; then
		log "updating private apt source lists from $mirror"
		edgenpu_apt_get -qq "${src[@]}" update >/dev/null
		touch "$d/lists-src/.updated"
	fi
	edgenpu_apt_get -qq "${src[@]}" --download-only source "$@"
}
