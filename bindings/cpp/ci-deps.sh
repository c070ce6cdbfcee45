#!/usr/bin/env bash
# Installs what the C++ binding's tests and `make test-install` need, and
# nothing else: GoogleTest, nlohmann/json, pkg-config, cmake and a C++
# compiler. Idempotent: packages already present are skipped, and
# `apt-get update` runs at most once, only when something is missing.
set -euo pipefail

# package name -> a file (or command) whose presence proves it is installed
declare -A probe=(
  [libgtest-dev]=/usr/include/gtest/gtest.h
  [googletest]=/usr/src/googletest/CMakeLists.txt
  [nlohmann-json3-dev]=/usr/include/nlohmann/json.hpp
  [pkg-config]=cmd:pkg-config
  [cmake]=cmd:cmake
  [g++]=cmd:g++
)

missing=()
for pkg in "${!probe[@]}"; do
  p=${probe[$pkg]}
  if [[ $p == cmd:* ]]; then
    command -v "${p#cmd:}" >/dev/null 2>&1 && continue
  else
    [ -e "$p" ] && continue
  fi
  # Present per dpkg (e.g. a different layout)? Then leave it alone.
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed' && continue
  missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bindings/cpp/ci-deps.sh: all dependencies present"
  exit 0
fi

echo "bindings/cpp/ci-deps.sh: installing ${missing[*]}"
sudo=
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
