#!/usr/bin/env bash
# Writes the Go module as a release tag would publish it (`make go-module`, after
# `make build`) into OUT (default build/go-module): the package's Go sources and its
# subpackages' (moneykittest; no tests: they need the repository), go.mod, README and
# licences, plus
#   include/moneykit.h               the header,
#   lib/linux-amd64/libmoneykit.a    the release static library (debug info stripped),
#   link_linux_amd64.go              cgo flags pointing at both (the default build),
#   link_unsupported.go              a clear error on other platforms,
#   vendor_dirs.go, */empty.go       so `go mod vendor` keeps include/ and lib/,
# taken from bindings/go/_module/. The repository's link_intree.go (../../include,
# ../../target/release) is left out; link_pkgconfig.go (-tags moneykit_pkgconfig) stays.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build/go-module}
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

lib=$repo/target/release/libmoneykit.a
header=$repo/include/moneykit.h
for f in "$lib" "$header"; do
  [ -f "$f" ] || { echo "go-module: $f is missing: run \`make build\` first" >&2; exit 1; }
done

# Build next to OUT, then swap, so OUT is never half-written.
tmp=$(mktemp -d "$out.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$here/go.mod" "$here/README.md" "$tmp/"
for f in "$here"/*.go; do
  case $(basename "$f") in
    *_test.go | link_intree.go) ;;
    *) cp "$f" "$tmp/" ;;
  esac
done
# Subpackages (moneykittest), without their tests.
for d in "$here"/*/; do
  name=$(basename "$d")
  case $name in _* | testdata) continue ;; esac
  ls "$d"*.go >/dev/null 2>&1 || continue
  mkdir -p "$tmp/$name"
  for f in "$d"*.go; do
    case $(basename "$f") in
      *_test.go) ;;
      *) cp "$f" "$tmp/$name/" ;;
    esac
  done
done
for f in LICENSE-MIT LICENSE-APACHE; do
  [ -f "$repo/$f" ] && cp "$repo/$f" "$tmp/"
done
cp -R "$here/_module/." "$tmp/"
cp "$header" "$tmp/include/moneykit.h"
# The release archive carries DWARF for every crate (about 110 MB); users' programs are
# linked from it, debug info for the library is not needed there.
objcopy --strip-debug "$lib" "$tmp/lib/linux-amd64/libmoneykit.a"
chmod -R u+rwX,go+rX "$tmp"

module=$(sed -n 's/^module[[:space:]]\{1,\}//p' "$tmp/go.mod")
grep -q "\"$module/include\"" "$tmp/vendor_dirs.go" ||
  { echo "go-module: vendor_dirs.go does not import $module/include: update bindings/go/_module" >&2; exit 1; }

rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "go-module: $module in $out ($(du -sh "$out/lib/linux-amd64/libmoneykit.a" | cut -f1) static library, $(ls "$out"/*.go | wc -l) Go files)"
