#!/usr/bin/env bash
# Bounded fuzz run of every target: `fuzz/run.sh [SECONDS_PER_TARGET]`.
# Works on the stable toolchain (RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for t in yaml check emit; do
  mkdir -p "corpus/$t"
  if [ "$t" != emit ]; then
    cp ../testdata/check/*.yaml ../testdata/rules/*.yaml ../examples/istiofiles/*.yml "corpus/$t/"
  fi
  echo "== $t"
  cargo fuzz run -O -a "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 2>&1 | grep -E "^Done|panicked|ERROR|SUMMARY|crash-" || true
done
