#!/usr/bin/env bash
# Installs what the Go binding's tests need beyond Go itself on a fresh Debian
# or Ubuntu machine: a C compiler and libc headers for cgo, and pkg-config for
# the installed-library build mode. Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v go >/dev/null || need+=(golang-go)
command -v gcc >/dev/null || need+=(gcc)
[ -e /usr/include/stdlib.h ] || need+=(libc6-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ ${#need[@]} -eq 0 ]; then
  echo "bindings/go: nothing to install"
  exit 0
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
