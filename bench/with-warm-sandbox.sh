#!/usr/bin/env bash
# scripts/with-sandbox.sh, but the command starts only once the sandbox has built its
# fixtures (it builds the multi-MB mk_sandbox_large body on a background thread at start,
# which would compete with the first measurements).
#   bench/with-warm-sandbox.sh COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench_bin=${MONEYKIT_BENCH_BIN:-$here/target/release/moneykit-bench}
exec "$here/scripts/with-sandbox.sh" bash -c '"$0" warm && exec "$@"' "$bench_bin" "$@"
