#!/bin/bash
# The playground's pure helpers under Node's test runner
# (tests/browser/util.test.mjs), no browser, no server. TAP.
set -u
source "$(dirname "$0")/../lib.sh"
if ! command -v node > /dev/null; then skip "node missing (make deps)"; exit 0; fi
# node's TAP: top-level "ok N - name" lines, subtests indented
node --test --test-reporter=tap tests/browser/util.test.mjs
