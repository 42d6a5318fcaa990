#!/bin/bash
# make bench, the peers (issue #13): what users would run untrusted code in
# instead of zvm, side by side with it in one run.
#   tools/bench/peers.sh [--runs N] [--starts N] [--rounds R] [--out FILE] [--only KERNEL]...
# 1. The compute kernels (tools/bench/kernels/) as `gcc -O2 -static`
#    (glibc, the reference), `zvm-cc -O2` in a cell (the default libc, what
#    users get) and WebAssembly: Debian's clang-14 --target=wasm32-wasi with
#    wasi-libc and wasm-ld (lld-14), run by Node's WASI (V8) through
#    tools/bench/wasi-run.mjs. Outputs must match glibc's first. CPU time
#    (user + system of the process tree, /usr/bin/time), N rounds (default
#    5), the order rotating per round; medians, ratios to native.
# 2. Start to exit of hello world, timed by zvmd-bench (posix_spawn + wait,
#    as tools/bench/zvmd.sh): static native, `zvm run`, zvmd by digest (root),
#    `bwrap --unshare-all`, `firejail --quiet`, a `crun run` of a minimal
#    bundle, hello.wasm under Node. --starts runs per row per round (default
#    300), R rounds (default 5) with the rows in rotating order; the median
#    of the rounds' p50s. A peer that cannot run here is listed with why.
# Missing Debian packages are installed with apt-get when run as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=5 STARTS=300 ROUNDS=5 OUT="" ONLY=()
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2;;
	--starts) STARTS=$2; shift 2;;
	--rounds) ROUNDS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	--only) ONLY+=("$2"); shift 2;;
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "peers.sh: unknown option $1 (see --help)" >&2; exit 2;;
	esac
done
for v in "$RUNS" "$STARTS" "$ROUNDS"; do
	[ "$v" -ge 1 ] 2>/dev/null || { echo "peers.sh: --runs, --starts and --rounds want positive numbers" >&2; exit 2; }
done
log() { echo "peers: $*" >&2; }

# ---- packages: the bench's own, not the build's (mk/deps.sh) -----------------
# libclang-rt-14-dev-wasm32: the compiler-rt builtins wasm-ld links
# (wasi-libc's printf uses 128-bit long double helpers).
PKGS="clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 nodejs bubblewrap firejail crun time hyperfine"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		log "installing the peers' Debian packages:$missing (apt-get)"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
			log "apt-get could not install all of$missing: what needs them is listed as not run"
	else
		log "missing Debian packages:$missing (run as root to install them): what needs them is listed as not run"
	fi
fi

ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc ZB=$BUILD/tests/bin/zvmd-bench
for f in "$ZVM" "$ZVMCC"; do [ -x "$f" ] || { log "$f not built (make all)"; exit 1; }; done
[ -x /usr/bin/time ] || { log "/usr/bin/time not installed (Debian's time)"; exit 1; }
export ZVM_RUNTIME_DIR=$BUILD/runtime
T=$(mktemp -d)
trap '[ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
report=$T/report.md
source tools/bench/lib.sh # median, calc, spread

# ---- the WebAssembly toolchain and runtime -------------------------------------
WASM="" # why the wasm column cannot run, or empty
WCC=(clang-14 --target=wasm32-wasi -O2 -fuse-ld=lld -Wl,--strip-all
	-Wl,-z,stack-size=8388608) # the 8 MiB a native main thread gets (recursion)
NODE=(node --no-warnings) # the start-up row: node as users run it
KFLAGS=(--single-threaded  # Node 20's V8 segfaults at exit in about half the runs of
	                   # hash and chase otherwise; CPU time counts every thread anyway
	--stack-size=60000) # V8's own stack for wasm frames: recursion is 100000 deep
if ! command -v clang-14 >/dev/null || ! command -v wasm-ld-14 >/dev/null; then
	WASM="clang-14 or wasm-ld (lld-14) not installed"
elif [ ! -f /usr/lib/wasm32-wasi/libc.a ]; then
	WASM="wasi-libc not installed"
elif ! command -v node >/dev/null; then
	WASM="nodejs not installed"
else
	nv=$(node -p 'process.versions.node.split(".")[0]')
	# Node 18 keeps WASI behind a flag; 20 has it unflagged
	[ "$nv" -ge 20 ] || NODE+=(--experimental-wasi-unstable-preview1)
fi

