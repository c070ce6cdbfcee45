#!/usr/bin/env bash
# The Go module as a user gets it (`make go-dist-test`, part of `make dist-test`, after
# `make go-module`): MODULE_DIR (default build/go-module) is served from a file-system
# GOPROXY as version v<MK_VERSION>; a program in a temporary directory with its own go.mod
# runs `go get` and `go build` with GOFLAGS=-mod=mod and CGO_ENABLED=1 in an otherwise
# empty environment (HOME, GOPATH, GOCACHE in the temporary directory; no CGO_* or
# PKG_CONFIG* variables; a pkg-config on PATH that fails if called), then
#   - the binary must not load libmoneykit.so (ldd) and must contain the C API itself;
#   - it runs against a fresh sandbox (scripts/with-sandbox.sh) and fetches mk_sandbox_ok;
#   - `go mod vendor` + `go build -mod=vendor` of the same program must work too (include/
#     and lib/ survive vendoring).
# Exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mod=$(cd "${1:-$repo/build/go-module}" && pwd)
for f in "$mod/go.mod" "$mod/include/moneykit.h" "$mod/lib/linux-amd64/libmoneykit.a"; do
  [ -f "$f" ] || { echo "go-dist-test: $f is missing: run \`make go-module\` first" >&2; exit 1; }
done
module=$(sed -n 's/^module[[:space:]]\{1,\}//p' "$mod/go.mod")
version=v$(sed -n 's/^#define MK_VERSION "\(.*\)"/\1/p' "$mod/include/moneykit.h")
gobin=$(command -v go) || { echo "go-dist-test: go is not on PATH" >&2; exit 1; }
ccbin=$(command -v "${CC:-cc}" || command -v gcc) || { echo "go-dist-test: no C compiler" >&2; exit 1; }

tmp=$(mktemp -d)
cleanup() { [ -n "${MK_DIST_KEEP:-}" ] && { echo "kept $tmp" >&2; return; }; chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

echo "== file-system GOPROXY with $module $version"
proxy=$tmp/proxy
esc=$(sed 's/[A-Z]/!\L&/g' <<<"$module")
mkdir -p "$proxy/$esc/@v"
echo "$version" >"$proxy/$esc/@v/list"
printf '{"Version":"%s","Time":"%s"}\n' "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$proxy/$esc/@v/$version.info"
cp "$mod/go.mod" "$proxy/$esc/@v/$version.mod"
# A module zip: every file under <module>@<version>/ (what the go command makes from the tag).
python3 - "$mod" "$module@$version" "$proxy/$esc/@v/$version.zip" <<'PY'
import os, sys, zipfile
src, prefix, dst = sys.argv[1:]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            z.write(path, prefix + "/" + os.path.relpath(path, src))
PY
echo "  $(du -h "$proxy/$esc/@v/$version.zip" | cut -f1) zip"

# Only the tools on PATH; pkg-config is a trap.
mkdir -p "$tmp/bin" "$tmp/home" "$tmp/app"
ln -s "$gobin" "$tmp/bin/go"
ln -s "$ccbin" "$tmp/bin/cc"
ln -s "$ccbin" "$tmp/bin/gcc"
printf '#!/bin/sh\necho "pkg-config was called: $*" >&2\nexit 1\n' >"$tmp/bin/pkg-config"
chmod +x "$tmp/bin/pkg-config"
userenv=(env -i "PATH=$tmp/bin:/usr/bin:/bin" "HOME=$tmp/home" "GOPATH=$tmp/gopath"
  "GOCACHE=$tmp/gocache" "TMPDIR=${TMPDIR:-/tmp}" GOFLAGS=-mod=mod CGO_ENABLED=1
  "GOPROXY=file://$proxy" GONOSUMDB=github.com/moneykit-native GOTOOLCHAIN=local)

cat >"$tmp/app/main.go" <<GO
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	moneykit "$module"
)

func main() {
	client, err := moneykit.NewClient(moneykit.Options{Timeout: 10 * time.Second}) // MONEYKIT_* from the environment
	if err != nil {
		fmt.Fprintln(os.Stderr, "NewClient:", err)
		os.Exit(1)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	identity, err := client.GetIdentity(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "GetIdentity:", err)
		os.Exit(1)
	}
	fmt.Println("version", moneykit.Version())
	fmt.Println("link", identity.Link.LinkID, "accounts", len(identity.Accounts))
	for _, a := range identity.Accounts {
		for _, o := range a.Owners {
			fmt.Println("owner", a.AccountID, o.Names)
		}
	}
}
GO

echo "== go mod init, go get $module@$version, go build (no CGO_*, no pkg-config, no checkout)"
cd "$tmp/app"
"${userenv[@]}" go mod init example.com/app >/dev/null 2>&1
"${userenv[@]}" go get "$module@$version"
dir=$("${userenv[@]}" go list -m -f '{{.Dir}}' "$module")
case $dir in
  "$tmp/gopath/pkg/mod/"*) echo "  built from the module cache: ${dir#"$tmp/gopath/"}" ;;
  *) echo "go-dist-test: $module resolved to $dir, not the module cache" >&2; exit 1 ;;
esac
start=$SECONDS
"${userenv[@]}" go build -o "$tmp/app/app" .
echo "  go build: $((SECONDS - start)) s (fresh GOCACHE)"

echo "== static: no libmoneykit.so at run time"
deps=$(env -u LD_LIBRARY_PATH ldd "$tmp/app/app")
sed 's/^/  /' <<<"$deps"
if grep -q moneykit <<<"$deps"; then
  echo "go-dist-test: the program loads a moneykit shared library" >&2
  exit 1
fi
# (grep -q on a pipe would stop nm early: SIGPIPE, and pipefail fails the check.)
grep -Eq ' [Tt] mk_get_identity_ex$' <<<"$(nm "$tmp/app/app")" ||
  { echo "go-dist-test: mk_get_identity_ex (the C API) is not linked into the program" >&2; exit 1; }

echo "== run against a fresh sandbox: mk_sandbox_ok"
out=$(env -u LD_LIBRARY_PATH bash "$repo/scripts/with-sandbox.sh" "$tmp/app/app" mk_sandbox_ok)
sed 's/^/  /' <<<"$out"
grep -qx "version ${version#v}" <<<"$out" ||
  { echo "go-dist-test: the program's library version is not ${version#v}" >&2; exit 1; }
grep -Eq '^link mk_sandbox_ok accounts [1-9]' <<<"$out" ||
  { echo "go-dist-test: no accounts for mk_sandbox_ok" >&2; exit 1; }
grep -q '^owner ' <<<"$out" || { echo "go-dist-test: no owners for mk_sandbox_ok" >&2; exit 1; }

echo "== go mod vendor, go build -mod=vendor"
"${userenv[@]}" go mod vendor
vdir=vendor/$module
for f in include/moneykit.h lib/linux-amd64/libmoneykit.a; do
  [ -f "$vdir/$f" ] || { echo "go-dist-test: go mod vendor dropped $f" >&2; exit 1; }
done
"${userenv[@]}" GOFLAGS=-mod=vendor GOPROXY=off go build -o "$tmp/app/app-vendored" .
out=$(env -u LD_LIBRARY_PATH bash "$repo/scripts/with-sandbox.sh" "$tmp/app/app-vendored" mk_sandbox_ok)
grep -Eq '^link mk_sandbox_ok accounts [1-9]' <<<"$out" ||
  { echo "go-dist-test: the vendored build does not fetch mk_sandbox_ok" >&2; exit 1; }
echo "  vendored build ran"

echo "go-dist-test: $module $version builds with go alone, links statically and runs"
