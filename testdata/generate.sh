#!/usr/bin/env bash
# Regenerates the Go execution-trace fixtures in testdata/traces/.
#
# For every Go toolchain in the list and every program in
# testdata/programs/ that builds with it, this builds the program with that
# toolchain (GOTOOLCHAIN=<ver> go build, CGO_ENABLED=1), runs it, and writes
# testdata/traces/<program>-go1.NN.trace. Every trace is then parsed with the
# local Go (`go tool trace -d=parsed`) and the script fails if any does not
# parse. Finally it writes testdata/traces/INDEX.txt (name, size, header).
#
# Usage:
#   testdata/generate.sh                  # resolve toolchains, regenerate all
#   TOOLCHAINS="go1.22.12 local" testdata/generate.sh   # explicit list
#   PROGRAMS="sched gc" testdata/generate.sh            # subset of programs
#
# Toolchain resolution (when TOOLCHAINS is unset): go1.21.13 if the module
# proxy serves it, else the newest go1.21.x; the newest go1.22.x .. go1.25.x;
# the local `go` for its own minor version (1.26 when this was written); and
# any newer minor (release, else release candidate) the proxy serves, e.g.
# go1.27.x or go1.27rcN. "Newest" = newest listed by
# `go list -m -versions golang.org/toolchain`, then probing the following
# patch numbers, since that listing can be incomplete.
#
# Requirements: go (any recent), network access to the module proxy for
# non-local toolchains, gcc for the cgo program. Safe to run repeatedly.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROGDIR="$HERE/programs"
OUTDIR="$HERE/traces"
BUILDDIR="${TMPDIR:-/tmp}/gotrace-fixture-build"
mkdir -p "$OUTDIR" "$BUILDDIR"

# Every program run by default (big is deliberately excluded: it is a
# benchmark generator whose output is hundreds of MB).
ALL_PROGRAMS="sched io gc annotations cpuprofile iterpull gomaxprocs cgocallback flightrecorder startstop manygen hostile syscalls whychain whyfanout whydiff"
PROGRAMS="${PROGRAMS:-$ALL_PROGRAMS}"

# Per-program environment and extra arguments.
#  - manygen: ~40 ms between generations -> ~40 generations in ~1.6 s.
#  - flightrecorder: 50 ms generations so the recorder's window (MinAge
#    100 ms) drops the oldest ones and the snapshot starts mid-stream.
# traceadvanceperiod exists in the Go 1.22+ runtime (src/runtime/runtime1.go);
# Go 1.21 ignores unknown GODEBUG keys.
prog_godebug() {
	case "$1" in
	manygen) echo "traceadvanceperiod=40000000" ;;
	flightrecorder) echo "traceadvanceperiod=50000000" ;;
	allocfree) echo "traceallocfree=1" ;;
	*) echo "" ;;
	esac
}

# A fixture bigger than this is regenerated (up to 3 runs), see run_one.
MAX_BYTES="${MAX_BYTES:-300000}"

# Extra fixtures: "<fixture-name> <program> <args...>".
VARIANTS=(
	"startstop3 startstop 3" # keep the third of three traces in one process
	"whydiff-slow whydiff slow" # the same requests with an injected mutex regression (gotrace diff)
	"allocfree gomaxprocs"   # with GODEBUG=traceallocfree=1: experimental batches and AllocFree events (Go 1.23+)
)

log() { printf '==> %s\n' "$*" >&2; }

LOCAL_GO="$(GOTOOLCHAIN=local go env GOVERSION)" # e.g. go1.26.8
LOCAL_MINOR="$(echo "$LOCAL_GO" | sed -E 's/^go1\.([0-9]+).*/\1/')"
HOSTPLAT="$(go env GOOS)-$(go env GOARCH)"

toolchain_exists() { # $1 = goX.Y.Z or goX.YrcN
	GOTOOLCHAIN="$1" go version >/dev/null 2>&1
}

# All goX... versions the proxy lists for this platform (filled in below).
LISTED=""
listed_versions() { echo "$LISTED"; }

# Newest available release of go1.<minor>, else newest rc, else nothing.
newest_of_minor() {
	local minor="$1" best="" p n rc
	best="$(listed_versions | grep -E "^go1\.$minor\.[0-9]+\$" | sort -V | tail -1 || true)"
	if [ -n "$best" ]; then
		p="${best##*.}"
	elif toolchain_exists "go1.$minor.0"; then
		best="go1.$minor.0"
		p=0
	fi
	if [ -n "$best" ]; then
		# The listing may be stale: probe a few following patch releases.
		for n in 1 2 3; do
			if toolchain_exists "go1.$minor.$((p + n))"; then
				best="go1.$minor.$((p + n))"
			fi
		done
		echo "$best"
		return
	fi
	best=""
	for rc in 1 2 3 4 5; do
		if toolchain_exists "go1.${minor}rc$rc"; then best="go1.${minor}rc$rc"; fi
	done
	echo "$best"
}

resolve_toolchains() {
	local list="" v minor
	if toolchain_exists go1.21.13; then
		list="go1.21.13"
	else
		v="$(newest_of_minor 21)"
		[ -n "$v" ] && list="$v"
	fi
	for minor in $(seq 22 $((LOCAL_MINOR + 3))); do
		if [ "$minor" -eq "$LOCAL_MINOR" ]; then
			list="$list local"
			continue
		fi
		v="$(newest_of_minor "$minor")"
		if [ -n "$v" ]; then
			list="$list $v"
		else
			log "no toolchain found for go1.$minor"
		fi
	done
	echo "$list"
}

