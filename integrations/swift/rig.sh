#!/bin/bash
# integrations/swift/rig.sh start|stop|status — a Swift cluster on one
# machine, from Debian's packages, on loopback only, for zvm's tests and
# demo (docs/swift.md, "The rig"): a proxy with tempauth and memcached, one
# account and one container server, three object servers (one device each,
# three zones, three replicas), and one zvmd per object server, each on its
# own socket and uid range. Everything lives under one directory,
# $ZVM_SWIFT_RIG (default build/swift-rig): config, rings, storage, logs,
# pids. `start` is idempotent and prints eval-able ZVM_SWIFT_* lines; `stop`
# leaves nothing running. Extra: `stop-object N` / `start-object N` (1..3)
# stop or start one object server (the fail-over test); `start-object N
# plain` starts it without the zvm filter.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RIG=${ZVM_SWIFT_RIG:-$BUILD/swift-rig}
PY=/usr/bin/python3
ETC=$RIG/etc RUN=$RIG/run LOG=$RIG/log SRV=$RIG/srv

usage() { echo "usage: rig.sh start|stop|status|stop-object N|start-object N   (docs/swift.md)"; }
die() { echo "rig.sh: $*" >&2; exit 1; }

# A free loopback port (the kernel picks it; nothing else binds it before us
# in practice, and start fails loudly if something did).
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# start NAME CMD...: in the background, stdout and stderr into log/NAME.log
launch() {
	local name=$1; shift
	running "$name" && return 0
	setsid "$@" >>"$LOG/$name.log" 2>&1 < /dev/null &
	echo $! > "$RUN/$name.pid"
}

stop_one() {
	local name=$1 pid i
	[ -f "$RUN/$name.pid" ] || return 0
	pid=$(cat "$RUN/$name.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rm -f "$RUN/$name.pid"
}

wait_port() { # port what
	local i
	for i in $(seq 100); do
		$PY -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
		sleep 0.1
	done
	die "$2 did not listen on 127.0.0.1:$1 (see $LOG)"
}

# Storage needs extended attributes (Swift keeps an object's metadata in
# user.* xattrs). Use $RIG/srv directly when its file system has them;
# otherwise a loop-mounted ext4 image under $RIG.
setup_storage() {
	mkdir -p "$SRV"
	if mountpoint -q "$SRV"; then return 0; fi
	if $PY -c "import os,sys; f='$SRV/.xattr-probe'; open(f,'w').close(); os.setxattr(f,'user.zvm',b'1'); os.unlink(f)" 2>/dev/null; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "$SRV has no user xattrs and a loop mount needs root"
	[ -f "$RIG/srv.img" ] || { truncate -s 2G "$RIG/srv.img"; mkfs.ext4 -q -F "$RIG/srv.img"; }
	mount -o loop,user_xattr "$RIG/srv.img" "$SRV"
}

write_conf() {
	local P_PROXY P_ACC P_CON P_MC i
	mkdir -p "$ETC" "$RUN" "$LOG" "$RIG/cache"
	if [ -f "$ETC/ports" ]; then . "$ETC/ports"; return 0; fi
	P_PROXY=$(free_port); P_ACC=$(free_port); P_CON=$(free_port); P_MC=$(free_port)
	P_OBJ1=$(free_port); P_OBJ2=$(free_port); P_OBJ3=$(free_port)
	cat > "$ETC/ports" <<P
P_PROXY=$P_PROXY P_ACC=$P_ACC P_CON=$P_CON P_MC=$P_MC P_OBJ1=$P_OBJ1 P_OBJ2=$P_OBJ2 P_OBJ3=$P_OBJ3
P
	. "$ETC/ports"
	local suffix; suffix=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	cat > "$ETC/swift.conf" <<C
[swift-hash]
swift_hash_path_suffix = $suffix
swift_hash_path_prefix = zvm-rig
[storage-policy:0]
name = Policy-0
default = yes
C
	local common="[DEFAULT]
bind_ip = 127.0.0.1
workers = 0
swift_dir = $ETC
devices = $SRV
mount_check = false
log_name = %s
log_facility = LOG_LOCAL0
log_level = INFO
log_udp_host =
"
	printf "$common" account > "$ETC/account-server.conf"
	cat >> "$ETC/account-server.conf" <<C
bind_port = $P_ACC
[pipeline:main]
pipeline = account-server
[app:account-server]
use = egg:swift#account
C
	printf "$common" container > "$ETC/container-server.conf"
	cat >> "$ETC/container-server.conf" <<C
bind_port = $P_CON
[pipeline:main]
pipeline = container-server
[app:container-server]
use = egg:swift#container
allow_versions = true
C
	# uids and cgroups of this rig's zvmds, from its directory's name, so
	# two rigs (the tests' and a benchmark's) do not share them
	local tag; tag=$(( $(printf '%s' "$RIG" | cksum | cut -d' ' -f1) % 500 ))
	for i in 1 2 3; do
		eval "port=\$P_OBJ$i"
		printf "$common" "object$i" > "$ETC/object-server-$i.conf"
		cat >> "$ETC/object-server-$i.conf" <<C
bind_port = $port
[pipeline:main]
pipeline = zvm object-server
[filter:zvm]
paste.filter_factory = zvm_swift.objfilter:filter_factory
zvmd_socket = $RUN/zvmd-$i.sock
[app:object-server]
use = egg:swift#object
C
		cat > "$ETC/zvmd-$i.conf" <<C
pool_size = 2
queue_max = 4
socket_mode = 0600
uid_base = $((2110000000 + tag * 10000 + i * 1000))
gid_base = $((2110000000 + tag * 10000 + i * 1000))
cgroup_parent = zvm-swift-$tag-$i
default_timeout = 60
max_timeout = 600
default_cpu_time = 60
max_memory = 1G
C
	done
	cat > "$ETC/proxy-server.conf" <<C
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $P_PROXY
workers = 0
swift_dir = $ETC
log_name = proxy
log_udp_host =
[pipeline:main]
pipeline = catch_errors proxy-logging cache tempauth zvm proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
user_test_tester3 = testing3
reseller_prefix = AUTH
[filter:zvm]
paste.filter_factory = zvm_swift.proxyfilter:filter_factory
zvm = $BUILD/bin/zvm
concurrency = 8
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$P_MC
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:proxy-logging]
use = egg:swift#proxy_logging
C
	# rings: account and container on one device, objects on three
	# devices in three zones, three replicas
	(cd "$ETC"
	swift-ring-builder account.builder create 8 1 1 >/dev/null
	swift-ring-builder account.builder add r1z1-127.0.0.1:$P_ACC/a1 100 >/dev/null
	swift-ring-builder container.builder create 8 1 1 >/dev/null
	swift-ring-builder container.builder add r1z1-127.0.0.1:$P_CON/c1 100 >/dev/null
	swift-ring-builder object.builder create 8 3 1 >/dev/null
	for i in 1 2 3; do
		eval "port=\$P_OBJ$i"
		swift-ring-builder object.builder add r1z$i-127.0.0.1:$port/o$i 100 >/dev/null
	done
	for r in account container object; do swift-ring-builder $r.builder rebalance >/dev/null || true; done)
	for d in a1 c1 o1 o2 o3; do mkdir -p "$SRV/$d"; done
}

