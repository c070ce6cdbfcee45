#!/usr/bin/env bash
# The Go binding's checks, run from the repository root by `make test-go`
# (after `make build`): gofmt, go vet, then go test -race (the tests start their own
# sandbox), then a build and a short run in pkg-config mode against a
# moneykit.pc that points at this tree. Exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$here"
export CGO_ENABLED=1

libdir=$repo/target/release
for f in "$libdir/libmoneykit.so" "$libdir/libmoneykit.so.0.1" "$repo/include/moneykit.h"; do
  [ -e "$f" ] || { echo "test-go: $f is missing: run \`make build\` first" >&2; exit 1; }
done
export MONEYKIT_SANDBOX_BIN=${MONEYKIT_SANDBOX_BIN:-$libdir/moneykit-sandbox}

echo "== gofmt (generated files included: gen/src/go.rs writes them gofmt-clean)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "test-go: not gofmt-clean: $unformatted" >&2
  exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test -race"
log=$(mktemp)
pcdir=$(mktemp -d)
trap 'rm -rf "$log" "$pcdir"' EXIT
if ! go test -race -count=1 -v ./... >"$log" 2>&1; then
  cat "$log"
  echo "test-go: FAILED" >&2
  exit 1
fi
grep -E '^--- (PASS|SKIP)' "$log" | sed 's/^/  /'
echo "  $(grep -cE '^\s*--- PASS' "$log") tests, subtests and examples passed, $(grep -cE '^\s*--- SKIP' "$log" || true) skipped"
grep -E '^(ok|FAIL)\s' "$log"

echo "== pkg-config mode (-tags moneykit_pkgconfig)"
if ! command -v pkg-config >/dev/null; then
  echo "  skipped: pkg-config is not installed (bindings/go/ci-deps.sh installs it)"
  echo "test-go: all Go checks passed"
  exit 0
fi
prefix=$pcdir/prefix
if [ -f "$repo/packaging/install.mk" ]; then
  # The real thing: a temporary `make install`, then build and run from that prefix only.
  make_cmd=(make --no-print-directory -C "$repo")
  grep -Eq '^[[:space:]]*-?include[[:space:]]+packaging/install\.mk' "$repo/Makefile" || make_cmd+=(-f packaging/install.mk)
  if ! env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL "${make_cmd[@]}" install PREFIX="$prefix" DESTDIR= >"$pcdir/install.log" 2>&1; then
    cat "$pcdir/install.log"
    echo "test-go: make install into $prefix failed" >&2
    exit 1
  fi
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig MONEYKIT_SANDBOX_BIN=$prefix/bin/moneykit-sandbox
  runlib=$prefix/lib
  echo "  installed into $prefix"
else
  # No packaging yet: a moneykit.pc pointing at this tree.
  version=$(sed -n 's/^#define MK_VERSION "\(.*\)"/\1/p' "$repo/include/moneykit.h")
  mkdir -p "$pcdir/pc"
  printf '%s\n' "prefix=$repo" 'libdir=${prefix}/target/release' 'includedir=${prefix}/include' '' \
    'Name: moneykit' 'Description: moneykit-native (in-tree)' "Version: $version" \
    'Libs: -L${libdir} -lmoneykit' 'Cflags: -I${includedir}' >"$pcdir/pc/moneykit.pc"
  export PKG_CONFIG_PATH=$pcdir/pc
  runlib=$libdir
fi
echo "  pkg-config --cflags --libs moneykit: $(pkg-config --cflags --libs moneykit)"
# Go's build cache keys cgo packages on CGO_CFLAGS/CGO_LDFLAGS but not on pkg-config's
# output: a second run with a new temporary prefix would link against the first one's.
# Repeating the flags here (harmless duplicates) puts the prefix into the cache key.
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} $(pkg-config --cflags moneykit)"
export CGO_LDFLAGS="${CGO_LDFLAGS:--O2 -g} $(pkg-config --libs moneykit)"
go vet -tags moneykit_pkgconfig ./...
go test -tags moneykit_pkgconfig -c -o "$pcdir/pc.test" .
# ldd's output is captured first: `ldd | grep -q` under pipefail fails whenever grep exits
# at its match while ldd still writes (SIGPIPE), which a loaded machine made happen.
deps=$(LD_LIBRARY_PATH=$runlib ldd "$pcdir/pc.test")
if ! grep -q "libmoneykit.so.0.1 => $runlib/" <<<"$deps"; then
  echo "$deps" >&2
  echo "test-go: the pkg-config build does not load libmoneykit from $runlib" >&2
  exit 1
fi
LD_LIBRARY_PATH=$runlib "$pcdir/pc.test" -test.count=1 \
  -test.run '^(TestStatusConstantsMatchHeader|TestVersionMatchesHeader|TestGetIdentityOK|TestSandboxStatuses|Example)$'
echo "test-go: all Go checks passed"
