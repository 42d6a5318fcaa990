#!/bin/bash
# integrations/swift/demo.sh — what `make swift-demo` runs: the rig, the word
# count's map POSTed to the account over a container of objects (this
# repository's docs), its counts and the report's headers, the rig stopped
# (docs/swift.md).
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RIG=integrations/swift/rig.sh
trap '"$RIG" stop' EXIT
eval "$("$RIG" start)"
sw() { swift -A "$ZVM_SWIFT_URL/auth/v1.0" -U "$ZVM_SWIFT_USER" -K "$ZVM_SWIFT_KEY" "$@"; }
echo "== the rig: $ZVM_SWIFT_URL ($ZVM_SWIFT_USER), three object servers, one zvmd each"
(cd "$BUILD/examples/wordcount" && sw upload zvm-bin mapper.nexe reducer.nexe >/dev/null)
(cd docs && sw upload zvm-docs *.md >/dev/null)
echo "== swift list zvm-docs  (one mapper per object)"
sw list zvm-docs | tr '\n' ' '; echo
TOKEN=$(sw auth | sed -n 's/.*OS_AUTH_TOKEN=//p')
cat > "$ZVM_SWIFT_RIG/demo-job.json" <<J
[{"name": "map", "exec": {"path": "swift://$ZVM_SWIFT_ACCOUNT/zvm-bin/mapper.nexe"},
  "devices": [{"name": "stdin", "path": "swift://$ZVM_SWIFT_ACCOUNT/zvm-docs/*.md"}], "connect": ["reduce"]},
 {"name": "reduce", "exec": {"path": "swift://$ZVM_SWIFT_ACCOUNT/zvm-bin/reducer.nexe"}, "devices": [{"name": "stdout"}]}]
J
echo "== curl -X POST -H 'X-Zvm-Execute: 1' --data-binary @job.json \$ZVM_SWIFT_URL/v1/$ZVM_SWIFT_ACCOUNT | sort -rn | head"
curl -s -D "$ZVM_SWIFT_RIG/demo.h" -o "$ZVM_SWIFT_RIG/demo.out" -X POST -H "X-Auth-Token: $TOKEN" -H 'X-Zvm-Execute: 1' \
	--data-binary @"$ZVM_SWIFT_RIG/demo-job.json" "$ZVM_SWIFT_URL/v1/$ZVM_SWIFT_ACCOUNT"
sort -rn "$ZVM_SWIFT_RIG/demo.out" | head
echo "== the report's headers"
grep -i '^X-Zvm-' "$ZVM_SWIFT_RIG/demo.h" | tr -d '\r'
grep -qi '^X-Zvm-State: ok' "$ZVM_SWIFT_RIG/demo.h"
