#!/usr/bin/env bash
# C++ binding tests (`make test-cpp`, after `make build`): configures and builds
# bindings/cpp with CMake into build/cpp (-Wall -Wextra -Werror, ASan + UBSan),
# then runs the GoogleTest binary against a fresh sandbox. Exits non-zero on
# any failure, sanitizer reports included.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

release=target/release
[ -f "$release/libmoneykit.so" ] || { echo "test.sh: $release/libmoneykit.so not found (run: make build)" >&2; exit 1; }
[ -x "$release/moneykit-sandbox" ] || { echo "test.sh: $release/moneykit-sandbox not found (run: make build)" >&2; exit 1; }
# Binaries record the soname; `make build` makes this link, a bare cargo build does not.
[ -e "$release/libmoneykit.so.0" ] || ln -sf libmoneykit.so "$release/libmoneykit.so.0"

build=${MK_CPP_BUILD_DIR:-build/cpp}
cmake -S bindings/cpp -B "$build" -DCMAKE_BUILD_TYPE=Debug -DMONEYKIT_SANITIZE=ON \
  -DMONEYKIT_LIB_DIR="$root/$release" >/dev/null
cmake --build "$build" -j "${MK_JOBS:-2}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export MONEYKIT_SANDBOX_BIN=${MONEYKIT_SANDBOX_BIN:-$root/$release/moneykit-sandbox}
# A warning-free run: diagnostics from MONEYKIT_LOG would only clutter the output.
unset MONEYKIT_LOG
# Brief output (failures and the summary) unless other gtest flags are given.
[ $# -gt 0 ] || set -- --gtest_brief=1
bash scripts/with-sandbox.sh "$build/moneykit_cpp_tests" "$@"
