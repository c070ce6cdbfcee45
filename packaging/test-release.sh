#!/usr/bin/env bash
# `make release-test` (part of `make dist-test`, after `make release`): the release directory
# as a downloader gets it, in a temporary directory outside the repository:
#   - exactly the expected files, and `sha256sum -c SHA256SUMS` passes;
#   - the C/C++ tarball: the expected entries, soname and dev links; extracted elsewhere, a C
#     program builds with its relocated pkg-config file (shared, and static), CMake's
#     find_package finds it and links the static library, and the programs run against the
#     tarball's own sandbox;
#   - the CLI and sandbox tarballs: the binary runs and reports the version;
#   - the Go module: `go mod download` reads it from the goproxy directory (the go command
#     checks the zip), and the downloaded tree has the header and the static library;
#   - the wheel: the very file `make wheel` made (make dist-test-python installs and runs it).
# Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=$(sed -n 's/^#define MK_VERSION "\(.*\)"/\1/p' include/moneykit.h)
rel=$(cd "${1:-build/release/$version}" && pwd)
case $version in 0.*) abi=0.$(echo "$version" | cut -d. -f2) ;; *) abi=${version%%.*} ;; esac
platform=linux-x86_64
module=github.com/moneykit-native/moneykit-native/bindings/go

work=$(mktemp -d "${TMPDIR:-/tmp}/moneykit-test-release.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "test-release: FAIL: $*" >&2; exit 1; }
step() { echo "test-release: $*"; }

step "layout of $rel"
wheel=$(cd "$rel" && ls moneykit_native-"$version"-py3-none-manylinux_*_x86_64.whl 2>/dev/null || true)
[ -n "$wheel" ] || fail "no manylinux wheel of $version"
expected="$wheel
SHA256SUMS
goproxy/$module/@v/list
goproxy/$module/@v/v$version.info
goproxy/$module/@v/v$version.mod
goproxy/$module/@v/v$version.zip
moneykit-$version-$platform.tar.gz
moneykit-cli-$version-$platform.tar.gz
moneykit-sandbox-$version-$platform.tar.gz"
actual=$(cd "$rel" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
[ "$actual" = "$(LC_ALL=C sort <<<"$expected")" ] || fail "release files differ:
$(diff <(LC_ALL=C sort <<<"$expected") <(echo "$actual") || true)"
[ "$(wc -l <"$rel/SHA256SUMS")" = "$(($(wc -l <<<"$expected") - 1))" ] || fail "SHA256SUMS does not list every artifact"
(cd "$rel" && sha256sum --quiet -c SHA256SUMS) || fail "sha256sum -c SHA256SUMS"
cmp -s "$rel/$wheel" "bindings/python/dist/$wheel" || fail "the wheel differs from make wheel's"

step "C/C++ tarball"
cname=moneykit-$version-$platform
mkdir -p "$work/c"
tar -C "$work/c" -xzf "$rel/$cname.tar.gz"
c=$work/c/$cname
entries=$(tar -tzf "$rel/$cname.tar.gz" | grep -v '/$' | LC_ALL=C sort)
want="$cname/LICENSE-APACHE
$cname/LICENSE-MIT
$cname/bin/moneykit
$cname/bin/moneykit-sandbox
$cname/include/moneykit.h
$cname/include/moneykit.hpp
$(cd bindings/cpp && printf "$cname/include/%s\n" moneykit/*.hpp)
$cname/lib/cmake/moneykit/moneykit-config-version.cmake
$cname/lib/cmake/moneykit/moneykit-config.cmake
$cname/lib/libmoneykit.a
$cname/lib/libmoneykit.so
$cname/lib/libmoneykit.so.$abi
$cname/lib/libmoneykit.so.$version
$cname/lib/pkgconfig/moneykit.pc"
[ "$entries" = "$(LC_ALL=C sort <<<"$want")" ] || fail "tarball entries differ:
$(diff <(LC_ALL=C sort <<<"$want") <(echo "$entries") || true)"
[ "$(readlink "$c/lib/libmoneykit.so.$abi")" = "libmoneykit.so.$version" ] || fail "soname link"
[ "$(readlink "$c/lib/libmoneykit.so")" = "libmoneykit.so.$abi" ] || fail "dev link"
cmp -s include/moneykit.h "$c/include/moneykit.h" || fail "moneykit.h differs from include/"
owners=$(tar -tvzf "$rel/$cname.tar.gz" | awk '{print $2}' | sort -u)
[ "$owners" = "0/0" ] || fail "tarball entries not owned by 0/0: $owners"

export PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$c/lib/pkgconfig
[ "$(pkg-config --modversion moneykit)" = "$version" ] || fail "pkg-config --modversion"
case "$(pkg-config --cflags moneykit)" in *"$c/include"* | *"$work/c/$cname/lib/pkgconfig/../../include"*) ;;
  *) fail "pkg-config --cflags does not point into the extracted tree: $(pkg-config --cflags moneykit)" ;; esac
cc=${CC:-cc}
# shellcheck disable=SC2046
$cc -std=c99 -Wall -Wextra -Werror -pedantic packaging/tests/consumer.c $(pkg-config --cflags --libs moneykit) \
  -Wl,-rpath,"$c/lib" -o "$work/c_shared"
static_libs=$(pkg-config --static --libs moneykit)
# shellcheck disable=SC2046,SC2086
$cc -std=c99 -Wall -Wextra -Werror -pedantic packaging/tests/consumer.c $(pkg-config --cflags moneykit) \
  ${static_libs/-lmoneykit/-l:libmoneykit.a} -o "$work/c_static"
if grep -q 'NEEDED.*libmoneykit' <<<"$(readelf -d "$work/c_static")"; then fail "c_static depends on libmoneykit.so"; fi
unset PKG_CONFIG_PATH PKG_CONFIG_LIBDIR
cmake -S packaging/tests/cmake -B "$work/cmake" -DCMAKE_PREFIX_PATH="$c" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "cmake configure against the tarball"; }
grep -q "moneykit $version from $c/lib/cmake/moneykit" "$work/cmake.log" || { cat "$work/cmake.log"; fail "CMake found moneykit elsewhere"; }
cmake --build "$work/cmake" --target c_static_consumer >"$work/cmake-build.log" 2>&1 ||
  { cat "$work/cmake-build.log"; fail "cmake build of c_static_consumer"; }
cat >"$work/run.sh" <<RUN
set -e
env -u LD_LIBRARY_PATH "$work/c_shared"
ldd "$work/c_shared" | grep -q "libmoneykit.so.$abi => $c/lib/libmoneykit.so.$abi" \
  || { echo "c_shared did not load the tarball's library" >&2; exit 1; }
env -u LD_LIBRARY_PATH "$work/c_static"
env -u LD_LIBRARY_PATH "$work/cmake/c_static_consumer"
RUN
MONEYKIT_SANDBOX_BIN=$c/bin/moneykit-sandbox bash scripts/with-sandbox.sh bash "$work/run.sh" ||
  fail "a program built from the tarball failed against its sandbox"

step "CLI and sandbox tarballs"
for t in cli:moneykit sandbox:moneykit-sandbox; do
  kind=${t%%:*} bin=${t#*:} name=moneykit-${t%%:*}-$version-$platform
  tar -C "$work" -xzf "$rel/$name.tar.gz"
  [ "$(tar -tzf "$rel/$name.tar.gz" | grep -v '/$' | LC_ALL=C sort | tr '\n' ' ')" = \
    "$name/LICENSE-APACHE $name/LICENSE-MIT $name/$bin " ] || fail "$name.tar.gz entries"
  [ "$("$work/$name/$bin" --version)" = "$bin $version" ] || fail "$name: $bin --version"
  echo "  $kind: $("$work/$name/$bin" --version)"
done

step "Go module from the goproxy directory (go get as bindings/go/README.md's Install says)"
command -v go >/dev/null || fail "go is not on PATH"
gowork=$work/go
mkdir -p "$gowork/app"
goenv=(env GOPROXY="file://$rel/goproxy,https://proxy.golang.org,direct" GONOSUMDB=github.com/moneykit-native
  GOMODCACHE="$gowork/modcache" GOFLAGS= GOTOOLCHAIN=local GOWORK=off)
(cd "$gowork/app" && "${goenv[@]}" go mod init example.com/app >/dev/null 2>&1 &&
  "${goenv[@]}" go get "$module@v$version") >"$gowork/get.log" 2>&1 || { cat "$gowork/get.log"; fail "go get $module@v$version"; }
json=$(cd "$gowork/app" && "${goenv[@]}" go mod download -json "$module@v$version") || fail "go mod download: $json"
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <<<"$json"; }
dir=$(field Dir)
case $dir in "$gowork/modcache/"*) ;; *) fail "the module resolved to $dir, not the module cache" ;; esac
for f in go.mod include/moneykit.h lib/linux-amd64/libmoneykit.a link_linux_amd64.go client.go; do
  [ -f "$dir/$f" ] || fail "the downloaded module lacks $f"
done
cmp -s include/moneykit.h "$dir/include/moneykit.h" || fail "the module's moneykit.h differs from include/"
if ls "$dir"/*_test.go >/dev/null 2>&1 || [ -e "$dir/link_intree.go" ]; then fail "the module carries tests or link_intree.go"; fi
echo "  $module@v$version: go get from the goproxy directory, unpacked $(du -sh "$dir" | cut -f1)"
# The h1: hash a published tag must reproduce (RELEASING.md, "Go module").
echo "  go.sum hash: $(field Sum)"

step "all checks passed ($rel)"
