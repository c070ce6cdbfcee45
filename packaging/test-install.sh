#!/usr/bin/env bash
# `make test-install`: installs into a temporary prefix, then builds from that
# prefix alone, in a directory outside the repository:
#   (a) a C program with `pkg-config --cflags --libs moneykit` (shared library)
#   (b) a C++ program with CMake find_package(moneykit CONFIG REQUIRED) (+ a static C one)
#   (c) a C program linked with libmoneykit.a via `pkg-config --static`
# runs them and the installed bin/moneykit (the CLI) against the installed
# bin/moneykit-sandbox, then uninstalls and
# checks the prefix is empty again. A DESTDIR round trip checks staging and
# that uninstall leaves files it did not install alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

release=target/release
for f in "$release/libmoneykit.so" "$release/libmoneykit.a" "$release/moneykit-sandbox" "$release/moneykit" include/moneykit.h; do
  [ -e "$f" ] || { echo "test-install: $f missing (run: make build)" >&2; exit 1; }
done

# Sub-makes must not inherit the caller's command-line variables (PREFIX, DESTDIR, ...).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make_cmd=(${MAKE:-make} --no-print-directory -C "$root")
# Use `make install` through the root Makefile once it includes packaging/install.mk.
grep -Eq '^[[:space:]]*-?include[[:space:]]+packaging/install\.mk' Makefile || make_cmd+=(-f packaging/install.mk)

version=$(sed -n 's/^#define MK_VERSION "\(.*\)"/\1/p' include/moneykit.h)
# The soname's ABI part (README "Versions and ABI"): 0.MINOR before 1.0, else MAJOR.
case $version in 0.*) abi=0.$(echo "$version" | cut -d. -f2) ;; *) abi=${version%%.*} ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/moneykit-test-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix   # does not exist yet: install creates it, uninstall removes it
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
step() { echo "test-install: $*"; }

step "make install PREFIX=$prefix"
"${make_cmd[@]}" install PREFIX="$prefix" DESTDIR= >"$work/install.log" || { cat "$work/install.log"; fail "make install"; }

