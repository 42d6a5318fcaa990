#!/bin/bash
# ZRT in a cell, what musl programs get instead of a kernel (docs/runtime.md):
# unknown system calls say ENOSYS, no processes or threads, no executable
# memory, signals raised by the program itself, abort's exit status, TLS
# initial values and alignment, constructors and atexit order, malloc
# failing cleanly at the memory limit and the memory coming back; writable
# argv and environ strings, the cell's user and HOME and what overrides
# them. TAP.
set -u
. "$(dirname "$0")/../lib.sh"
ZVMCC=$BUILD/bin/zvm-cc
if [ ! -x "$ZVMCC" ] || [ ! -f "$BUILD/runtime/libzrt.a" ] || [ ! -f "$BUILD/runtime/musl/lib/libc.a" ]; then
	skip "musl + ZRT not built (make musl)"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_RUNTIME_DIR=$BUILD/runtime ZVM_LIBC=musl ZVM_CACHE_DIR=$T/cache
for p in enosys process membomb tls identity mapshared passfd; do
	"$ZVMCC" -O2 -Wall -Wextra -Werror "tests/zrt/$p.c" -o "$T/$p.nexe" -lpthread 2>"$T/err" ||
		nok "$p.c builds: $(head -3 "$T/err")"
done

rc=0; out=$("$ZVM" run "$T/enosys.nexe" 2>&1) || rc=$?
check "every unimplemented system call number (-5..599, garbage arguments) returns ENOSYS: $out" \
	[ $rc = 0 -a -n "$(echo "$out" | grep ' 0 did not say ENOSYS')" ]

rc=0; "$ZVM" run --report json --report-file "$T/p.json" "$T/process.nexe" > "$T/p.out" 2>&1 || rc=$?
check "no threads, processes or executable memory; raise() runs handlers; abort() exits 134" \
	diff -u tests/zrt/process.expected "$T/p.out"
check "abort(): exit status 134 (128 + SIGABRT) and the report says exit, not a fault" \
	[ $rc = 134 -a "$(json_field "$T/p.json" state)" = ok ]

rc=0; "$ZVM" run "$T/tls.nexe" > "$T/t.out" 2>&1 || rc=$?
check "TLS initial values, 128-byte alignment, errno, constructors, atexit order, exit 5" \
	[ $rc = 5 -a "$(diff tests/zrt/tls.expected "$T/t.out" && echo same)" = same ]

rc=0; "$ZVM" run --memory 64M --report json --report-file "$T/m.json" "$T/membomb.nexe" > "$T/m.out" 2>&1 || rc=$?
r0=$(sed -n 's/^round 0: \([0-9]*\) MiB before malloc said ENOMEM$/\1/p' "$T/m.out")
r2=$(sed -n 's/^round 2: \([0-9]*\) MiB before malloc said ENOMEM$/\1/p' "$T/m.out")
check "malloc at a 64 MiB limit: NULL with ENOMEM, three times the same amount after freeing ($r0, $r2 MiB), exit 0" \
	[ $rc = 0 -a -n "$r0" -a "$r0" = "$r2" -a "${r0:-0}" -gt 40 ]
check "the refused growth is in the report (heap_refused > 0)" [ "$(json_field "$T/m.json" heap_refused)" -gt 0 ]

# argv and environ are writable; the cell has a user, a home and a PATH
rc=0; "$ZVM" run --env WRITE_ME=value --image-out "$T/id-out.tar" "$T/identity.nexe" -- alpha bb > "$T/id.out" 2>&1 || rc=$?
check "argv and environ strings written by the program; getpwuid, getgrgid, HOME (a directory), PATH: rc $rc $(diff tests/zrt/identity.expected "$T/id.out" | head -4 | tr '\n' ' ')" \
	[ $rc = 0 -a "$(diff tests/zrt/identity.expected "$T/id.out" && echo same)" = same ]
check "the made /etc and /home stay out of /dev/image-out: [$(tar -tf "$T/id-out.tar" | tr '\n' ' ')]" \
	[ -s "$T/id-out.tar" -a -z "$(tar -tf "$T/id-out.tar" | grep -E "^(etc|home)")" ]
out=$("$ZVM" run --env HOME=/elsewhere --env PATH=/opt/bin "$T/identity.nexe" 2>&1)
check "--env HOME=... and PATH=... win over the defaults: $(echo "$out" | grep -E '^(HOME|PATH)' | tr '\n' ' ')" \
	[ -n "$(echo "$out" | grep -x 'HOME /elsewhere, a directory: 0')" -a -n "$(echo "$out" | grep -x 'PATH /opt/bin')" ]
mkdir -p "$T/idimg/etc"
echo 'tenant:x:1000:1000:From the image:/work:/bin/false' > "$T/idimg/etc/passwd"
tar -C "$T/idimg" -cf "$T/id.tar" etc
out=$("$ZVM" run --image "$T/id.tar" "$T/identity.nexe" 2>&1)
check "an image's /etc/passwd wins over the made one: $(echo "$out" | grep getpwuid)" \
	[ -n "$(echo "$out" | grep -x 'getpwuid(1000): tenant uid 1000 gid 1000 dir /work shell /bin/false')" -a \
	  -n "$(echo "$out" | grep -x 'getgrgid(1000): user')" ]

