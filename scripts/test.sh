#!/usr/bin/env bash
# Run every sipscope test, installing what is missing first. One command on a fresh machine (as root, no
# stdin, CI=true is fine):
#   1. cargo fmt --check
#   2. cargo clippy --workspace --all-targets -- -D warnings
#   3. cargo test --workspace                      (native unit, golden and corpus tests)
#   4. wasm-bindgen tests in headless Chromium     (tests/web.rs, wasm32)
#   5. trunk build --release                       (dist/)
#   6. tsc --noEmit -p tsconfig.json               (the page's JSDoc types against dist/sipscope.d.ts and
#                                                   www/types/view.d.ts; needs the build's declarations)
#   7. end-to-end tests: node --test e2e/*.test.mjs against dist/ on a free loopback port
#   8. fuzz smoke run: every cargo-fuzz target for a few seconds from its committed corpus (scripts/fuzz.sh)
# Stops at the first failing step and prints a summary. `scripts/test.sh --only e2e` (or fmt, clippy,
# test, wasm, build, types, fuzz) runs one step, after the installs it needs.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

ONLY=""
if [ "${1:-}" = "--only" ]; then ONLY="${2:-}"; fi

START=$SECONDS
RESULTS=()
CURRENT=""
LOGDIR="$(mktemp -d)"
PASSED=0
FAILED=0

# Add up the pass/fail counts a test runner printed (cargo test, wasm-bindgen-test-runner, node --test).
count_results() {
  local log="$1" p f
  p=$(grep -aE '^test result: ' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
  f=$(grep -aE '^test result: ' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
  p=$((p + $(grep -aE '^(ℹ|#) pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')))
  f=$((f + $(grep -aE '^(ℹ|#) fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')))
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
}

# logged NAME COMMAND...: run a test command, show its output, and count its results.
logged() {
  local log="$LOGDIR/$1.log"; shift
  local rc=0
  "$@" 2>&1 | tee "$log" || rc=$?
  count_results "$log"
  return $rc
}

summary() {
  local rc=$?
  printf '\n==================== sipscope test summary ====================\n' >&2
  local r
  for r in "${RESULTS[@]}"; do printf '  %s\n' "$r" >&2; done
  if [ $rc -ne 0 ] && [ -n "$CURRENT" ]; then
    printf '  FAIL  %s\n' "$CURRENT" >&2
  fi
  printf '  total %ss\n' "$((SECONDS - START))" >&2
  rm -rf "$LOGDIR"
  if [ $rc -eq 0 ]; then
    printf 'ALL STEPS PASSED\n' >&2
  else
    printf 'FAILED at step: %s\n' "${CURRENT:-setup}" >&2
  fi
  printf 'tests: %s passed, %s failed\n' "$PASSED" "$FAILED"
}
trap summary EXIT

# step NAME COMMAND...: run one step, timed; stop everything if it fails.
step() {
  local name="$1"; shift
  CURRENT="$name"
  say "$name"
  local t0=$SECONDS
  if ! "$@"; then
    die "step failed: $name"
  fi
  RESULTS+=("ok    $name ($((SECONDS - t0))s)")
  CURRENT=""
}

want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# ---------------------------------------------------------------------------------------------
say "Checking tools (installs what is missing)"
ensure_cargo
want clippy && { rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy </dev/null; }
want fmt && { rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt </dev/null; }
if want wasm || want build || want e2e; then
  ensure_wasm_target
  ensure_wasm_bindgen
fi
if want wasm || want e2e; then ensure_chromium; fi
if want build || want e2e; then
  ensure_trunk
  ensure_node_modules
fi
if want types; then ensure_node_modules; fi
info "tools ready ($((SECONDS - START))s)"

run_wasm_tests() {
  if [ ! -f tests/web.rs ]; then
    info "tests/web.rs does not exist yet: no wasm tests to run"
    return 0
  fi
  # wasm-bindgen-test-runner drives Debian's Chromium through chromedriver (headless).
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    CHROMEDRIVER="$CHROMEDRIVER_BIN" \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
    cargo test --target wasm32-unknown-unknown --test web </dev/null
}

# The page's types: every www/ script is `// @ts-check` with JSDoc types; the engine's side is declared by
# wasm-bindgen (dist/sipscope.d.ts, written by the build) and www/types/view.d.ts.
run_types() {
  [ -s dist/sipscope.d.ts ] || die "dist/sipscope.d.ts is missing: run scripts/test.sh (or --only build) first"
  e2e/node_modules/.bin/tsc --noEmit -p tsconfig.json
}

run_e2e() {
  [ -s dist/sipscope_bg.wasm ] || die "dist/ is not built: run scripts/test.sh (or --only build) first"
  mkdir -p e2e/out
  (cd e2e && CHROMIUM_PATH="$CHROMIUM_BIN" node --test --test-reporter=spec --test-concurrency=1 ./*.test.mjs </dev/null)
}

want fmt && step "cargo fmt --check" cargo fmt --all --check
want clippy && step "cargo clippy (-D warnings)" cargo clippy --workspace --all-targets -- -D warnings
want test && step "cargo test --workspace" logged cargo-test cargo test --workspace </dev/null
want wasm && step "wasm tests in headless Chromium" logged wasm run_wasm_tests
want build && step "trunk build --release (dist/)" build_page
want types && step "tsc --noEmit (the page's types)" run_types
want e2e && step "end-to-end tests (e2e/, headless Chromium)" logged e2e run_e2e
want fuzz && step "fuzz smoke run (every target, ${FUZZ_SMOKE_SECONDS:-5} s each)" scripts/fuzz.sh smoke "${FUZZ_SMOKE_SECONDS:-5}"
CURRENT=""
