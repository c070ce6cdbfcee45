#!/usr/bin/env bash
# Runs every benchmark of issue 7 and writes bench/RESULTS.md (see bench/README.md).
#
#   bash bench/run.sh            # normally through `make bench` (which runs `make build` first)
#
# Installs its peers when missing: Debian libcurl4-openssl-dev, libcjson-dev, valgrind,
# strace, redis-server (P12) (apt-get, as root); PyPI moneykit (the official SDK) and requests in a venv
# under build/bench-venv (the system Python stays clean). Raw results go to
# build/bench/results/*.json; the report is written by bench/report.py.
#
# Environment:
#   BENCH_QUICK=1        tiny iteration counts (checks the harness, numbers meaningless)
#   BENCH_WAIT_IDLE=S    wait up to S seconds for the 1-minute load average to drop below 1.0
#   BENCH_NO_INSTALL=1   never install anything; benches whose peers are missing are skipped
#   BENCH_SKIP="p2 p3"   skip these (p1 p2 p3 p4 p5 p6 p7 p8 batch fleet match view webhooks p13py rps profile)
#   BENCH_PIN_CPU=N      CPU on which single-connection pairs (P1-P4, profiles) run, client and
#                        sandbox together (default: the last CPU; "none" to not pin). See README.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

SDK_VERSION=0.2.3        # moneykit on PyPI, the official MoneyKit Python SDK
REQUESTS_VERSION=2.34.2
out=build/bench
res=$out/results
venv=build/bench-venv
rel=target/release
mkdir -p "$res"
rm -f "$res"/*.json "$res"/*.txt
started=$(date +%s)

log() { printf '[bench %4ds] %s\n' $(( $(date +%s) - started )) "$*" >&2; }
skip() { printf '%s' "$2" > "$res/$1.skipped.txt"; log "$1 skipped: $2"; }
wants() { [[ " ${BENCH_SKIP:-} " != *" $1 "* ]]; }
quick() { [ -n "${BENCH_QUICK:-}" ]; }

# ------------------------------------------------------------------ peers
apt_install() {
  [ -n "${BENCH_NO_INSTALL:-}" ] && return 1
  command -v apt-get >/dev/null || return 1
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  if [ ! -f "$out/.apt-updated" ]; then
    $sudo apt-get update -qq >&2 && touch "$out/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}

have_curl_cjson() { pkg-config --exists libcurl libcjson 2>/dev/null; }
if ! have_curl_cjson; then
  log "installing libcurl4-openssl-dev libcjson-dev pkg-config"
  apt_install libcurl4-openssl-dev libcjson-dev pkg-config || true
fi
for tool in valgrind strace redis-server; do
  if ! command -v $tool >/dev/null; then
    log "installing $tool"
    apt_install $tool || true
  fi
done

python=${PYTHON:-python3}
if ! [ -x "$venv/bin/python" ]; then
  log "creating $venv"
  $python -m venv "$venv" || rm -rf "$venv"
fi
if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" - <<EOF 2>/dev/null
import importlib.metadata as m
assert m.version("moneykit") == "$SDK_VERSION" and m.version("requests") == "$REQUESTS_VERSION"
EOF
then
  if [ -z "${BENCH_NO_INSTALL:-}" ]; then
    log "installing moneykit==$SDK_VERSION requests==$REQUESTS_VERSION into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check \
      "moneykit==$SDK_VERSION" "requests==$REQUESTS_VERSION" >&2 || true
  fi
fi
# P13 from Python (issue 26): PyJWT + cryptography, the route of MoneyKit's example code.
PYJWT_VERSION=2.10.1; CRYPTOGRAPHY_VERSION=44.0.0
if [ -x "$venv/bin/python" ] && [ -z "${BENCH_NO_INSTALL:-}" ] && ! "$venv/bin/python" - <<EOF 2>/dev/null
import importlib.metadata as m
assert m.version("PyJWT") == "$PYJWT_VERSION" and m.version("cryptography") == "$CRYPTOGRAPHY_VERSION"
EOF
then
  log "installing PyJWT==$PYJWT_VERSION cryptography==$CRYPTOGRAPHY_VERSION into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    "PyJWT==$PYJWT_VERSION" "cryptography==$CRYPTOGRAPHY_VERSION" >&2 || true
fi

# ------------------------------------------------------------------ build
log "building (cargo --release, C programs, Go test binary)"
cargo build --release --workspace --lib --bins >&2
soname=$(objdump -p "$rel/libmoneykit.so" | awk '$1 == "SONAME" {print $2}'); [ -e "$rel/$soname" ] || ln -sf libmoneykit.so "$rel/$soname"
bench_bin=$rel/moneykit-bench
lib_so=$here/$rel/libmoneykit.so
cc=${CC:-cc}
cflags="-std=c99 -O2 -Wall -Wextra -Werror -pedantic"
$cc $cflags bench/c/p8.c -ldl -o $out/p8
p4_ok=
if have_curl_cjson; then
  # shellcheck disable=SC2046
  $cc $cflags -Iinclude bench/c/p4.c $(pkg-config --cflags --libs libcurl libcjson) \
    -L$rel -lmoneykit -Wl,-rpath,"$here/$rel" -o $out/p4 && p4_ok=1
fi
p3_ok=
if command -v go >/dev/null && [ -f bindings/go/go.mod ]; then
  (cd bench/go && go test -c -o "$here/$out/p3.test" . ) >&2 && p3_ok=1 || true
fi

# ------------------------------------------------------------------ wait for a quiet machine
load1() { cut -d' ' -f1 /proc/loadavg; }
if [ -n "${BENCH_WAIT_IDLE:-}" ]; then
  deadline=$(( $(date +%s) + BENCH_WAIT_IDLE ))
  while awk -v l="$(load1)" 'BEGIN{exit !(l >= 1.0)}' && [ "$(date +%s)" -lt $deadline ]; do
    log "load average $(load1) >= 1.0, waiting"
    sleep 15
  done
fi
cut -d' ' -f1-3 /proc/loadavg > $res/load_start.txt

# ------------------------------------------------------------------ run
# A fresh sandbox per bench, warmed up first (bench/with-warm-sandbox.sh).
sb=bench/with-warm-sandbox.sh
export MONEYKIT_BENCH_BIN=$here/$bench_bin
run() { # name, command... (stdout: one JSON line)
  local name=$1; shift
  wants "$name" || { skip "$name" "skipped by BENCH_SKIP"; return 0; }
  log "$name"
  if "$@" > "$res/$name.json.tmp"; then
    mv "$res/$name.json.tmp" "$res/$name.json"
  else
    rm -f "$res/$name.json.tmp"
    skip "$name" "failed (exit $?) - see the log above"
  fi
}

if quick; then
  P1="--rounds 4 --batch 50"; P4="4 50"; P5="--iters 4"; P6="--rounds 1 --secs 0.3"
  P7="--calls 3000"; P8=4; P2="--rounds 2 --batch 10"; RPS="--secs 0.3"; P3T=0.2s; P3R=1
  PROF=100
else
  P1="--rounds 40 --batch 250"; P4="40 250"; P5="--iters 25"; P6="--rounds 7 --secs 1"
  P7="--calls 100000"; P8=20; P2="--rounds 20 --batch 100"; RPS="--secs 2"; P3T=0.5s; P3R=5
  PROF=1000
fi

# Single-connection pairs run with client and sandbox pinned to one CPU: on a VM, whether the
# sandbox thread serving a connection lands on the client's CPU or the other one changes a
# round trip by ~40 µs (cross-CPU wake-ups), per connection and at random, which would make
# one side of a pair look slow by luck. On one CPU a round trip is the work of both processes.
pin_cpu=${BENCH_PIN_CPU:-$(( $(nproc) - 1 ))}
if [ "$pin_cpu" != none ] && [ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null; then
  pin() { taskset -c "$pin_cpu" "$@"; }
  echo "$pin_cpu" > $res/pin_cpu.txt
else
  pin() { "$@"; }
fi

# shellcheck disable=SC2086
{
run rps     $sb $bench_bin sandbox-rps $RPS
run rps_pinned pin $sb $bench_bin sandbox-rps $RPS --threads 1
run p1      pin $bench_bin p1 $P1
run p5      $bench_bin p5 $P5
if [ -n "$p4_ok" ]; then run p4 pin $sb $out/p4 $P4; else skip p4 "libcurl/cJSON development files missing"; fi
run p6      $bench_bin p6 $P6
run p7      $sb $bench_bin p7 $P7
run p8      $sb $out/p8 "$lib_so" $P8
# P9: batch vs a pool of 16 over the single call, realistic sandbox in-process (issue 15).
run batch   $bench_bin batch --calls "$(quick && echo 300 || echo 2000)"
# P12: four processes, one app budget through a redis-server the bench starts (issue 28).
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
  run fleet $bench_bin fleet $(quick && echo "--calls 75 --rounds 2 --batch 50")
else
  skip fleet "redis-server / redis-cli not installed (make deps, or apt-get install redis-server)"
fi
# P11: the typed C view: parse-to-view throughput, typed vs JSON get per call (issue 16).
run view    $bench_bin view $(quick && echo "--iters 5 --rounds 5 --batch 50")
# P10: owner match rates: mk_match_owners per call, claims against a parsed identity (issue 14).
run match   $bench_bin match $(quick && echo "--iters 20 --rounds 2")
# P13: webhook verifications per CPU second vs ring's raw P-256 verify (issue 26).
run webhooks $bench_bin webhooks $(quick && echo "--iters 20 --rounds 2")
}

# P2: Python. moneykit_native is used from the source tree (no install needed).
if wants p2; then
  if [ ! -d bindings/python/src/moneykit_native ]; then
    skip p2 "bindings/python/src/moneykit_native does not exist yet"
  elif [ ! -x "$venv/bin/python" ]; then
    skip p2 "no venv with the official SDK (python3 -m venv failed)"
  else
    # shellcheck disable=SC2086
    run p2 pin $sb env PYTHONPATH="$here/bindings/python/src" MONEYKIT_NATIVE_LIB="$lib_so" \
      "$venv/bin/python" bench/python/p2.py $P2
  fi
fi
# P13 from Python: WebhookVerifier.verify vs PyJWT + cryptography on the same deliveries.
if wants p13py; then
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import jwt, cryptography" 2>/dev/null; then
    skip p13py "PyJWT and cryptography are not installed in $venv (BENCH_NO_INSTALL, or pip failed)"
  else
    # shellcheck disable=SC2046
    run p13py env PYTHONPATH="$here/bindings/python/src" MONEYKIT_NATIVE_LIB="$lib_so" \
      MONEYKIT_SANDBOX_BIN="$here/$rel/moneykit-sandbox" \
      "$venv/bin/python" bench/python/p13.py $(quick && echo "--rounds 2 --batch 50")
  fi
fi

# P3: Go. The three benchmarks in rotating order, P3R rounds, one sandbox.
if wants p3; then
  if [ -z "$p3_ok" ]; then
    skip p3 "the Go benchmark did not build (bindings/go missing or not compiling, or no Go toolchain)"
  else
    log p3
    # Pinned to one CPU, Go would default to GOMAXPROCS=1; keep the machine's default
    # (GOMAXPROCS = cores) for the judged run, and report GOMAXPROCS=1 beside it.
    if GOMAXPROCS=$(nproc) pin $sb bash bench/go/rounds.sh "$here/$out/p3.test" $P3R $P3T > $res/p3.txt &&
       GOMAXPROCS=1 pin $sb bash bench/go/rounds.sh "$here/$out/p3.test" $P3R $P3T > $res/p3_gomaxprocs1.txt
    then :; else skip p3 "go benchmark failed"; rm -f $res/p3.txt; fi
  fi
fi

# Profiles: callgrind instruction counts (user space, client only: the sandbox is another
# process) and strace syscall counts, per call, ours vs raw ureq.
if wants profile; then
  if command -v valgrind >/dev/null; then
    log "profile: callgrind ($PROF calls each side)"
    for side in ours theirs; do
      pin $sb valgrind --tool=callgrind --callgrind-out-file=$out/callgrind.$side \
        --collect-atstart=no --toggle-collect="*profile_loop_${side}*" \
        $bench_bin profile-$side --calls $PROF > /dev/null 2> $res/callgrind.$side.log || true
      callgrind_annotate $out/callgrind.$side 2>/dev/null | head -80 > $res/callgrind.$side.txt || true
      callgrind_annotate --inclusive=yes $out/callgrind.$side 2>/dev/null | head -80 > $res/callgrind.$side.incl.txt || true
    done
    echo $PROF > $res/profile_calls.txt
  else
    skip callgrind "valgrind not installed"
  fi
  if command -v strace >/dev/null; then
    log "profile: strace -f -c"
    for side in ours theirs; do
      pin $sb strace -f -c -o $res/strace.$side.txt $bench_bin profile-$side --calls $((PROF * 2)) \
        > /dev/null 2>&1 || true
    done
    echo $((PROF * 2)) > $res/strace_calls.txt
  else
    skip strace "strace not installed"
  fi
  # Where P6's 2-thread run spends its CPU (client and in-process sandbox): lock contention
  # in the client would show as futex/mutex symbols, scheduling cost as kernel wake-up paths.
  log "profile: perf (P6, 2 threads)"
  if ! command -v perf >/dev/null; then
    skip perf "perf not installed"
  elif perf record -q -o $out/perf.p6 -- $bench_bin p6 --rounds 1 --secs 2 --threads 2 \
      > /dev/null 2> $res/perf.p6.log; then
    perf report -i $out/perf.p6 --stdio --no-children --sort symbol -g none --percent-limit 0.05 \
      2>/dev/null | grep '%' > $res/perf.p6.txt || true
  else
    skip perf "perf record failed (perf_event_paranoid?): see $res/perf.p6.log"
  fi
fi

cut -d' ' -f1-3 /proc/loadavg > $res/load_end.txt
echo $(( $(date +%s) - started )) > $res/elapsed_s.txt
log "writing bench/RESULTS.md"
$python bench/report.py "$res" bench/RESULTS.md
log "done in $(( $(date +%s) - started )) s"
