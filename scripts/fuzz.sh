#!/usr/bin/env bash
# Fuzzes the C API with libFuzzer (tests/fuzz/fuzz_capi.c) for a bounded time.
#   scripts/fuzz.sh            builds the fuzz target alone (preset fuzz: clang-14, ASan + UBSan
#                              over the library), replays tests/fuzz/regressions/ (inputs that
#                              once found bugs), then fuzzes for FUZZ_SECONDS (default 60) from a
#                              copy of the seed corpus tests/fuzz/corpus/. Fails on any crash,
#                              leak, sanitizer report, timeout or out-of-memory.
#   scripts/fuzz.sh FILE...    replays the given inputs, e.g. a crash file; with
#                              MT_FUZZ_TRACE=1 the target prints every call it makes.
# Environment: FUZZ_SECONDS; FUZZ_CORPUS_OUT=DIR keeps the grown corpus there (to refresh the
# seeds: see tests/fuzz/README.md). Findings are written to build/fuzz/artifacts/.
# Needs clang-14 and libclang-rt-14-dev (scripts/install-deps.sh --ci).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
fuzzer=build/fuzz/tests/fuzz/mt_fuzz_capi
artifacts=build/fuzz/artifacts

echo "--- cmake --build --preset fuzz (mt_fuzz_capi)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# Readable stacks; every sanitizer report is fatal.
if [[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Limits: a 10 s input is a hang, 2 GiB of RSS (or one malloc of that size) is a runaway.
limits=(-timeout=10 -rss_limit_mb=2048)

if [[ $# -gt 0 ]]; then
  exec "$fuzzer" "${limits[@]}" "$@"
fi

mkdir -p "$artifacts"
rm -f "$artifacts"/*
echo "--- replaying tests/fuzz/regressions (inputs that found bugs)"
failed=()
for input in tests/fuzz/regressions/*; do
  [[ -f $input ]] || continue
  log=$artifacts/regression-${input##*/}.log
  if "$fuzzer" "${limits[@]}" "$input" >"$log" 2>&1; then
    echo "${input##*/}: ok"
  else
    failed+=("${input##*/}")
    echo "${input##*/}: FAILS AGAIN:" >&2
    grep -E 'runtime error|ERROR:|^fuzz_capi:|^\s+#[0-9]+ .* in (mt_|mt::)' "$log" | head -n 12 >&2
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: FAIL: ${#failed[@]} regression input(s) fail again: ${failed[*]}" \
    "(logs: $artifacts/regression-*.log)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=${FUZZ_CORPUS_OUT:-$work/corpus}
mkdir -p "$corpus"
cp tests/fuzz/corpus/* "$corpus"/
echo "--- $fuzzer for $seconds s from $(find tests/fuzz/corpus -type f | wc -l) seeds"
status=0
# -entropic=0: the seeds are long programs, for which the entropic schedule's bookkeeping cost
# two thirds of the time (about 100 inputs/s instead of 300 here).
"$fuzzer" "${limits[@]}" -max_total_time="$seconds" -entropic=0 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$corpus" >"$artifacts/fuzz.log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  # The report: the sanitizer's or the target's message, the stack and the input.
  grep -vE '^#[0-9]+\s+(NEW|REDUCE|pulse|INITED|RELOAD)' "$artifacts/fuzz.log" | tail -n 120 >&2
  echo "fuzz.sh: FAIL (libFuzzer exit status $status); the input is in $artifacts/:" >&2
  find "$artifacts" -type f ! -name '*.log' >&2
  echo "reproduce: MT_FUZZ_TRACE=1 scripts/fuzz.sh $artifacts/<file>" >&2
  exit 1
fi
grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs|stat::(number_of_executed_units|peak_rss_mb))' \
  "$artifacts/fuzz.log" || true
echo "fuzz.sh: OK: no finding in $seconds s"
