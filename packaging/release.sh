#!/usr/bin/env bash
# `make release` (after `make build`, `make wheel`, `make go-module`): every artifact a release
# publishes, into OUT (default build/release/<version>/), and their SHA256SUMS. Nothing is
# compiled here. RELEASING.md says where each one is published.
#
#   moneykit_native-<v>-py3-none-manylinux_2_X_x86_64.whl   the wheel (`make wheel`): PyPI
#   moneykit-<v>-linux-x86_64.tar.gz          C/C++: include/ (moneykit.h, moneykit.hpp,
#                                             moneykit/*.hpp), lib/ (libmoneykit.so.<v> with its
#                                             soname and dev links, libmoneykit.a, pkgconfig/
#                                             moneykit.pc, cmake/moneykit/), bin/moneykit and
#                                             bin/moneykit-sandbox: what `make install` writes, relocatable (the .pc
#                                             file's prefix is ${pcfiledir}/../..)
#   moneykit-cli-<v>-linux-x86_64.tar.gz      the `moneykit` command-line tool
#   moneykit-sandbox-<v>-linux-x86_64.tar.gz  the sandbox server alone
#   goproxy/<module>/@v/{list,v<v>.info,v<v>.mod,v<v>.zip}
#                                             the Go module (`make go-module`: sources, header,
#                                             static library) as a module proxy serves it; the
#                                             zip holds <module>@v<v>/...; GOPROXY=file://...
#                                             reads the directory as is
#   SHA256SUMS                                `sha256sum -c SHA256SUMS` in OUT checks them all
#
# Archives are reproducible: entries sorted, owner 0, mtimes = the HEAD commit's time
# (SOURCE_DATE_EPOCH overrides), gzip without a name or time stamp.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

fail() { echo "release: $*" >&2; exit 1; }

version=$(sed -n 's/^#define MK_VERSION "\(.*\)"/\1/p' include/moneykit.h)
[ -n "$version" ] || fail "no MK_VERSION in include/moneykit.h"

# Every place the version is written must agree (RELEASING.md, "Version bump").
check_version() {  # FILE VALUE
  [ "$2" = "$version" ] || fail "$1 says version '$2', include/moneykit.h says $version (RELEASING.md: bump them together)"
}
pkg_version() { sed -n '/^\[package\]/,/^\[/{s/^version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p}' "$1" | head -n1; }
for toml in Cargo.toml cli/Cargo.toml sandbox/Cargo.toml; do
  [ -f "$toml" ] && check_version "$toml" "$(pkg_version "$toml")"
done
check_version bindings/python/pyproject.toml "$(sed -n 's/^version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' bindings/python/pyproject.toml | head -n1)"
check_version bindings/python/src/moneykit_native/_version.py \
  "$(sed -n 's/^__version__[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' bindings/python/src/moneykit_native/_version.py)"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x86_64 ;;
  *) fail "release artifacts are built on Linux x86_64 only (this is $(uname -s)-$(uname -m))" ;;
esac

release=target/release
gomod=${MK_GO_MODULE_DIR:-build/go-module}
for f in "$release/libmoneykit.so" "$release/libmoneykit.a" "$release/moneykit" "$release/moneykit-sandbox" \
         "$gomod/go.mod" "$gomod/include/moneykit.h" "$gomod/lib/linux-amd64/libmoneykit.a"; do
  [ -f "$f" ] || fail "$f is missing (make release runs make build, make wheel and make go-module first)"