{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), gcc $(gcc -dumpversion), glibc $(ldd --version | head -1 | awk '{print $NF}'), clang $(clang-14 -dumpversion 2>/dev/null || echo -), wasi-libc $(dpkg-query -W -f '${Version}' wasi-libc 2>/dev/null || echo -), Node $(node --version 2>/dev/null || echo -) (V8 $(node -p process.versions.v8 2>/dev/null || echo -))."
echo "Command: \`make bench\` (\`tools/bench/peers.sh --runs $RUNS --starts $STARTS --rounds $ROUNDS\`), $(date -u '+%Y-%m-%d %H:%M') UTC; load average at the start $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "### Compute kernels: native, zvm cell, WebAssembly in Node (V8), CPU time, $RUNS interleaved rounds, medians"
echo
echo "| kernel | native s (\`gcc -O2 -static\`) | zvm cell s (\`zvm-cc -O2\`) | ratio | Node/V8 WASI s (\`clang-14 --target=wasm32-wasi -O2\`) | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
} > "$report"
[ -z "$WASM" ] || log "WebAssembly column not run: $WASM"

cmd() { # variant kernel -> the command line
	case $1 in
	native) echo "$T/$2.native";;
	zvm) echo "$ZVM run --report none --timeout 600 $T/$2.nexe";;
	wasm) echo "${NODE[*]} ${KFLAGS[*]} tools/bench/wasi-run.mjs $T/$2.wasm";;
	esac
}
cpu() { # variant kernel -> CPU seconds of one run
	(ulimit -s 65536; /usr/bin/time -o "$T/time" -f '%U %S' $(cmd "$1" "$2") >/dev/null)
	awk '{print $1 + $2}' "$T/time"
}
VARIANTS=(native zvm); [ -n "$WASM" ] || VARIANTS+=(wasm)
declare -A logsum; logsum[zvm]=0 logsum[wasm]=0
count=0 spreads=""
for src in tools/bench/kernels/*.c; do
	k=$(basename "$src" .c)
	if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $k "* ]]; then continue; fi
	gcc -O2 -static "$src" -o "$T/$k.native"
	"$ZVMCC" -O2 "$src" -o "$T/$k.nexe"
	[ -n "$WASM" ] || "${WCC[@]}" "$src" -o "$T/$k.wasm"
	"$T/$k.native" > "$T/$k.want"
	for v in "${VARIANTS[@]:1}"; do
		rc=0; (ulimit -s 65536; exec $(cmd "$v" "$k")) > "$T/$k.got" 2>"$T/err" || rc=$?
		[ $rc = 0 ] || { log "$k ($v) exits $rc: $(head -c 300 "$T/err")"; exit 1; }
		cmp -s "$T/$k.want" "$T/$k.got" || { log "$k: the $v output differs from native"; diff "$T/$k.want" "$T/$k.got" | head >&2; exit 1; }
	done
	for v in "${VARIANTS[@]}"; do : > "$T/$k.$v.t"; done
	nv=${#VARIANTS[@]}
	for r in $(seq "$RUNS"); do
		for i in $(seq 0 $((nv - 1))); do
			v=${VARIANTS[$(((i + r) % nv))]}
			cpu "$v" "$k" >> "$T/$k.$v.t"
		done
	done
	n=$(median < "$T/$k.native.t")
	line="| $k | $(calc "\"%.3f\", $n") |" msg="$k: native ${n}s"
	sp="$k $(spread "$T/$k.native.t")"
	for v in zvm wasm; do
		if [[ " ${VARIANTS[*]} " != *" $v "* ]]; then line="$line not run | |"; continue; fi
		m=$(median < "$T/$k.$v.t")
		ratio=$(calc "\"%.3f\", $m / $n")
		line="$line $(calc "\"%.3f\", $m") | $ratio |" msg="$msg, $v ${m}s ($ratio)"
		logsum[$v]=$(calc "\"%.9f\", ${logsum[$v]} + log($ratio)")
		sp="$sp/$(spread "$T/$k.$v.t")"
	done
	echo "$line" >> "$report"
	log "$msg"
	spreads="$spreads $sp," count=$((count + 1))
done
[ $count -gt 0 ] || { log "no kernel selected"; exit 1; }
gz=$(calc "\"%.3f\", exp(${logsum[zvm]} / $count)")
gw="not run"; [ -n "$WASM" ] || gw="**$(calc "\"%.3f\", exp(${logsum[wasm]} / $count)")**"
echo "| **geomean** | | | **$gz** | | $gw |" >> "$report"
printf '\nSpread (slowest round / fastest; native/zvm/wasm):%s.\n' "${spreads%,}" >> "$report"
[ -z "$WASM" ] || printf '\nWebAssembly not run: %s.\n' "$WASM" >> "$report"

# ---- start-up: hello world under each peer -----------------------------------------
cat > "$T/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { printf("hello, world\n"); return 0; }
EOF
gcc -O2 -static "$T/hello.c" -o "$T/hello.native"
"$ZVMCC" -O2 "$T/hello.c" -o "$T/hello.nexe"
"$ZVM" validate --cache "$T/hello.nexe" >/dev/null
ROWS=() WHY=()   # label|kind|args... ; label|why it did not run
add() { ROWS+=("$1"); }
skip() { WHY+=("$1|$2"); log "start-up: $1 not run: $2"; }
[ -x "$ZB" ] || { log "$ZB not built (make all)"; exit 1; }
add "static native hello (no sandbox)"
add "one-shot \`zvm run hello.nexe\`"
if [ "$(id -u)" != 0 ]; then
	skip "zvmd, hello by digest (warm pool of 8)" "needs root (zvmd builds namespaces and cgroups)"
else
	cat > "$T/zvmd.conf" <<EOF2
pool_size = 8
uid_base = 2130000000
gid_base = 2130000000
cgroup_parent = zvm-bench-peers
EOF2
	"$BUILD/bin/zvmd" --config "$T/zvmd.conf" --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
	for i in $(seq 50); do "$ZVM" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 8' && break; sleep 0.1; done
	if "$ZB" digest "$T/zvm.sock" "$T/hello.nexe" 10 1 >/dev/null 2>"$T/err"; then
		add "zvmd, hello by digest (warm pool of 8), request to report"
	else
		skip "zvmd, hello by digest" "zvmd did not answer: $(head -c 200 "$T/err" "$T/zvmd.log" | tr '\n' ' ')"
	fi
fi
BWRAP=(bwrap --unshare-all --die-with-parent --ro-bind "$T/hello.native" /hello /hello)
if ! command -v bwrap >/dev/null; then skip "\`bwrap --unshare-all\`" "bubblewrap not installed"
elif [ "$("${BWRAP[@]}" 2>"$T/err")" != "hello, world" ]; then skip "\`bwrap --unshare-all\`" "$(head -c 200 "$T/err")"
else add "\`bwrap --unshare-all\`, static hello"; fi
# firejail's default profile refuses a program outside the system's
# directories ("no suitable ... executable found"); --noprofile then
FJ=(firejail --quiet "$T/hello.native") fjl="\`firejail --quiet\`, static hello"
if ! command -v firejail >/dev/null; then skip "\`firejail --quiet\`" "firejail not installed"
elif [ "$("${FJ[@]}" 2>"$T/err")" != "hello, world" ]; then
	why=$(head -c 200 "$T/err" | tr '\n' ' ' | sed "s|$T/||g")
	FJ=(firejail --quiet --noprofile "$T/hello.native") fjl="\`firejail --quiet --noprofile\`, static hello (the default profile: $why)"
	if [ "$("${FJ[@]}" 2>"$T/err")" != "hello, world" ]; then
		skip "\`firejail --quiet\`" "$why; with --noprofile: $(head -c 200 "$T/err" | tr '\n' ' ')"
	else add "$fjl"; fi
else add "$fjl"; fi
# crun: a bundle of the static hello alone, `crun spec`'s default config
# (namespaces, cgroups, capabilities dropped, seccomp none) with a
# read-only root. crun refuses hybrid cgroups (v1 beside a v2 mount with
# controllers); then it runs in a mount namespace of its own without the
# v2 mount (set up once for the whole row, not per start).
CRUN_NS=()
if ! command -v crun >/dev/null; then skip "\`crun run\`" "crun not installed"
elif [ "$(id -u)" != 0 ]; then skip "\`crun run\`" "needs root here (no rootless cgroups)"
else
	mkdir -p "$T/bundle/rootfs" && cp "$T/hello.native" "$T/bundle/rootfs/hello"
	(cd "$T/bundle" && crun spec) && python3 - "$T/bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"].update(args=["/hello"], terminal=False)
c["root"]["readonly"] = True
json.dump(c, open(sys.argv[1], "w"))
PY
	if [ "$(crun run --bundle "$T/bundle" zvm-peers 2>"$T/err")" != "hello, world" ] &&
		grep -q 'hybrid mode' "$T/err"; then
		CRUN_NS=(unshare -m sh -c 'umount -l /sys/fs/cgroup/unified && exec "$@"' sh)
	fi
	if [ "$("${CRUN_NS[@]}" crun run --bundle "$T/bundle" zvm-peers 2>"$T/err")" != "hello, world" ]; then
		skip "\`crun run\`" "$(head -c 200 "$T/err" | tr '\n' ' ')"
	else add "\`crun run\` of a bundle holding the static hello${CRUN_NS:+ (hybrid cgroups here: in a mount namespace without the v2 mount)}"; fi
fi
if [ -z "$WASM" ]; then
	"${WCC[@]}" "$T/hello.c" -o "$T/hello.wasm"
	[ "$("${NODE[@]}" tools/bench/wasi-run.mjs "$T/hello.wasm")" = "hello, world" ] || { log "hello.wasm fails under Node"; exit 1; }
	add "hello.wasm under Node's WASI (\`node tools/bench/wasi-run.mjs\`: V8 start, compile, instantiate)"
else skip "hello.wasm under Node" "$WASM"; fi

row() { # row index -> "p50 p90 p99 tput" of one batch
	local l=${ROWS[$1]}
	case $l in
	static*) "$ZB" exec "$STARTS" 1 -- "$T/hello.native";;
	one-shot*) "$ZB" exec "$STARTS" 1 -- "$ZVM" run --report none "$T/hello.nexe";;
	zvmd*) "$ZB" digest "$T/zvm.sock" "$T/hello.nexe" "$STARTS" 1;;
	*bwrap*) "$ZB" exec "$STARTS" 1 -- "$(command -v bwrap)" "${BWRAP[@]:1}";;
	*firejail*) "$ZB" exec "$STARTS" 1 -- "$(command -v firejail)" "${FJ[@]:1}";;
	*crun*) "${CRUN_NS[@]}" "$ZB" exec "$STARTS" 1 -- "$(command -v crun)" run --bundle "$T/bundle" zvm-peers;;
	*wasm*) "$ZB" exec "$STARTS" 1 -- "$(command -v node)" "${NODE[@]:1}" tools/bench/wasi-run.mjs "$T/hello.wasm";;
	esac
}
nr=${#ROWS[@]}
for i in $(seq 0 $((nr - 1))); do : > "$T/s$i.p50"; : > "$T/s$i.p99"; done
for r in $(seq "$ROUNDS"); do
	for j in $(seq 0 $((nr - 1))); do
		i=$(((j + r) % nr))
		read -r p50 p90 p99 tput < <(row "$i")
		echo "$p50" >> "$T/s$i.p50"; echo "$p99" >> "$T/s$i.p99"
	done
done
n50=$(median < "$T/s0.p50")
{
echo
echo "### Start to exit of hello world ($STARTS starts per row in each of $ROUNDS rounds, rows in rotating order; zvmd-bench: posix_spawn + wait)"
echo
echo "| how | p50 ms (median of rounds) | p50 range over rounds | p99 ms (median) | x static native | x \`zvm run\` |"
echo "|---|---:|---:|---:|---:|---:|"
} >> "$report"
z50=$(median < "$T/s1.p50")
for i in $(seq 0 $((nr - 1))); do
	m=$(median < "$T/s$i.p50") q=$(median < "$T/s$i.p99")
	rng=$(sort -n "$T/s$i.p50" | awk 'NR == 1 {a = $1} {b = $1} END {printf "%s-%s", a, b}')
	printf '| %s | %s | %s | %s | %s | %s |\n' "${ROWS[$i]}" "$m" "$rng" "$q" \
		"$(calc "\"%.1f\", $m / $n50")" "$(calc "\"%.2f\", $m / $z50")" >> "$report"
	log "start-up: ${ROWS[$i]}: p50 $m ms"
done
for w in "${WHY[@]}"; do printf '| %s | not run: %s | | | | |\n' "${w%%|*}" "${w#*|}" >> "$report"; done

printf '\nLoad average (1 min) at the end: %s.\n' "$(cut -d' ' -f1 /proc/loadavg)" >> "$report"
echo >&2
cat "$report"
[ -z "$OUT" ] || { mkdir -p "$(dirname "$OUT")"; cp "$report" "$OUT"; }
