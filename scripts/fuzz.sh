#!/usr/bin/env bash
# Coverage-guided fuzzing with cargo-fuzz (libFuzzer, address sanitizer) on the stable toolchain.
#   scripts/fuzz.sh TARGET SECONDS     one target, a long run (e.g. scripts/fuzz.sh analysis 1800)
#   scripts/fuzz.sh all SECONDS        every target in turn, SECONDS each
#   scripts/fuzz.sh smoke [SECONDS]    every target for a few seconds (default 5) from the committed corpus:
#                                      what scripts/test.sh runs
#   scripts/fuzz.sh list               the targets
# Installs cargo-fuzz when missing. New inputs go to fuzz/corpus-run/TARGET (not committed; seeded from
# fuzz/corpus/TARGET and, when present, ../shared/fixtures); a crash is written to fuzz/artifacts/TARGET/:
# minimize it (`cargo fuzz tmin`), add it under tests/regressions/TARGET/ and fix the cause. The summary line
# of each run (executions, time, crashes) is appended to fuzz/runs.log.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT/fuzz"

TARGETS=(analysis client_log server_trace sip_text sbc_log capture archive sip_message body grammar redact)
what="${1:-}"
secs="${2:-}"
[ -n "$what" ] || die "usage: scripts/fuzz.sh TARGET|all|smoke|list [SECONDS]"
if [ "$what" = list ]; then printf '%s\n' "${TARGETS[@]}"; exit 0; fi

ensure_cargo
command -v cargo-fuzz >/dev/null 2>&1 || { say "installing cargo-fuzz"; cargo install cargo-fuzz --version 0.13.2 </dev/null; }
export RUSTC_BOOTSTRAP=1 # cargo fuzz needs -Z flags; the stable toolchain accepts them this way

# Seed the working corpus: the committed seeds, and the external samples where they are.
seed() {
  local t="$1" run="corpus-run/$1"
  mkdir -p "$run"
  case "$t" in
    capture|analysis|redact) find ../../shared/fixtures -name '*.pcap' -exec cp -n {} "$run/" \; 2>/dev/null || true ;;&
    redact) cp -n corpus/capture/* "$run/" 2>/dev/null || true ;;&
    sip_text|sip_message|analysis) find ../../shared/fixtures \( -name '*.sip' -o -name '*.dat' \) -exec cp -n {} "$run/" \; 2>/dev/null || true ;;
  esac
}

# The crate has no unsafe code on the paths fuzzed, so the default is no sanitizer (two to three times the
# executions per second); FUZZ_SANITIZER=address runs with the address sanitizer.
SANITIZER="${FUZZ_SANITIZER:-none}"

# Inputs up to this size: whole logs and captures are slow to mutate; a few messages reach every path.
max_len() {
  case "$1" in
    archive) echo 65536 ;;
    *) echo 16384 ;;
  esac
}

# run TARGET SECONDS [libFuzzer options...]: until SECONDS have passed or 10^7 executions, whichever first.
run() {
  local t="$1" s="$2"; shift 2
  seed "$t"
  mkdir -p "artifacts/$t"
  local log; log="$(mktemp)"
  local rc=0 t0=$SECONDS
  cargo fuzz run -O -s "$SANITIZER" "$t" "corpus-run/$t" "corpus/$t" -- \
    -max_total_time="$s" -runs=10000000 -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" "$@" 2>&1 | tee "$log" | grep -E '^(#[0-9]+ *(INITED|DONE|pulse)|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)' || true
  rc=${PIPESTATUS[0]}
  local execs; execs=$(grep -aoE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  local crashes; crashes=$(ls "artifacts/$t" | wc -l)
  local took=$((SECONDS - t0)) # wall clock, building included
  printf '%s %s sanitizer=%s execs=%s seconds=%s exit=%s artifacts=%s\n' "$(date -u +%FT%TZ)" "$t" "$SANITIZER" "$execs" "$took" "$rc" "$crashes" | tee -a runs.log
  rm -f "$log"
  return "$rc"
}

case "$what" in
  smoke)
    s="${secs:-5}"
    cargo fuzz build -O -s "$SANITIZER" </dev/null
    failed=()
    for t in "${TARGETS[@]}"; do run "$t" "$s" || failed+=("$t"); done
    [ ${#failed[@]} -eq 0 ] || die "fuzz targets failed: ${failed[*]} (see fuzz/artifacts/)"
    ;;
  all)
    [ -n "$secs" ] || die "usage: scripts/fuzz.sh all SECONDS"
    for t in "${TARGETS[@]}"; do run "$t" "$secs" || true; done
    ;;
  *)
    [ -n "$secs" ] || die "usage: scripts/fuzz.sh TARGET SECONDS"
    printf '%s\n' "${TARGETS[@]}" | grep -qx "$what" || die "no target named $what (scripts/fuzz.sh list)"
    run "$what" "$secs"
    ;;
esac