done
cmp -s include/moneykit.h "$gomod/include/moneykit.h" || fail "$gomod is stale (its moneykit.h differs): run make go-module"
mapfile -t wheels < <(ls bindings/python/dist/moneykit_native-"$version"-py3-none-manylinux_*_x86_64.whl 2>/dev/null || true)
[ ${#wheels[@]} -eq 1 ] || fail "expected one manylinux wheel of $version in bindings/python/dist/, found ${#wheels[@]} (run: make wheel)"
[ "${wheels[0]}" -nt "$release/libmoneykit.so" ] || fail "${wheels[0]} is older than $release/libmoneykit.so: run make wheel"

commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
dirty=
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null || true)" ] || dirty=yes

out=${1:-build/release/$version}
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
tmp=$(mktemp -d "$out.tmp.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
stage=$tmp/stage
art=$tmp/out
mkdir -p "$stage" "$art"

# A reproducible .tar.gz of DIR (its last component becomes the archive's top directory).
targz() {  # DIR OUTFILE
  tar -C "$(dirname "$1")" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    --format=gnu -cf - "$(basename "$1")" | gzip -n -9 >"$2"
}

echo "== the wheel"
cp "${wheels[0]}" "$art/"
echo "  $(basename "${wheels[0]}")"

echo "== C/C++ tarball (make install into a staging directory)"
cname=moneykit-$version-$platform
# Sub-makes must not inherit the caller's command-line variables (PREFIX, DESTDIR, ...).
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES ${MAKE:-make} --no-print-directory -C "$root" \
  install DESTDIR="$stage/c" PREFIX="/$cname" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "make install into the staging directory"; }
ctree=$stage/c/$cname
# The install manifest lists staging paths, for `make uninstall`; a tarball is removed with rm -r.
rm -f "$ctree/lib/cmake/moneykit/moneykit-install-manifest.txt"
# Relocatable pkg-config: paths relative to the .pc file (pkg-config and pkgconf both know pcfiledir).
sed -i "s|^prefix=/$cname\$|prefix=\${pcfiledir}/../..|" "$ctree/lib/pkgconfig/moneykit.pc"
grep -qx 'prefix=${pcfiledir}/../..' "$ctree/lib/pkgconfig/moneykit.pc" || fail "moneykit.pc: unexpected prefix line"
if grep -rq "/$cname" "$ctree/lib/pkgconfig" "$ctree/lib/cmake"; then
  fail "the pkg-config or CMake files still name the staging prefix /$cname"
fi
cp LICENSE-MIT LICENSE-APACHE "$ctree/"
targz "$ctree" "$art/$cname.tar.gz"
echo "  $cname.tar.gz"

for tool in cli:moneykit sandbox:moneykit-sandbox; do
  kind=${tool%%:*} bin=${tool#*:}
  name=moneykit-$kind-$version-$platform
  mkdir -p "$stage/$name"
  strip --strip-debug -o "$stage/$name/$bin" "$release/$bin"
  chmod 0755 "$stage/$name/$bin"
  cp LICENSE-MIT LICENSE-APACHE "$stage/$name/"
  targz "$stage/$name" "$art/$name.tar.gz"
  echo "  $name.tar.gz"
done

echo "== Go module (proxy layout)"
module=$(sed -n 's/^module[[:space:]]\{1,\}//p' "$gomod/go.mod")
# The proxy protocol's case encoding: an upper-case letter becomes '!' + its lower case.
esc=$(sed 's/[A-Z]/!\L&/g' <<<"$module")
vdir=$art/goproxy/$esc/@v
mkdir -p "$vdir"
echo "v$version" >"$vdir/list"
printf '{"Version":"v%s","Time":"%s","Origin":{"VCS":"git","Hash":"%s"}}\n' "$version" \
  "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)" "$commit" >"$vdir/v$version.info"
cp "$gomod/go.mod" "$vdir/v$version.mod"
python3 - "$gomod" "$module@v$version" "$vdir/v$version.zip" <<'PY'
import os, stat, sys, zipfile
src, prefix, dst = sys.argv[1:]
# golang.org/x/mod/zip's limits: 500 MiB unpacked, go.mod and LICENSE at most 16 MiB, no
# vendor/ directory, no nested module; paths as the go command accepts them.
total = 0
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        rel_root = os.path.relpath(root, src)
        if rel_root != "." and "go.mod" in files:
            sys.exit(f"release: {root} holds a nested go.mod")
        if rel_root.split(os.sep)[0] == "vendor":
            sys.exit("release: the Go module has a vendor/ directory")
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            if not stat.S_ISREG(os.lstat(path).st_mode):
                sys.exit(f"release: {rel} is not a regular file")
            total += os.path.getsize(path)
            info = zipfile.ZipInfo(f"{prefix}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(path, "rb") as f:
                z.writestr(info, f.read())
if total > 500 << 20:
    sys.exit(f"release: the Go module is {total} bytes unpacked, over the 500 MiB limit")
PY
echo "  $module@v$version: $(du -h "$vdir/v$version.zip" | cut -f1) zip"

echo "== SHA256SUMS"
(cd "$art" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
sed 's/^/  /' "$art/SHA256SUMS"

rm -rf "$out"
mv "$art" "$out"
echo "release: moneykit-native $version ($platform) from ${commit:0:12}${dirty:+ (uncommitted changes in the tree: not for publishing)} in $out"
