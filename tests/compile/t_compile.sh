#!/bin/bash
# zvm-compile, the compile jail (docs/compile.md): a real compile works, as
# root and as an unprivileged user; hostile sources do not read host files,
# do not run unbounded, cannot flood the caller, cannot write a huge file,
# have no network; an image the validator refuses is the compile's error;
# the jail's processes hold no host root and no capability. TAP.
set -u
source "$(dirname "$0")/../lib.sh"
ZC=$BUILD/bin/zvm-compile
if [ ! -x "$ZC" ] || [ ! -x "$BUILD/bin/zvm-cc" ] || [ ! -d "$BUILD/runtime/musl" ]; then
	echo "ok 1 # skip zvm-compile or the runtime not built"; exit 0
fi
T=$(mktemp -d /tmp/zvm-compile-test.XXXXXX)
chmod 755 "$T"
BG=
cleanup() { [ -n "$BG" ] && kill -9 "$BG" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
jf() { jq -r "$2" "$1"; } # jf REPORT JQ-PATH

# src NAME: a fresh source directory $T/NAME with main.c from stdin
src() { rm -rf "$T/$1"; mkdir -p "$T/$1"; cat > "$T/$1/main.c"; }
# zc NAME [flags]: compile $T/NAME into $T/NAME.nexe; the report in $T/NAME.json
zc() { local d=$1; shift; "$ZC" --lang c --src-dir "$T/$d" --out "$T/$d.nexe" "$@" > "$T/$d.json" 2> "$T/$d.err"; echo $? > "$T/$d.rc"; }
status_is() { [ "$(cat "$T/$1.rc")" = 0 ] && [ "$(jf "$T/$1.json" .status)" = "$2" ]; }

# --- usage
check "--help exits 0 and names the contract" bash -c "'$ZC' --help | grep -q -- '--src-dir DIR --out FILE.nexe'"
"$ZC" > /dev/null 2>&1; check "no arguments: exit 2" test $? = 2
mkdir -p "$T/empty"
"$ZC" --lang c --src-dir "$T/empty" --out "$T/x.nexe" > /dev/null 2> "$T/empty.err"
check "a source dir without a .c file: exit 2, said" bash -c "[ $? = 2 ] && grep -q 'no .c file' '$T/empty.err'"
"$ZC" --lang cobol --src-dir "$T/empty" --out "$T/x.nexe" > /dev/null 2>&1; check "an unknown --lang: exit 2" test $? = 2
"$ZC" --lang c --src-dir "$T/empty" --out "$T/x.nexe" --wall-ms 0 > /dev/null 2>&1; check "--wall-ms 0: exit 2" test $? = 2
mkdir -p "$T/link"; echo 'int main(void){return 0;}' > "$T/link/main.c"; ln -s /etc/passwd "$T/link/p.h"
"$ZC" --lang c --src-dir "$T/link" --out "$T/link.nexe" > /dev/null 2> "$T/link.err"
check "a symlink among the sources is refused (exit 2, named)" bash -c "[ $? = 2 ] && grep -q 'p.h' '$T/link.err'"

# --- a real compile
src hello <<'C'
#include <stdio.h>
int main(int argc, char **argv) { printf("hello from %s, %d args\n", argv[0], argc); return 3; }
C
zc hello
check "hello compiles: status ok, exit_code 0, one JSON object" bash -c "[ \"\$(cat '$T/hello.rc')\" = 0 ] && [ \"\$(jq -r .status '$T/hello.json')\" = ok ] && [ \"\$(jq -r .exit_code '$T/hello.json')\" = 0 ] && [ \"\$(wc -l < '$T/hello.json')\" = 1 ]"
check "the report has every field of the contract" bash -c "jq -e 'has(\"status\") and has(\"exit_code\") and has(\"signal\") and has(\"stdout\") and has(\"stderr\") and has(\"cpu_ms\") and has(\"wall_ms\") and has(\"memory_bytes\") and has(\"truncated\") and .signal == null and .truncated == false and .cpu_ms > 0 and .memory_bytes > 0' '$T/hello.json' > /dev/null"
out=$("$ZVM" run "$T/hello.nexe" -- x 2>&1 < /dev/null); rc=$?
check "the image runs in a cell: $out" bash -c "[ $rc = 3 ] && grep -q 'hello from' <<< '$out'"
check "the image is valid" bash -c "'$ZVM' validate '$T/hello.nexe' | grep -q ': valid'"
mkdir -p "$T/multi/lib"
printf '#include "lib/add.h"\n#include <stdio.h>\nint main(void) { printf("%%d\\n", add(2, 3)); return 0; }\n' > "$T/multi/main.c"
printf 'int add(int a, int b);\n' > "$T/multi/lib/add.h"
printf '#include "add.h"\nint add(int a, int b) { return a + b; }\n' > "$T/multi/lib/add.c"
zc multi
check "several files in subdirectories: compiled and linked" bash -c "[ \"\$(jq -r .status '$T/multi.json')\" = ok ] && [ \"\$('$ZVM' run '$T/multi.nexe' < /dev/null)\" = 5 ]"

src err <<'C'
int main(void) { return undeclared; }
C
zc err
check "a compile error: status error, exit_code 1, gcc's diagnostic" bash -c "[ \"\$(jq -r .status '$T/err.json')\" = error ] && [ \"\$(jq -r .exit_code '$T/err.json')\" = 1 ] && jq -r .stderr '$T/err.json' | grep -q \"main.c:1:.*'undeclared' undeclared\""
check "no image is left behind a failed compile" test ! -e "$T/err.nexe"

# --- host files
for f in /etc/shadow /etc/passwd; do
	name=inc$(basename $f)
	printf '#include "%s"\nint main(void) { return 0; }\n' "$f" | src $name
	zc $name
	first=$(head -c 12 $f)
	check "#include \"$f\": error, no such file in the jail" bash -c "[ \"\$(jq -r .status '$T/$name.json')\" = error ] && jq -r .stderr '$T/$name.json' | grep -q '$f: No such file or directory'"
	check "#include \"$f\": the diagnostic holds none of its contents" bash -c "! jq -r .stderr '$T/$name.json' | grep -qF -- '$first'"
done
# (one include per source: gcc stops at the first that is missing)
for f in ../../../../../../../etc/passwd /oldroot/etc/passwd /tmp/oldroot/etc/passwd; do
	name=inc$(echo $f | tr ./ _-)
	printf '#include "%s"\n' "$f" | src $name
	zc $name
	check "#include \"$f\": no such file either (the jail's root is its own, the host's is detached)" bash -c "jq -r .stderr '$T/$name.json' | grep -q 'etc/passwd: No such file' && ! jq -r .stderr '$T/$name.json' | grep -q 'root:x:0'"
done
for f in /proc/self/environ /proc/self/cmdline /proc/1/environ /sys/kernel/notes /dev/zero /dev/tcp/127.0.0.1/22 /run/zvm.sock; do
	name=inc$(echo $f | tr / _)
	printf '#include "%s"\n' "$f" | src $name
	zc $name --wall-ms 5000
	check "#include \"$f\": no such file in the jail (no /proc, /sys, devices but /dev/null, sockets)" bash -c "[ \"\$(jq -r .status '$T/$name.json')\" = error ] && jq -r .stderr '$T/$name.json' | grep -q 'No such file or directory'"
done
# the jail's view is the toolchain's: its binaries and libraries are there, nothing else of /usr
printf '#include "/usr/include/stdio.h"\n#include "/usr/bin/gcc"\n' | src usrinc
zc usrinc
check "the host's /usr/include is not in the jail (only gcc, as, ld, sh and their libraries)" bash -c "jq -r .stderr '$T/usrinc.json' | grep -q '/usr/include/stdio.h: No such file'"

# --- unbounded compiles
printf '#include "main.c"\nint x;\n' | src recurse
zc recurse --wall-ms 8000
check "a recursive include chain: error, bounded ($(jf "$T/recurse.json" .wall_ms) ms)" bash -c "[ \"\$(jq -r .status '$T/recurse.json')\" = error ] && jq -r .stderr '$T/recurse.json' | grep -q 'nested depth'"
bomb() { # the macros A0..A9 double, B0..B4 multiply by 16: 2^10 * 16^5 tokens
	echo '#define A0 x x'; for i in $(seq 1 9); do echo "#define A$i A$((i-1)) A$((i-1))"; done
	echo "#define B0 $(for i in $(seq 16); do printf 'A9 '; done)"
	for i in $(seq 1 4); do echo "#define B$i $(for j in $(seq 16); do printf "B$((i-1)) "; done)"; done
	echo "$1"
}
bomb 'int x[] = { B4 };' | sed 's/x x/1,/' | src ppbomb
zc ppbomb --cpu-ms 2000 --wall-ms 10000 --memory 268435456
check "a preprocessor bomb (2^30 tokens) is stopped: $(jf "$T/ppbomb.json" .status) in $(jf "$T/ppbomb.json" .wall_ms) ms" bash -c "s=\$(jq -r .status '$T/ppbomb.json'); [ \"\$s\" = timeout ] || [ \"\$s\" = memory ]"
check "... within the limits (wall under 10.5 s)" bash -c "[ \$(jq -r .wall_ms '$T/ppbomb.json') -lt 10500 ]"
# a constant expression of exponential size: what a template/constexpr bomb is in C
{ echo '#define E0 (1+1)'; for i in $(seq 1 40); do echo "#define E$i (E$((i-1))*E$((i-1))-E$((i-1)))"; done; echo 'enum { V = E40 }; int main(void) { return V; }'; } | src cebomb
zc cebomb --cpu-ms 2000 --wall-ms 10000 --memory 268435456
check "a constant-expression bomb is stopped: $(jf "$T/cebomb.json" .status) in $(jf "$T/cebomb.json" .wall_ms) ms, $(( $(jf "$T/cebomb.json" .memory_bytes) >> 20 )) MiB" bash -c "s=\$(jq -r .status '$T/cebomb.json'); [ \"\$s\" = timeout ] || [ \"\$s\" = memory ]"
# the CPU limit alone (memory and wall far away): cc1 meets RLIMIT_CPU
cp "$T/cebomb/main.c" "$T/cpu.c"; mkdir -p "$T/cpu"; mv "$T/cpu.c" "$T/cpu/main.c"
zc cpu --cpu-ms 1000 --wall-ms 30000 --memory 8589934592
check "the CPU limit: status timeout, cc1 ended by SIGXCPU, not the 30 s wall ($(jf "$T/cpu.json" .cpu_ms) ms of CPU, $(jf "$T/cpu.json" .wall_ms) ms of wall)" bash -c "[ \"\$(jq -r .status '$T/cpu.json')\" = timeout ] && jq -r .stderr '$T/cpu.json' | grep -q 'CPU time limit exceeded' && [ \$(jq -r .wall_ms '$T/cpu.json') -lt 20000 ]"
# the wall limit alone: the whole pid namespace dies with its init
marker=wallbomb_$$_$RANDOM
{ echo '#define E0 (1+1)'; for i in $(seq 1 40); do echo "#define E$i (E$((i-1))*E$((i-1))-E$((i-1)))"; done; echo 'enum { V = E40 };'; } > "$T/$marker.c"
mkdir -p "$T/wall"; mv "$T/$marker.c" "$T/wall/"
zc wall --wall-ms 700 --cpu-ms 60000 --memory 4294967296
check "the wall limit: status timeout, signal SIGKILL, $(jf "$T/wall.json" .wall_ms) ms" bash -c "[ \"\$(jq -r .status '$T/wall.json')\" = timeout ] && [ \"\$(jq -r .signal '$T/wall.json')\" = SIGKILL ] && [ \$(jq -r .wall_ms '$T/wall.json') -lt 2500 ]"
sleep 0.2
# ([c]c1: the pattern does not match this check's own command line)
check "no process of the killed jail is left (cc1 on $marker)" bash -c "! pgrep -f '[c]c1 .*$marker' > /dev/null"

# --- output bounds
{ echo 'int main(void) {'; for i in $(seq 4000); do echo "  undeclared_$i = $i;"; done; echo '}'; } | src diag
zc diag --output-bytes 4096
check "huge diagnostics: truncated true, status output, stderr cut at --output-bytes" bash -c "[ \"\$(jq -r .truncated '$T/diag.json')\" = true ] && [ \"\$(jq -r .status '$T/diag.json')\" = output ] && [ \$(jq -r '.stderr | utf8bytelength' '$T/diag.json') -le 4100 ]"
printf 'char big[300000000] = { 1 };\nint main(void) { return big[0]; }\n' | src bigfile
zc bigfile --file-bytes 8388608
check "the output file is bounded (300 MB of data, --file-bytes 8 MiB): $(jf "$T/bigfile.json" .status), no image" bash -c "s=\$(jq -r .status '$T/bigfile.json'); { [ \"\$s\" = output ] || [ \"\$s\" = error ]; } && [ ! -e '$T/bigfile.nexe' ]"
printf '#include <stdio.h>\nint main(void) { puts("\\xff\\xfe bytes"); return 0; }\n#warning "\xff\xfe not utf-8"\n' | src badutf
zc badutf
check "a diagnostic that is not UTF-8 still gives valid JSON (U+FFFD)" bash -c "[ \"\$(jq -r .status '$T/badutf.json')\" = ok ] && jq -r .stderr '$T/badutf.json' | grep -q \$'\\xef\\xbf\\xbd'"

head -c 5000000 /dev/zero > "$T/hello-big.bin"; mkdir -p "$T/toobig"; cp "$T/hello/main.c" "$T/toobig/"; mv "$T/hello-big.bin" "$T/toobig/"
"$ZC" --lang c --src-dir "$T/toobig" --out "$T/toobig.nexe" > /dev/null 2> "$T/toobig.err"; rc=$?
check "sources past 4 MiB are refused before any jail (exit 2, said)" bash -c "[ $rc = 2 ] && grep -q 'bytes' '$T/toobig.err'"

# --- the assembler reads files too
printf '__asm__(".section .rodata\\n.incbin \\"/etc/shadow\\"\\n.text");\nint main(void) { return 0; }\n' | src incbin
zc incbin
check "asm(\".incbin \\\"/etc/shadow\\\"\"): error, the assembler finds no such file" bash -c "[ \"\$(jq -r .status '$T/incbin.json')\" = error ] && jq -r .stderr '$T/incbin.json' | grep -q 'shadow' && ! jq -r .stderr '$T/incbin.json' | grep -qF -- '$(head -c 12 /etc/shadow)'"

# --- the validator
printf 'int main(void) { __asm__ volatile(".byte 0x0f, 0x05"); return 0; }\n' | src rawsys
zc rawsys
check "an asm() of raw syscall bytes (the rewriter cannot see them): error, the validator's rule on stderr" bash -c "[ \"\$(jq -r .status '$T/rawsys.json')\" = error ] && jq -r .stderr '$T/rawsys.json' | grep -q 'forbidden-instruction' && [ ! -e '$T/rawsys.nexe' ]"
printf 'int main(void) { __asm__ volatile("int $0x80"); return 0; }\n' | src int80
zc int80
check "an asm(\"int \$0x80\"): error (refused by zvm-cc's rewriter)" bash -c "[ \"\$(jq -r .status '$T/int80.json')\" = error ] && jq -r .stderr '$T/int80.json' | grep -q 'int'"

# --- who the jail is: catch a running cc1 and look at it from outside
if [ "$(id -u)" = 0 ]; then
	marker=whoami_$$_$RANDOM
	mkdir -p "$T/who"; cp "$T/wall/"*.c "$T/who/$marker.c"
	# (fd 7: a host file the caller holds open, not close-on-exec)
	"$ZC" --lang c --src-dir "$T/who" --out "$T/who.nexe" --wall-ms 4000 --cpu-ms 60000 --memory 4294967296 > "$T/who.json" 2>&1 7< /etc/shadow & BG=$!
	pid=
	for i in $(seq 100); do pid=$(pgrep -f "cc1.*$marker" | head -1); [ -n "$pid" ] && break; sleep 0.03; done
	if [ -n "$pid" ]; then
		st=/proc/$pid/status
		check "as root: the jail's cc1 runs as uid 65534 on the host, not root" bash -c "grep -q '^Uid:[[:space:]]*65534[[:space:]]*65534' $st"
		check "the jail's cc1: no capability, no_new_privs" bash -c "grep -q '^CapEff:[[:space:]]*0000000000000000' $st && grep -q '^CapBnd:[[:space:]]*0000000000000000' $st && grep -q '^NoNewPrivs:[[:space:]]*1' $st"
		check "the jail's cc1 runs under a seccomp filter" bash -c "grep -q '^Seccomp:[[:space:]]*2' $st"
		check "no user namespace can be made below the jail's (user.max_user_namespaces = 0 inside)" bash -c "[ \"\$(nsenter -t $pid -U --preserve-credentials cat /proc/sys/user/max_user_namespaces)\" = 0 ]"
		check "the jail's cc1: no supplementary groups (root's are gone)" bash -c "grep -qE '^Groups:[[:space:]]*$' $st"
		for ns in user mnt pid net ipc uts; do
			check "the jail's cc1 is in a $ns namespace of its own" bash -c "[ \"\$(readlink /proc/$pid/ns/$ns)\" != \"\$(readlink /proc/self/ns/$ns)\" ]"
		done
		check "the jail's net namespace has no interface but lo, and it down" bash -c "l=\$(nsenter -t $pid -n ip -o link); [ \$(wc -l <<< \"\$l\") = 1 ] && grep -q ' lo:' <<< \"\$l\" && ! grep -q 'state UP' <<< \"\$l\""
		check "the jail's root holds only the toolchain: no /etc, /home, /root, /proc" bash -c "r=/proc/$pid/root; [ ! -e \$r/etc ] && [ ! -e \$r/home ] && [ ! -e \$r/root ] && [ ! -e \$r/proc ] && [ ! -e \$r/oldroot ] && [ -e \$r/usr/bin/gcc ] && [ -e \$r/zvm/bin/zvm-cc ]"
		check "the jail's root, its toolchain and /src are read-only" bash -c "[ \$(awk '(\$5 == \"/\" || \$5 == \"/usr/bin/gcc\" || \$5 == \"/zvm/runtime\" || \$5 == \"/src\") && \$6 ~ /^ro/' /proc/$pid/mountinfo | wc -l) = 4 ]"
		# cc1's ancestors in the jail: gcc, zvm-cc, the jail's init
		anc=$pid fds_ok=true
		for k in 1 2 3 4; do
			for f in /proc/$anc/fd/*; do [ "$(readlink $f)" = /etc/shadow ] && fds_ok=false; done
			anc=$(awk '/^PPid:/ {print $2}' /proc/$anc/status)
		done
		check "no process of the jail, its init included, holds the caller's open fd of /etc/shadow" $fds_ok
		lim=/proc/$pid/limits
		check "the jail's cc1 has RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_CPU" bash -c "grep -q 'Max address space *4294967296' $lim && grep -q 'Max file size *67108864' $lim && grep -q 'Max processes *32' $lim && grep -q 'Max open files *128' $lim && grep -q 'Max cpu time *60' $lim"
	else
		nok "caught no running cc1 of the jail"
	fi
	wait $BG; BG=
	check "... and its wall limit ended it" bash -c "[ \"\$(jq -r .status '$T/who.json')\" = timeout ]"

	# an unprivileged caller (zvm serve as its own user): the same jail, no root anywhere
	chmod 777 "$T"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ZC" --lang c --src-dir "$T/hello" --out "$T/user.nexe" > "$T/user.json" 2> "$T/user.err"
	rc=$?
	check "an unprivileged caller compiles in the same jail (user namespace, no root)" bash -c "[ $rc = 0 ] && [ \"\$(jq -r .status '$T/user.json')\" = ok ] && [ \"\$(stat -c %u '$T/user.nexe')\" = 65534 ]"
	printf '#include "/etc/passwd"\n' | src userpw
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ZC" --lang c --src-dir "$T/userpw" --out "$T/userpw.nexe" > "$T/userpw.json" 2>&1
	check "... and cannot include /etc/passwd either" bash -c "jq -r .stderr '$T/userpw.json' | grep -q 'No such file' && ! jq -r .stderr '$T/userpw.json' | grep -q 'root:x:0'"
	# a host without user namespaces: a clear error, exit 1 (user.max_user_namespaces is
	# per user namespace: 0 in a namespace of this test's own)
	unshare -U -r sh -c "echo 0 > /proc/sys/user/max_user_namespaces && exec '$ZC' --lang c --src-dir '$T/hello' --out '$T/nons.nexe'" > /dev/null 2> "$T/nons.err"
	rc=$?
	check "no user namespaces: exit 1 with a clear error" bash -c "[ $rc = 1 ] && grep -q 'user namespaces are off' '$T/nons.err'"
else
	skip "the jail's processes are inspected as root only"
fi

# --- a delegated cgroup v2
if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && [ "$(id -u)" = 0 ]; then
	CG=/sys/fs/cgroup/zvm-compile-test-$$
	if mkdir "$CG" 2>/dev/null && echo '+memory +pids' > "$CG/cgroup.subtree_control" 2>/dev/null; then
		zc hello --cgroup "$CG"
		check "--cgroup: compiled in a cgroup of its own (cgroup true)" bash -c "[ \"\$(jq -r .status '$T/hello.json')\" = ok ] && [ \"\$(jq -r .cgroup '$T/hello.json')\" = true ]"
		zc ppbomb --cgroup "$CG" --memory 134217728 --cpu-ms 20000 --wall-ms 20000
		check "--cgroup: the preprocessor bomb meets memory.max: status memory" bash -c "[ \"\$(jq -r .status '$T/ppbomb.json')\" = memory ]"
		check "--cgroup: the compile's cgroup is removed after it" bash -c "[ -z \"\$(find '$CG' -mindepth 1 -maxdepth 1 -type d)\" ]"
		rmdir "$CG"
	else
		rmdir "$CG" 2>/dev/null
		skip "cgroup v2 without memory and pids for a child here"
	fi
else
	skip "no cgroup v2 on this host ($(stat -fc %T /sys/fs/cgroup 2>/dev/null)): the compile runs under rlimits only"
fi
"$ZC" --lang c --src-dir "$T/hello" --out "$T/x.nexe" --cgroup /nonexistent > /dev/null 2> "$T/cg.err"
rc=$?
check "--cgroup naming no usable cgroup: exit 1, said" bash -c "[ $rc = 1 ] && grep -q 'cgroup' '$T/cg.err'"
