# tests/lib.sh — sourced by the TAP suites (tests/*/t_*.sh): the repository
# root as working directory, the build paths, and the TAP helpers.
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
BUILD=${BUILD:-build}
ZVM=$BUILD/bin/zvm
LD_SCRIPT=$BUILD/runtime/zvm.ld
[ -f "$LD_SCRIPT" ] || LD_SCRIPT=runtime/zvm.ld
n=0
ok()    { n=$((n+1)); echo "ok $n - $*"; }
nok()   { n=$((n+1)); echo "not ok $n - $*"; }
skip()  { n=$((n+1)); echo "ok $n # skip $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else nok "$what"; fi; }
# json_field FILE KEY: the first value of "KEY" in a one-line JSON report
json_field() { grep -o "\"$2\":\(\"[^\"]*\"\|[0-9a-z.]*\)" "$1" | head -1 | sed 's/^[^:]*://; s/"//g'; }
