#!/usr/bin/env bash
# Installs what corio needs to build, test and run its demos, from Debian's repositories, if it is
# not installed yet. Runs apt-get as root (or through sudo). Safe to run repeatedly.
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config     # toolchain
  liburing-dev libasio-dev             # the two IO backends
  doctest-dev                          # tests
  libhttp-parser-dev libgumbo-dev      # corio::http; the crawler's link extraction (bench/httpkit)
  gnuplot-nox                          # charts of the scaling demo and benchmarks
  libhiredis-dev redis-server          # docs/cookbook.md's foreign-descriptor example (hiredis on the loop)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "corio: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "corio: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