# Exactly the expected files and links.
expected="bin/moneykit
bin/moneykit-sandbox
include/moneykit.h
include/moneykit.hpp
lib/cmake/moneykit/moneykit-config-version.cmake
lib/cmake/moneykit/moneykit-config.cmake
lib/cmake/moneykit/moneykit-install-manifest.txt
lib/libmoneykit.a
lib/libmoneykit.so
lib/libmoneykit.so.$abi
lib/libmoneykit.so.$version
lib/pkgconfig/moneykit.pc
$(cd bindings/cpp && printf 'include/%s\n' moneykit/*.hpp)"
actual=$(cd "$prefix" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
[ "$actual" = "$(LC_ALL=C sort <<<"$expected")" ] || fail "installed files differ:
$(diff <(LC_ALL=C sort <<<"$expected") <(echo "$actual") || true)"
[ "$(readlink "$prefix/lib/libmoneykit.so.$abi")" = "libmoneykit.so.$version" ] || fail "soname link"
[ "$(readlink "$prefix/lib/libmoneykit.so")" = "libmoneykit.so.$abi" ] || fail "dev link"
[ "$(objdump -p "$prefix/lib/libmoneykit.so.$version" | awk '$1 == "SONAME" {print $2}')" = "libmoneykit.so.$abi" ] \
  || fail "SONAME of the installed library"
for f in lib/libmoneykit.so.$version lib/libmoneykit.a bin/moneykit-sandbox bin/moneykit; do
  # (.debug_gdb_scripts is loaded at run time, not debug info: strip keeps it.)
  # (No grep -q after a pipe here: under pipefail, grep -q leaving at its match makes the
  # writer's SIGPIPE the pipeline's status, which flips the result.)
  debug=$(readelf -S --wide "$prefix/$f" 2>/dev/null | grep '\.debug_' | grep -v debug_gdb_scripts || true)
  if [ -n "$debug" ]; then
    fail "$f still has debug sections"
  fi
done
cmp -s include/moneykit.h "$prefix/include/moneykit.h" || fail "moneykit.h differs"
cmp -s bindings/cpp/moneykit.hpp "$prefix/include/moneykit.hpp" || fail "moneykit.hpp differs"
for f in bindings/cpp/moneykit/*.hpp; do
  cmp -s "$f" "$prefix/include/moneykit/${f##*/}" || fail "moneykit/${f##*/} differs"
done
step "installed files, links, soname and stripping ok"

# Only the temporary prefix is searched.
export PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
[ "$(pkg-config --modversion moneykit)" = "$version" ] || fail "pkg-config --modversion"

step "version checks follow the ABI policy (0.x: same minor)"
major=${version%%.*}
minor_rest=${version#*.}
minor=${minor_rest%%.*}
next_minor="$major.$((minor + 1))"
pkg-config --exists "moneykit >= $major.$minor" "moneykit < $next_minor" || fail "pkg-config range for $major.$minor"
! pkg-config --exists "moneykit >= $next_minor" || fail "pkg-config accepted $next_minor"
cmake_accepts() { # requested version -> prints TRUE/FALSE as the installed version file decides
  local want=$1 maj=${1%%.*} rest=${1#*.}
  printf 'include("%s")\nmessage("${PACKAGE_VERSION_COMPATIBLE}")\n' \
    "$prefix/lib/cmake/moneykit/moneykit-config-version.cmake" >"$work/version-check.cmake"
  cmake -DPACKAGE_FIND_VERSION="$want" -DPACKAGE_FIND_VERSION_MAJOR="$maj" \
    -DPACKAGE_FIND_VERSION_MINOR="${rest%%.*}" -P "$work/version-check.cmake"
}
[ "$(cmake_accepts "$major.$minor" 2>&1)" = TRUE ] || fail "CMake refused $major.$minor"
[ "$(cmake_accepts "$version" 2>&1)" = TRUE ] || fail "CMake refused $version"
[ "$(cmake_accepts "$next_minor" 2>&1)" = FALSE ] || fail "CMake accepted $next_minor for $version"
[ "$(cmake_accepts "$((major + 1)).0" 2>&1)" = FALSE ] || fail "CMake accepted $((major + 1)).0"
if [ "$major" = 0 ] && [ "$minor" -gt 0 ]; then
  [ "$(cmake_accepts "0.$((minor - 1))" 2>&1)" = FALSE ] || fail "CMake accepted 0.$((minor - 1)) for $version"
fi
cc=${CC:-cc}
cxx=${CXX:-c++}
src=$root/packaging/tests
out=$work/out
mkdir -p "$out"

step "(a) C with pkg-config: $(pkg-config --cflags --libs moneykit)"
# shellcheck disable=SC2046
$cc -std=c99 -Wall -Wextra -Werror -pedantic "$src/consumer.c" $(pkg-config --cflags --libs moneykit) -o "$out/c_shared"
grep -q "NEEDED.*\[libmoneykit.so.$abi\]" <<<"$(readelf -d "$out/c_shared")" || fail "c_shared does not need libmoneykit.so.$abi"

step "(b) C++ with CMake find_package(moneykit CONFIG REQUIRED)"
cmake -S "$src/cmake" -B "$out/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_BUILD_TYPE=Release >"$out/cmake.log" 2>&1 || { cat "$out/cmake.log"; fail "cmake configure"; }
grep -q "moneykit $version from $prefix/lib/cmake/moneykit" "$out/cmake.log" || { cat "$out/cmake.log"; fail "found moneykit elsewhere"; }
cmake --build "$out/cmake" -j "${MK_JOBS:-2}" >"$out/cmake-build.log" 2>&1 || { cat "$out/cmake-build.log"; fail "cmake build"; }

step "(c) C linked statically: pkg-config --static --libs moneykit = $(pkg-config --static --libs moneykit)"
static_libs=$(pkg-config --static --libs moneykit)
# -l:libmoneykit.a picks the archive even though libmoneykit.so sits next to it.
static_libs=${static_libs/-lmoneykit/-l:libmoneykit.a}
# shellcheck disable=SC2046,SC2086
$cc -std=c99 -Wall -Wextra -Werror -pedantic "$src/consumer.c" $(pkg-config --cflags moneykit) $static_libs -o "$out/c_static"
for exe in c_static cmake/c_static_consumer; do
  if grep -q 'NEEDED.*libmoneykit' <<<"$(readelf -d "$out/$exe")"; then fail "$exe depends on libmoneykit.so"; fi
done

step "running the consumers against the installed sandbox"
cat >"$out/run.sh" <<RUN
set -e
LD_LIBRARY_PATH="$prefix/lib" "$out/c_shared"
LD_LIBRARY_PATH="$prefix/lib" ldd "$out/c_shared" | grep -q "libmoneykit.so.$abi => $prefix/lib/libmoneykit.so.$abi" \
  || { echo "c_shared did not load the installed library" >&2; exit 1; }
"$out/cmake/cpp_consumer"
ldd "$out/cmake/cpp_consumer" | grep -q "libmoneykit.so.$abi => $prefix/lib/libmoneykit.so.$abi" \
  || { echo "cpp_consumer did not load the installed library" >&2; exit 1; }
"$out/cmake/cpp_consumer_plain"
env -u LD_LIBRARY_PATH "$out/c_static"
env -u LD_LIBRARY_PATH "$out/cmake/c_static_consumer"
# The installed CLI: its version, and one identity through it.
"$prefix/bin/moneykit" --version | grep -qx "moneykit $version" || { echo "bin/moneykit --version" >&2; exit 1; }
"$prefix/bin/moneykit" identity mk_sandbox_ok | grep -q '"link"' || { echo "bin/moneykit identity failed" >&2; exit 1; }
RUN
MONEYKIT_SANDBOX_BIN=$prefix/bin/moneykit-sandbox bash scripts/with-sandbox.sh bash "$out/run.sh" \
  || fail "a consumer failed against the sandbox"

step "make uninstall PREFIX=$prefix"
"${make_cmd[@]}" uninstall PREFIX="$prefix" DESTDIR= >"$work/uninstall.log" || { cat "$work/uninstall.log"; fail "make uninstall"; }
[ ! -e "$prefix" ] || fail "prefix not empty after uninstall: $(find "$prefix" | head -20)"

step "DESTDIR staging: make install DESTDIR=$work/stage PREFIX=/opt/moneykit"
stage=$work/stage
mkdir -p "$stage/opt/moneykit/lib" "$stage/opt/moneykit/include"
echo keep >"$stage/opt/moneykit/lib/unrelated.txt"
echo keep >"$stage/opt/moneykit/include/unrelated.h"
"${make_cmd[@]}" install DESTDIR="$stage" PREFIX=/opt/moneykit >"$work/install2.log" || { cat "$work/install2.log"; fail "install with DESTDIR"; }
grep -qx 'prefix=/opt/moneykit' "$stage/opt/moneykit/lib/pkgconfig/moneykit.pc" || fail "pc file prefix with DESTDIR"
[ -f "$stage/opt/moneykit/lib/libmoneykit.so.$version" ] || fail "DESTDIR layout"
# The staged tree is relocatable: CMake finds it where it is.
cmake -S "$src/cmake" -B "$out/cmake-staged" -DCMAKE_PREFIX_PATH="$stage/opt/moneykit" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$out/cmake2.log" 2>&1 || { cat "$out/cmake2.log"; fail "cmake on the staged tree"; }
"${make_cmd[@]}" uninstall DESTDIR="$stage" PREFIX=/opt/moneykit >"$work/uninstall2.log" || fail "uninstall with DESTDIR"
left=$(cd "$stage" && find . \( -type f -o -type l \) | LC_ALL=C sort | tr '\n' ' ')
[ "$left" = "./opt/moneykit/include/unrelated.h ./opt/moneykit/lib/unrelated.txt " ] || fail "uninstall removed too much or too little: $left"

step "DESTDIR that does not exist yet: make install DESTDIR=$work/new-stage PREFIX=/opt/moneykit"
# (install.sh once looped for ever looking for the first existing parent directory.)
timeout 120 "${make_cmd[@]}" install DESTDIR="$work/new-stage" PREFIX=/opt/moneykit >"$work/install3.log" 2>&1 ||
  { cat "$work/install3.log"; fail "install into a DESTDIR that does not exist"; }
[ -f "$work/new-stage/opt/moneykit/lib/libmoneykit.so.$version" ] || fail "layout in a new DESTDIR"
grep -qx 'd /opt' "$work/new-stage/opt/moneykit/lib/cmake/moneykit/moneykit-install-manifest.txt" ||
  fail "the manifest does not record /opt as created"

step "all checks passed (prefix, pkg-config, CMake, static link, uninstall, DESTDIR)"
