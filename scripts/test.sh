#!/usr/bin/env bash
# Runs corio's whole test suite from scratch: installs missing packages, then builds and tests the
# debug preset (AddressSanitizer + UndefinedBehaviorSanitizer) and the release preset (-O2).
#   scripts/test.sh            both presets
#   scripts/test.sh release    one preset
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
presets=("$@")
((${#presets[@]})) || presets=(debug release)
jobs=$(nproc)
for p in "${presets[@]}"; do
  echo "== corio: $p: configure + build" >&2
  cmake --preset "$p" >/dev/null
  cmake --build --preset "$p" -j "$jobs"
  echo "== corio: $p: test" >&2
  ctest --preset "$p" -j "$jobs"
done