# start_object N [plain]: object server N and its zvmd; `plain` runs it
# without the zvm filter (what a job must never fall through to: tests)
start_object() {
	local i=$1 conf="$ETC/object-server-$1.conf"
	. "$ETC/ports"
	eval "port=\$P_OBJ$i"
	if [ "${2:-}" = plain ]; then
		sed 's/^pipeline = zvm object-server$/pipeline = object-server/' "$conf" > "$ETC/object-server-$i-plain.conf"
		conf=$ETC/object-server-$i-plain.conf
	fi
	launch "zvmd-$i" "$BUILD/bin/zvmd" --config "$ETC/zvmd-$i.conf" --socket "$RUN/zvmd-$i.sock"
	launch "object-$i" env PYTHONPATH="$HERE" PYTHONDONTWRITEBYTECODE=1 $PY -m zvm_swift.rigserver object "$conf"
	wait_port "$port" "object server $i"
}

start() {
	[ -x "$BUILD/bin/zvmd" ] || die "$BUILD/bin/zvmd is missing: run make first"
	command -v swift-ring-builder >/dev/null || die "Swift is not installed: run make deps (mk/deps.sh) as root"
	mkdir -p "$RIG"
	setup_storage
	write_conf
	. "$ETC/ports"
	local mcuser=""; [ "$(id -u)" = 0 ] && mcuser="-u root"
	launch memcached memcached -l 127.0.0.1 -p "$P_MC" -U 0 $mcuser
	launch account env PYTHONPATH="$HERE" PYTHONDONTWRITEBYTECODE=1 $PY -m zvm_swift.rigserver account "$ETC/account-server.conf"
	launch container env PYTHONPATH="$HERE" PYTHONDONTWRITEBYTECODE=1 $PY -m zvm_swift.rigserver container "$ETC/container-server.conf"
	for i in 1 2 3; do start_object $i; done
	launch proxy env PYTHONPATH="$HERE" PYTHONDONTWRITEBYTECODE=1 $PY -m zvm_swift.rigserver proxy "$ETC/proxy-server.conf"
	wait_port "$P_MC" memcached; wait_port "$P_ACC" "account server"; wait_port "$P_CON" "container server"
	wait_port "$P_PROXY" proxy
	echo "ZVM_SWIFT_URL=http://127.0.0.1:$P_PROXY"
	echo "ZVM_SWIFT_USER=test:tester"
	echo "ZVM_SWIFT_KEY=testing"
	echo "ZVM_SWIFT_ACCOUNT=AUTH_test"
	echo "ZVM_SWIFT_RIG=$RIG"
}

stop() {
	local n
	[ -d "$RUN" ] || return 0
	for n in proxy object-1 object-2 object-3 zvmd-1 zvmd-2 zvmd-3 container account memcached; do stop_one "$n"; done
	if mountpoint -q "$SRV" 2>/dev/null; then umount "$SRV"; fi
}

status() {
	local n rc=0
	[ -d "$RUN" ] || { echo "rig: not set up ($RIG)"; return 3; }
	for n in memcached account container zvmd-1 object-1 zvmd-2 object-2 zvmd-3 object-3 proxy; do
		if running "$n"; then echo "$n: running (pid $(cat "$RUN/$n.pid"))"; else echo "$n: stopped"; rc=3; fi
	done
	return $rc
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
stop-object) stop_one "object-${2:?N}" ;;
start-object) start_object "${2:?N}" "${3:-}" ;;
-h|--help) usage ;;
*) usage >&2; exit 2 ;;
esac