# MAP_SHARED of a file: coherent with the file, written back when left mapped
rc=0; "$ZVM" run --image-out "$T/ms-out.tar" "$T/mapshared.nexe" > "$T/ms.out" 2>&1 || rc=$?
check "MAP_SHARED: mapping and file agree both ways, two mappings, munmap, ENODEV for a channel: rc $rc $(diff tests/zrt/mapshared.expected "$T/ms.out" | head -4 | tr '\n' ' ')" \
	[ $rc = 0 -a "$(diff tests/zrt/mapshared.expected "$T/ms.out" && echo same)" = same ]
check "a file written only through a mapping, never unmapped, reaches /dev/image-out" \
	[ "$(tar -xOf "$T/ms-out.tar" db.bin 2>/dev/null | head -c 27)" = "stored through the mapping" ]

# zvm run --fd N: the caller's descriptors at N in the cell and as /dev/fd/N
printf 'line one\nline two\n' > "$T/in4"
rc=0; "$ZVM" run --fd 4 --fd 5 "$T/passfd.nexe" 4<"$T/in4" 5>"$T/out5" > "$T/pf.out" 2>&1 || rc=$?
check "--fd 4 --fd 5: read and written at 4 and 5, reopened as /dev/fd/N, 9 not there: rc $rc $(diff tests/zrt/passfd.expected "$T/pf.out" | head -4 | tr '\n' ' ')" \
	[ $rc = 0 -a "$(diff tests/zrt/passfd.expected "$T/pf.out" && echo same)" = same ]
check "what the cell wrote to descriptor 5 reached the caller's file" [ "$(cat "$T/out5" 2>/dev/null | tr '\n' ' ')" = "to five again " ]
rc=0; out=$("$ZVM" run --fd 7 "$T/passfd.nexe" 2>&1) || rc=$?
check "--fd 7 when 7 is not open: a usage error that says so ($out)" [ $rc = 2 -a -n "$(echo "$out" | grep 'descriptor 7 is not open')" ]

# Lua: -e, a script on a channel, a script in an image writing a file back out
LUA=$BUILD/lua.nexe
if [ ! -x "$LUA" ]; then
	skip "lua.nexe not built (make lua)"
else
	out=$("$ZVM" run "$LUA" -- -e 'print(1 + 1, _VERSION)' 2>&1)
	check "lua.nexe -e 'print(1 + 1, _VERSION)': $out" [ "$out" = "$(printf '2\tLua 5.4')" ]
	printf 'print("from a channel", ...)\n' > "$T/script.lua"
	cat > "$T/lua.manifest" <<EOF2
Program = $(cd "$BUILD" && pwd)/lua.nexe
Arg = /dev/script.lua
Arg = x
Channel = /dev/stdin, /dev/stdin, 0, unlimited, unlimited, 0, 0
Channel = /dev/stdout, /dev/stdout, 0, 0, 0, unlimited, unlimited
Channel = /dev/stderr, /dev/stderr, 0, 0, 0, unlimited, unlimited
Channel = script.lua, /dev/script.lua, 1, unlimited, unlimited, 0, 0
EOF2
	out=$("$ZVM" run -m "$T/lua.manifest" 2>&1 </dev/null)
	check "a Lua script read from a channel: $out" [ "$out" = "$(printf 'from a channel\tx')" ]
	mkdir -p "$T/img/lib"
	printf 'local m = {}\nfunction m.twice(s) return s .. s end\nreturn m\n' > "$T/img/lib/twice.lua"
	printf 'package.path = "lib/?.lua"\nlocal t = require("twice")\nlocal f = assert(io.open("result.txt", "w"))\nf:write(t.twice("ab"), "\\n")\nf:close()\nprint(io.open("result.txt"):read("a"))\n' > "$T/img/main.lua"
	tar -C "$T/img" -cf "$T/in.tar" main.lua lib
	out=$("$ZVM" run --image "$T/in.tar" --image-out "$T/out.tar" "$LUA" -- main.lua 2>&1)
	check "a Lua program from an image (require of a module in it) writes result.txt back out" \
		[ "$out" = abab -a "$(tar -xOf "$T/out.tar" result.txt 2>/dev/null)" = abab ]
	printf 'not a tar archive, just text that is long enough to fill a block ....' > "$T/bad.tar"
	head -c 600 /dev/urandom >> "$T/bad.tar"
	rc=0; out=$("$ZVM" run --image "$T/bad.tar" "$LUA" -- main.lua 2>&1) || rc=$?
	check "a damaged image: exit 121 and a message on stderr ($out)" [ $rc = 121 -a "$out" = "zrt: /dev/image is not a valid tar archive" ]
fi
