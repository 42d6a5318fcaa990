#!/bin/bash
# zvm exec (docs/exec.md): a nexe as a host command, TAP output. The
# caller's directory is in the cell at its host path, stdio and the exit status pass
# through, written files come back, the caller's environment does not
# leak in, and nothing outside the directory is touched. The write-back's
# refusals of hostile archives are tests/unit/tools/test_exec_tar.c.
set -u
. "$(dirname "$0")/../lib.sh"
ZVMCC=$BUILD/bin/zvm-cc
if [ ! -x "$ZVMCC" ] || [ ! -x "$ZVM" ] || [ ! -f "$BUILD/runtime/musl/lib/libc.a" ]; then
	skip "zvm, zvm-cc or musl not built"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
ZVM=$(cd "$(dirname "$ZVM")" && pwd)/zvm
"$ZVMCC" -O2 tests/compat/files.c -o "$T/files.nexe" || { nok "files.c does not build"; exit 0; }
W=$T/work; mkdir -p "$W/sub"
echo "in the directory" >"$W/sub/in.txt"
echo "unchanged" >"$W/same.txt"
touch -d '2001-01-01' "$W/same.txt"
cd "$W" || exit 1

out=$(echo "from stdin" | "$ZVM" exec "$T/files.nexe" cat sub/in.txt /dev/stdin 2>"$T/err")
[ "$out" = "in the directory
from stdin" ] && ok "the directory's files (relative names) and the caller's stdin" || nok "cat: '$out' $(cat "$T/err")"
"$ZVM" exec "$T/files.nexe" exit 7 2>"$T/err" >/dev/null; rc=$?
[ $rc = 7 ] && [ "$(cat "$T/err")" = bye ] && ok "exit status (7) and stderr passed" || nok "exit: $rc, '$(cat "$T/err")'"
if "$ZVM" exec "$T/files.nexe" write new/deep/made.txt written 2>"$T/err" &&
   [ "$(cat new/deep/made.txt)" = written ] && "$ZVM" exec "$T/files.nexe" write sub/in.txt changed 2>>"$T/err" &&
   [ "$(cat sub/in.txt)" = changed ]; then
	ok "a new file (and its directories) and a changed one are written back"
else nok "write back: $(cat "$T/err")"; fi
"$ZVM" exec "$T/files.nexe" cat same.txt >redirected.txt
[ "$(cat redirected.txt)" = unchanged ] && ok "stdout redirected into a file of the directory is not undone by the write-back" || nok "redirected.txt: '$(cat redirected.txt)'"
[ "$(stat -c %Y same.txt)" = "$(date -d 2001-01-01 +%s)" ] && ok "an unchanged file is not rewritten (its mtime kept)" || nok "same.txt was rewritten"
"$ZVM" exec "$T/files.nexe" write "$T/beside.txt" x && "$ZVM" exec "$T/files.nexe" write /etc/zvm-exec-test x &&
	"$ZVM" exec "$T/files.nexe" write "$W/abs.txt" absolute
[ ! -e "$T/beside.txt" ] && [ ! -e /etc/zvm-exec-test ] && [ ! -e etc ] && [ "$(cat abs.txt)" = absolute ] &&
	ok "the directory is at its host path in the cell; what is written outside it stays in the cell" ||
	nok "outside the directory: $(ls "$T" /etc/zvm-exec-test etc 2>&1)"
out=$(cd sub && "$ZVM" exec --dir .. "$T/files.nexe" cat in.txt ../same.txt 2>&1)
[ "$out" = "changed
unchanged" ] && ok "the program starts in the caller's directory inside --dir (relative names, ..)" || nok "cwd: '$out'"
"$ZVM" exec --no-write-back "$T/files.nexe" write nowb.txt x
[ ! -e nowb.txt ] && ok "--no-write-back writes nothing" || nok "--no-write-back wrote nowb.txt"
mkdir -p "$T/other" && echo other >"$T/other/o.txt"
out=$("$ZVM" exec --dir "$T/other" "$T/files.nexe" cat o.txt) && "$ZVM" exec --dir="$T/other" "$T/files.nexe" write o2.txt y &&
	[ "$out" = other ] && [ -f "$T/other/o2.txt" ] && [ ! -e o2.txt ] && ok "--dir DIR is given and written back instead" || nok "--dir: '$out'"
out=$(ZVM_EXEC_SECRET=s3cret "$ZVM" exec "$T/files.nexe" env ZVM_EXEC_SECRET)
[ "$out" = "(unset)" ] && ok "the caller's environment is not passed" || nok "environment leaked: $out"
out=$(ZVM_EXEC_SECRET=s3cret "$ZVM" exec --pass-env ZVM_EXEC_SECRET "$T/files.nexe" env ZVM_EXEC_SECRET)
out2=$("$ZVM" exec --env A=b "$T/files.nexe" env A)
[ "$out" = s3cret ] && [ "$out2" = b ] && ok "--pass-env NAME and --env NAME=VALUE" || nok "--pass-env: '$out' --env: '$out2'"
"$ZVM" exec --timeout 0.5 "$T/files.nexe" spin 2>"$T/err"; rc=$?
[ $rc = 124 ] && [ ! -e spun ] && ok "a cell ended by its timeout (124) writes nothing back" || nok "timeout: rc $rc, $(ls spun 2>&1)"
ln -s "$T/outside" link && mkdir -p "$T/outside"
"$ZVM" exec "$T/files.nexe" write link/escaped x 2>"$T/err"; rc=$?
[ $rc = 127 ] && [ ! -e "$T/outside/escaped" ] && grep -q 'link/.*symlink is not followed' "$T/err" &&
	ok "a write through the caller's symlink is refused (127, named)" || nok "symlink: rc $rc, $(cat "$T/err")"
rm -f link
"$ZVM" exec --image x.tar "$T/files.nexe" exit 0 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q -- '--image: not an option of zvm exec' "$T/err" && ok "--image is refused (exec makes the image)" || nok "--image: $rc $(cat "$T/err")"
"$ZVM" exec --memory 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'needs a value' "$T/err" && ok "an option without its value is a usage error" || nok "--memory: $rc"
"$ZVM" exec --help | grep -q '^usage: zvm exec' && ok "--help" || nok "--help"
# as a runner hook: a script runs "$RUNNER prog args" as autoconf's and
# test suites' cross-compiling hooks do
printf '#!/bin/sh\nexec "%s" exec "$@"\n' "$ZVM" >"$T/zvm-exec"; chmod +x "$T/zvm-exec"
out=$(RUNNER="$T/zvm-exec" sh -c '$RUNNER "$0" write hook.txt via-hook && cat hook.txt' "$T/files.nexe")
[ "$out" = via-hook ] && ok "usable as a runner hook (\$RUNNER prog args)" || nok "runner hook: '$out'"
