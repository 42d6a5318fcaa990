#!/bin/bash
# The per-cell cgroup on this host, for real (needs root; skips otherwise):
# memory limit enforced by the OOM killer, pids.max = 1 refuses fork, the
# cgroup-BPF program refuses socket creation, and the group is removed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
P=$BUILD/tests/bin/cgroup-probe
n=0
ok()  { n=$((n+1)); echo "ok $n - $*"; }
nok() { n=$((n+1)); echo "not ok $n - $*"; }
if [ "$(id -u)" != 0 ]; then echo "ok 1 # skip needs root"; exit 0; fi
if [ ! -x "$P" ]; then echo "ok 1 # skip $P not built"; exit 0; fi
out=$("$P" run 2>&1)
echo "$out" | sed 's/^/# /'
has() { echo "$out" | grep -qx "$1"; }
mode=$(echo "$out" | sed -n 's/^mode=//p')
[ "$mode" = v1 ] || [ "$mode" = v2 ] && ok "cgroups detected: $mode" || nok "cgroups detected: '$mode'"
has "attach=0" && ok "a process is moved into the cell's group" || nok "attach"
has "child=killed" && echo "$out" | grep -q "^oom=1 " && ok "memory limit: the cell is OOM-killed and the report sees it" || nok "memory limit"
has "fork=Resource temporarily unavailable" && ok "pids.max = 1: fork is refused" || nok "pids.max"
if echo "$out" | grep -q '^bpf='; then
	has "bpf=attached" && has "socket=Operation not permitted" && ok "cgroup-BPF: socket creation refused" || nok "cgroup-BPF"
else
	echo "ok $((n+1)) # skip no cgroup v2 hierarchy for BPF"; n=$((n+1))
fi
has "removed=1" && ok "the group is removed afterwards" || nok "group removal"
