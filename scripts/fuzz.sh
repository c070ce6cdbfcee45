#!/usr/bin/env bash
# Coverage-guided fuzzing of every fuzz target with AFL++ (issue 23; fuzz/README.md).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]       (make fuzz FUZZ_SECONDS=N FUZZ_TARGETS="a b")
#
# SECONDS per target (default 600), one target after the other; no TARGET: all of them
# (fuzz/afl/src/bin/*.rs). For each target: seeds are fuzz/corpus/<target>/; afl-fuzz runs
# for SECONDS; the queue is minimized (afl-cmin, edge coverage) back into
# fuzz/corpus/<target>/ so the next run starts where this one ended (commit it; with
# FUZZ_UPDATE_CORPUS=0, as `make stress` runs it, the corpus is left alone); every crash
# input is copied to fuzz/regressions/<target>/ (commit it: `cargo test -p moneykit-fuzz`
# replays it until it is fixed, and for ever after). Exits non-zero when a target crashed.
#
# Installs cargo-afl (pinned, `cargo install --locked`; it builds AFL++ from the source it
# ships) when missing, then builds fuzz/afl with `cargo afl build --release` on the stable
# toolchain. The AFL++ output of the last run stays in fuzz/afl/target/afl-out/<target>/.
set -euo pipefail

AFL_VERSION=0.18.2
root=$(cd "$(dirname "$0")/.." && pwd)
afl_crate=$root/fuzz/afl
out_root=$afl_crate/target/afl-out
seconds=${1:-600}
shift || true
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in "$afl_crate"/src/bin/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi
for t in "${targets[@]}"; do
  [ -f "$afl_crate/src/bin/$t.rs" ] || { echo "fuzz.sh: no target '$t' (fuzz/afl/src/bin/$t.rs)" >&2; exit 2; }
  [ -n "$(ls -A "$root/fuzz/corpus/$t" 2>/dev/null)" ] || { echo "fuzz.sh: fuzz/corpus/$t/ is empty (python3 fuzz/seed.py $t)" >&2; exit 2; }
done

# ---- cargo-afl and AFL++
installed=$(cargo afl --version 2>/dev/null || true)
if [[ $installed != "cargo-afl $AFL_VERSION "* ]]; then
  echo "== installing cargo-afl $AFL_VERSION (builds AFL++; about a minute)"
  cargo install cargo-afl --locked --version "$AFL_VERSION"
fi
# AFL++ is built per rustc version: after a toolchain update it must be built again.
afl_help=$(cargo afl fuzz -h 2>&1 || true) # exits 1 even when all is well
if [[ $afl_help != *"based on afl"* ]]; then
  echo "== building AFL++ for this rustc (cargo afl config --build)"
  cargo afl config --build
fi

# ---- the instrumented targets
# Not --locked: when the library, the sandbox or the CLI gains a dependency, cargo adds it to
# fuzz/afl/Cargo.lock (existing pins kept); commit the lock with the corpora then.
echo "== cargo afl build --release (fuzz/afl)"
(cd "$afl_crate" && cargo afl build --release --bins)
bin_dir=$afl_crate/target/release

# Names inputs by content, so re-runs and other machines add nothing twice.
content_name() { sha1sum "$1" | cut -c1-16; }

export AFL_SKIP_CPUFREQ=1                      # containers: no access to the CPU governor
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 # containers: core_pattern may pipe to a helper
export AFL_NO_UI=1                             # plain status lines, fit for logs
export AFL_NO_AFFINITY=1                       # a shared machine: do not claim a core
export AFL_IGNORE_SEED_PROBLEMS=1              # a seed that crashes is skipped, reported below
export AFL_FAST_CAL=1

