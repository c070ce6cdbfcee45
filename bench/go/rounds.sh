#!/usr/bin/env bash
# Runs the P3 benchmarks interleaved: ROUNDS rounds, each running the three benchmarks
# once in a rotating order, from the test binary built by `go test -c`.
#   rounds.sh TEST_BINARY ROUNDS BENCHTIME     (MONEYKIT_BASE_URL must point at a sandbox)
set -euo pipefail
bin=$1 rounds=$2 benchtime=$3
names=(GetIdentity GetIdentityJSON NetHTTP)
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < 3; k++)); do
    n=${names[$(( (r + k) % 3 ))]}
    "$bin" -test.run '^$' -test.bench "^Benchmark${n}\$" -test.benchtime "$benchtime" | grep '^Benchmark'
  done
done
