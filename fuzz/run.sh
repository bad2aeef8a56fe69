#!/usr/bin/env bash
# Bounded fuzz run of every target: `fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]`.
# Works on the stable toolchain (RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags).
# Exits non-zero when any target finds a crash (or fails to build); the
# reproducer is left in fuzz/artifacts/<target>/ and the log in fuzz/logs/.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(yaml check emit diff config suppress route)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
seed() {
  case "$1" in
    yaml|check) cp ../testdata/check/*.yaml ../testdata/rules/*.yaml ../testdata/hostile/*.yaml \
                  ../examples/istiofiles/*.yml "corpus/$1/" ;;
    diff) cp ../testdata/diff/*.yaml ../testdata/diff/local/*.yaml ../examples/istiofiles/*.yml "corpus/$1/" ;;
    config) cp seeds/config/*.yaml "corpus/$1/" ;;
    suppress) cp ../testdata/suppress/*.yaml ../testdata/rules/*.yaml "corpus/$1/" ;;
    # The route target reads a request line, then the manifests.
    route) for f in ../testdata/route/*/*.yaml ../examples/istiofiles/*.yml; do
             case "$f" in *.test.yaml) continue ;; esac
             { echo "reviews 9080 /api?user=jason GET end-user:jason"; cat "$f"; } \
               > "corpus/route/$(basename "$(dirname "$f")")-$(basename "$f")"
             { echo "example.com 80 / gw=istio-system/gateway"; cat "$f"; } \
               > "corpus/route/gw-$(basename "$(dirname "$f")")-$(basename "$f")"
           done ;;
    emit) ;;
  esac
}
mkdir -p logs
failed=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  seed "$t"
  echo "== $t (${secs}s)"
  status=0
  cargo fuzz run -O -a "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
    > "logs/$t.log" 2>&1 || status=$?
  grep -E "^Done|panicked|ERROR|SUMMARY|crash-|Test unit written" "logs/$t.log" || true
  if [ "$status" -ne 0 ]; then
    echo "!! $t failed (exit $status); see fuzz/logs/$t.log"
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}"
  exit 1
fi
echo "no crashes in: ${targets[*]}"