failed=0
summary=()
mkdir -p "$out_root"
for t in "${targets[@]}"; do
  out=$out_root/$t
  corpus=$root/fuzz/corpus/$t
  regressions=$root/fuzz/regressions/$t
  rm -rf "$out"
  mkdir -p "$out"
  before=$(ls "$corpus" | wc -l)
  dict=()
  [ -f "$root/fuzz/dict/$t.dict" ] && dict=(-x "$root/fuzz/dict/$t.dict")
  echo "== $t: ${seconds}s from $before seeds (log: fuzz/afl/target/afl-out/$t.log)"
  # -V: stop after that many seconds; -t: a run longer than 2 s is a hang.
  set +e
  timeout $((seconds + 600)) cargo afl fuzz -i "$corpus" -o "$out" -V "$seconds" -t 2000 "${dict[@]}" -- "$bin_dir/$t" \
    >"$out_root/$t.log" 2>&1
  rc=$?
  set -e
  stats=$out/default/fuzzer_stats
  if [ ! -f "$stats" ]; then
    echo "fuzz.sh: afl-fuzz did not start for $t (exit $rc); the end of its log:" >&2
    tail -n 30 "$out_root/$t.log" >&2
    failed=1
    summary+=("$t|afl-fuzz failed to start (exit $rc)||||||||||")
    continue
  fi
  field() { awk -F' *: *' -v k="$1" '$1 == k {print $2}' "$stats"; }

  # Crashes become regression inputs.
  crashes=0
  for f in "$out"/default/crashes/id:*; do
    [ -e "$f" ] || continue
    mkdir -p "$regressions"
    cp "$f" "$regressions/crash-$(content_name "$f")"
    crashes=$((crashes + 1))
  done
  hangs=$(find "$out/default/hangs" -name 'id:*' 2>/dev/null | wc -l)
  skipped=$(grep -c "results in a crash, skipping\|results in a timeout" "$out_root/$t.log" || true)

  # The queue, minimized, becomes the corpus (only when afl-cmin succeeded). -e: edge
  # coverage only (hit counts ignored), which keeps the committed corpus about half as big.
  # AFL_MAP_SIZE: the map size the binary reports (24822 for identity) gives afl-showmap
  # empty traces, so afl-cmin kept nothing; a power of two at least that large works.
  map=65536
  need=$(AFL_DUMP_MAP_SIZE=1 "$bin_dir/$t" </dev/null 2>/dev/null || true) # prints it, exits 1
  need=${need%%[!0-9]*}
  while [ "$map" -lt "${need:-0}" ]; do map=$((map * 2)); done
  min=$out/cmin
  if [ "${FUZZ_UPDATE_CORPUS:-1}" = 0 ]; then
    : # leave fuzz/corpus alone
  elif AFL_MAP_SIZE=$map cargo afl cmin -e -i "$out/default/queue" -o "$min" -t 2000 -- "$bin_dir/$t" \
      >"$out_root/$t.cmin.log" 2>&1 && [ -n "$(ls -A "$min" 2>/dev/null)" ]; then
    rm -f "$corpus"/*
    for f in "$min"/*; do
      # No huge file in git: the fuzzer reaches the same code with smaller ones.
      [ "$(stat -c %s "$f" 2>/dev/null || wc -c <"$f")" -le 65536 ] || continue
      cp "$f" "$corpus/$(content_name "$f")"
    done
  else
    echo "fuzz.sh: afl-cmin failed for $t, fuzz/corpus/$t/ left as it was (log: $out_root/$t.cmin.log)" >&2
  fi
  after=$(ls "$corpus" | wc -l)
  summary+=("$t|$(field execs_done)|$(field execs_per_sec)|$(field edges_found) / $(field total_edges) ($(field bitmap_cvg))|$(field stability)|$(field corpus_count)|$before -> $after|$(field saved_crashes)|$(field saved_hangs)|$(field run_time)|$skipped")
  if [ "$crashes" -gt 0 ]; then
    echo "== $t: $crashes crash input(s) copied to fuzz/regressions/$t/" >&2
    failed=1
  fi
  [ "$hangs" -eq 0 ] || echo "== $t: $hangs hang(s) (over 2 s) in fuzz/afl/target/afl-out/$t/default/hangs/" >&2
done

{
  echo
  echo "| target | execs_done | execs_per_sec | edges_found / total_edges (bitmap_cvg) | stability | corpus_count | committed corpus | saved_crashes | saved_hangs | run_time (s) | seeds skipped |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for row in "${summary[@]}"; do echo "| ${row//|/ | } |"; done
} | tee "$out_root/summary.md"

if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: crashes found: see fuzz/regressions/ (replay: cargo test -p moneykit-fuzz --test replay)" >&2
  exit 1
fi
