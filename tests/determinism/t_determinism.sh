#!/bin/bash
# Determinism: the same image, manifest and inputs run 20 times — each from
# another working directory, with another host TZ and locale, at another
# host time, half of them on a loaded machine (two CPU burners) — must give
# byte-identical stdout, stderr, image-out tar and channel digests in the
# report. det.c prints what a normal host changes every run (time, random
# bytes, heap addresses, pid, spins of a timing loop). Then the controls:
# another Seed must change the random bytes, another Epoch the times, so the
# comparison can fail. TAP output.
set -u
. "$(dirname "$0")/../lib.sh"
ZVMCC=$BUILD/bin/zvm-cc
RUNS=${DETERMINISM_RUNS:-20}
if [ ! -x "$ZVMCC" ] || [ ! -f "$BUILD/runtime/musl/lib/libc.a" ] || [ ! -f "$BUILD/runtime/libzrt.a" ]; then
	for i in 1 2 3 4 5 6; do skip "musl + ZRT not built (make musl)"; done
	exit 0
fi
T=$(mktemp -d)
burners=()
cleanup() { for p in "${burners[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
export ZVM_RUNTIME_DIR=$BUILD/runtime ZVM_LIBC=musl ZVM_CACHE_DIR=$T/cache
if ! "$ZVMCC" -O2 tests/determinism/det.c -o "$T/det.nexe" 2>"$T/err"; then
	nok "zvm-cc det.c: $(head -3 "$T/err")"
	exit 0
fi
ok "det.c builds with zvm-cc (musl)"
nexe=$(cd "$T" && pwd)/det.nexe
printf 'line one\nline two\n' > "$T/input.txt"
input=$(cd "$T" && pwd)/input.txt

# run DIR SEED EPOCH: one run in DIR; leaves out.txt err.txt out.tar report.json
run() {
	local d=$1
	mkdir -p "$d"
	cat > "$d/job.manifest" <<EOF
Program = $nexe
Seed = $2
Epoch = $3
Arg = x
Env = GREETING=hello
Channel = $input, /dev/stdin, 0, unlimited, unlimited, 0, 0
Channel = out.txt, /dev/stdout, 0, 0, 0, unlimited, unlimited
Channel = err.txt, /dev/stderr, 0, 0, 0, unlimited, unlimited
Channel = out.tar, /dev/image-out, 0, 0, 0, unlimited, unlimited
EOF
	(cd "$d" && "$OLDPWD/$ZVM" run --report json --report-file report.json -m job.manifest)
}
digests() { grep -o '"sha256":"[0-9a-f]*"' "$1" | tr '\n' ' '; }

same=0 first=""
for i in $(seq "$RUNS"); do
	if [ "$i" = $((RUNS / 2 + 1)) ]; then # the second half on a loaded machine
		for b in 1 2; do (while :; do :; done) & burners+=($!); done
	fi
	d=$T/run-$i-$RANDOM/deeper
	tz=UTC; [ $((i % 2)) = 0 ] && tz=Asia/Tokyo
	rc=0
	TZ=$tz LANG=C.UTF-8 LC_ALL=C run "$d" 42 1700000000000000000 || rc=$?
	sleep 0.0$((RANDOM % 10))
	if [ $rc != 0 ]; then
		nok "run $i exits $rc: $(head -c 300 "$d/err.txt" 2>/dev/null) $(head -c 300 "$d/report.json" 2>/dev/null)"
		break
	fi
	sig="$(sha256sum < "$d/out.txt") $(sha256sum < "$d/err.txt") $(sha256sum < "$d/out.tar") $(digests "$d/report.json")"
	if [ -z "$first" ]; then
		first=$sig firstdir=$d
		same=1
	elif [ "$sig" = "$first" ]; then
		same=$((same + 1))
	else
		echo "# run $i differs from run 1:"
		diff "$firstdir/out.txt" "$d/out.txt" | head -10 | sed 's/^/# /'
		break
	fi
done
for p in "${burners[@]}"; do kill "$p" 2>/dev/null; done
burners=()
check "$same of $RUNS runs (other directories, TZ, host times, load) give identical stdout, stderr, image-out and digests" [ "$same" = "$RUNS" ]
virtual_time() { grep -q '^time 1700000000$' "$1" && grep -q '^after sleep 1700000002$' "$1"; }
check "the output holds what a host would vary (time from the Epoch, 2 s of sleep passed, 1 ms timing loop ended)" \
	virtual_time "$firstdir/out.txt"
check "the image-out tar holds the file the program wrote" \
	sh -c "tar -xOf '$firstdir/out.tar' out/result.txt | grep -q '^written at 17000000'"

run "$T/seed" 43 1700000000000000000 >/dev/null 2>&1
a=$(grep ' random$' "$firstdir/out.txt") b=$(grep ' random$' "$T/seed/out.txt" 2>/dev/null)
differs() { [ -n "$2" ] && [ "$1" != "$2" ]; }
check "another Seed gives other random bytes ($a vs $b)" differs "$a" "$b"
run "$T/epoch" 42 1800000000000000000 >/dev/null 2>&1
check "another Epoch gives another time" grep -q '^time 1800000000$' "$T/epoch/out.txt"