if [ -z "${TOOLCHAINS:-}" ]; then
	LISTED="$(cd "$BUILDDIR" && go list -m -versions golang.org/toolchain 2>/dev/null |
		tr ' ' '\n' | grep -E "^v0\.0\.1-go.*\.$HOSTPLAT\$" |
		sed -E "s/^v0\.0\.1-//; s/\.$HOSTPLAT\$//" | sort -V || true)"
	log "resolving toolchains (local go is $LOCAL_GO, platform $HOSTPLAT)"
	TOOLCHAINS="$(resolve_toolchains)"
fi
log "toolchains: $TOOLCHAINS"
log "programs:   $PROGRAMS"

# Does the program have any Go files for this toolchain (build tags)?
buildable() { # $1 = GOTOOLCHAIN value, $2 = program
	local n
	n="$(cd "$PROGDIR" && GOTOOLCHAIN="$1" CGO_ENABLED=1 go list -e -f '{{len .GoFiles}} {{len .CgoFiles}}' "./$2" 2>/dev/null || echo "0 0")"
	[ "$n" != "0 0" ]
}

FAILED=()
USED=()
run_one() { # $1 = GOTOOLCHAIN value, $2 = minor tag (go1.NN), $3 = fixture name, $4 = program, rest = args
	local tc="$1" tag="$2" name="$3" prog="$4"
	shift 4
	local bin="$BUILDDIR/$tag/$prog" out="$OUTDIR/$name-$tag.trace"
	local godebug
	godebug="$(prog_godebug "$name")"
	local try size
	rm -f "$out" "$out.tmp"
	for try in 1 2 3; do
		log "run   $name-$tag: GODEBUG=$godebug $prog OUT $*"
		if ! (cd "$PROGDIR" && GODEBUG="$godebug" timeout 60 "$bin" "$out.tmp" "$@" >/dev/null 2>"$BUILDDIR/$name-$tag.stderr"); then
			log "FAILED running $name-$tag (see $BUILDDIR/$name-$tag.stderr)"
			cat "$BUILDDIR/$name-$tag.stderr" >&2 || true
			FAILED+=("$name-$tag: run")
			rm -f "$out.tmp"
			return
		fi
		# Scheduling noise (e.g. the background sweeper or runtime.GC
		# yielding once per swept span) occasionally inflates a trace by
		# tens of thousands of events; retry rather than commit a bloated
		# fixture.
		size="$(wc -c <"$out.tmp")"
		if [ "$size" -le "$MAX_BYTES" ]; then
			break
		fi
		log "      $name-$tag is $size bytes (> $MAX_BYTES), retrying"
	done
	mv "$out.tmp" "$out"
}

for tc in $TOOLCHAINS; do
	ver="$(GOTOOLCHAIN="$tc" go env GOVERSION)"
	tag="$(echo "$ver" | sed -E 's/^(go1\.[0-9]+).*/\1/')"
	log "toolchain $tc -> $ver (fixtures *-$tag.trace)"
	mkdir -p "$BUILDDIR/$tag"
	for prog in $PROGRAMS; do
		if ! buildable "$tc" "$prog"; then
			log "skip  $prog-$tag: no files for $ver (build tags)"
			rm -f "$OUTDIR/$prog-$tag.trace"
			continue
		fi
		log "build $prog with $ver"
		if ! (cd "$PROGDIR" && GOTOOLCHAIN="$tc" CGO_ENABLED=1 go build -o "$BUILDDIR/$tag/$prog" "./$prog"); then
			log "FAILED building $prog with $ver"
			FAILED+=("$prog-$tag: build")
			continue
		fi
		run_one "$tc" "$tag" "$prog" "$prog"
		for v in "${VARIANTS[@]}"; do
			read -r vname vprog vargs <<<"$v"
			if [ "$vprog" = "$prog" ]; then
				# shellcheck disable=SC2086
				run_one "$tc" "$tag" "$vname" "$prog" $vargs
			fi
		done
	done
	USED+=("$tag=$ver")
done

log "verifying every trace with the local Go ($LOCAL_GO): go tool trace -d=parsed"
for f in "$OUTDIR"/*.trace; do
	if GOTOOLCHAIN=local go tool trace -d=parsed "$f" >/dev/null 2>"$BUILDDIR/verify.stderr"; then
		log "ok    $(basename "$f")"
	else
		log "FAILED to parse $(basename "$f"):"
		head -5 "$BUILDDIR/verify.stderr" >&2
		FAILED+=("$(basename "$f"): parse")
	fi
done

# Index: name, size in bytes, header (first 16 bytes, NULs stripped).
{
	echo "# generated by testdata/generate.sh; toolchains: ${USED[*]}"
	printf '%-36s %9s  %s\n' "# fixture" "bytes" "header"
	for f in "$OUTDIR"/*.trace; do
		printf '%-36s %9d  %s\n' "$(basename "$f")" "$(wc -c <"$f")" "$(head -c 16 "$f" | tr -d '\0')"
	done
	printf '# total: %d bytes\n' "$(cat "$OUTDIR"/*.trace | wc -c)"
} >"$OUTDIR/INDEX.txt"
cat "$OUTDIR/INDEX.txt" >&2

if [ "${#FAILED[@]}" -gt 0 ]; then
	log "failures:"
	printf '  %s\n' "${FAILED[@]}" >&2
	exit 1
fi
log "done"
