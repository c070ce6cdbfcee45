#!/usr/bin/env bash
# Runs a command with a fresh sandbox on a free loopback port: exports
# MONEYKIT_BASE_URL, MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET for it, and
# stops the sandbox however the command ends.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${MONEYKIT_SANDBOX_BIN:-$here/target/release/moneykit-sandbox}
[ -x "$bin" ] || { echo "sandbox binary not found at $bin (run: make build)" >&2; exit 1; }

fifo=$(mktemp -u)
mkfifo "$fifo"
"$bin" --addr 127.0.0.1:0 >"$fifo" &
pid=$!
drain=
cleanup() {
  kill $pid $drain 2>/dev/null || true
  wait $pid $drain 2>/dev/null || true
  rm -f "$fifo"
}
trap cleanup EXIT
exec 3<"$fifo"
read -r -t 20 line <&3 || { echo "sandbox did not start" >&2; exit 1; }
# Keep draining its stdout so it never blocks on a full pipe.
cat <&3 >/dev/null &
drain=$!
url=${line#listening on }
export MONEYKIT_BASE_URL=$url MONEYKIT_CLIENT_ID=sandbox-client MONEYKIT_CLIENT_SECRET=sandbox-secret
rc=0
"$@" || rc=$?
exit $rc
