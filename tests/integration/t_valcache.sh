#!/bin/bash
# The validation cache's key follows the validator: mk/validator-id.sh gives
# another id when a rule changes (and the same one when nothing does), the
# build's id is the one the tree gives now, and an entry stored under an
# older key (the fixed ".v1" of before, or another id) does not vouch for an
# image the current validator rejects. TAP output.
set -u
source "$(dirname "$0")/../lib.sh"
if [ ! -x "$ZVM" ] || [ ! -f "$LD_SCRIPT" ] || [ ! -f "$BUILD/gen/validator-id.h" ]; then
	skip "zvm, the linker script or $BUILD/gen/validator-id.h not built"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
src=$(sed -n 's|^/\* from: \(.*\) and Zydis .*|\1|p' "$BUILD/gen/validator-id.h")
id_of() { CC=${CC:-gcc} ./mk/validator-id.sh "$T/id.h" "$@" && sed -n 's/.*SFI_VALIDATOR_ID "\(.*\)"/\1/p' "$T/id.h"; }

# shellcheck disable=SC2086
now=$(id_of $src)
check "the build's id is the one the sources give now" grep -q "\"$now\"" "$BUILD/gen/validator-id.h"
# shellcheck disable=SC2086
check "same sources, same id" test "$(id_of $src)" = "$now"
mkdir -p "$T/tree/sfi"
cp sfi/validator-rules.c "$T/tree/sfi/"
# one rule changed: its reason text, the smallest change there is
sed -i '0,/"text-size"/s/"text-size"/"text-size-changed"/' "$T/tree/sfi/validator-rules.c"
check "the copy really differs" bash -c "! cmp -s sfi/validator-rules.c '$T/tree/sfi/validator-rules.c'"
changed=$(cd "$T/tree" && for f in $src; do [ -e "$f" ] || { mkdir -p "$(dirname "$f")"; cp "$OLDPWD/$f" "$f"; }; done &&
	CC=${CC:-gcc} "$OLDPWD/mk/validator-id.sh" "$T/id2.h" $src && sed -n 's/.*SFI_VALIDATOR_ID "\(.*\)"/\1/p' "$T/id2.h")
check "a changed rule gives another id" bash -c "[ -n '$changed' ] && [ '$changed' != '$now' ]"

# end to end: an image the validator rejects, with old entries planted
gcc -c -I tests/escape -I tests/hostile tests/escape/syscall.S -o "$T/bad.o" &&
	ld -static -nostdlib -T "$LD_SCRIPT" "$T/bad.o" -o "$T/bad.nexe" || { nok "syscall.nexe builds"; exit 1; }
mkdir -m 700 "$ZVM_CACHE_DIR"
sum=$(sha256sum < "$T/bad.nexe" | cut -d' ' -f1)
touch "$ZVM_CACHE_DIR/$sum.v1.det" "$ZVM_CACHE_DIR/$sum.$changed.det" "$ZVM_CACHE_DIR/$sum.$changed-z0004000000000000.det"
"$ZVM" run --report json --report-file "$T/r.json" "$T/bad.nexe" </dev/null >/dev/null 2>&1; rc=$?
check "old entries do not vouch: validation failed, exit 126" bash -c "[ $rc = 126 ] && grep -q '\"state\":\"validation failed\"' '$T/r.json'"
check "... and the report says it was not cached" grep -q '"validation_cached":false' "$T/r.json"
