#!/usr/bin/env bash
# `make deps`: installs whatever a fresh machine of this project's kind lacks for
# `make test` (Debian packages, rustfmt/clippy, each binding's own dependencies).
# Idempotent and quiet when everything is present; `make test` runs it first and
# so does `.ci/run`.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
need_apt=()
for tool in valgrind:valgrind pkg-config:pkg-config cmake:cmake g++:g++ make:make redis-server:redis-server; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need_apt+=("${tool##*:}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "scripts/deps.sh: installing ${need_apt[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if command -v rustup >/dev/null 2>&1; then
  for c in rustfmt clippy; do
    grep -q "^$c" <<<"$(rustup component list --installed 2>/dev/null)" || rustup component add "$c" >/dev/null
  done
fi

for deps in bindings/*/ci-deps.sh; do
  bash "$deps"
done
