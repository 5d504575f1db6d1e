#!/usr/bin/env bash
# sipscope benchmark, one command: builds the release CLI, sipscope-gen and the page, generates presence-heavy
# client logs deterministically under bench/out/ (git-ignored), measures native and in-browser speed, time to
# the first ladder row, main-thread long tasks, peak memory and the wasm size, writes bench/out/results.json and
# prints a Markdown table. Offline once the tools are installed (it installs what is missing, like
# scripts/test.sh: Trunk, wasm-bindgen-cli, Chromium, the e2e npm packages, ripgrep).
#
#   bench/run.sh                 50 MiB and 200 MiB logs (a few minutes on 2 cores)
#   bench/run.sh --big           also a 1 GiB log: native figures, and the page must refuse it up front
#   bench/run.sh --big --force-big   also try the 1 GiB log in the page with the size limit lifted
#   bench/run.sh --skip-build    use the existing target/release and dist/ as they are
#   RUNS=5 bench/run.sh          browser runs per log (default 3)
#   SIPSCOPE_BENCH_MB=200 bench/run.sh   size of the generated log cargo bench uses (default 100 MiB)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"

BIG=""
FORCE_BIG=""
SKIP_BUILD=""
for arg in "$@"; do
  case "$arg" in
    --big) BIG=1 ;;
    --force-big) BIG=1; FORCE_BIG=1 ;;
    --skip-build) SKIP_BUILD=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown option $arg (see bench/run.sh --help)" ;;
  esac
done
OUT="$REPO_ROOT/bench/out"
mkdir -p "$OUT"

# Other people may be editing src/ while this runs: a build that fails is retried after a minute (twice).
retry_build() {
  local n
  for n in 1 2 3; do
    if "$@" </dev/null; then return 0; fi
    [ "$n" = 3 ] && return 1
    info "build failed (src/ being edited?): retrying in 60 s"
    sleep 60
  done
}

say "Tools"
ensure_cargo
ensure_chromium
ensure_node_modules
command -v rg >/dev/null 2>&1 || apt_install ripgrep

if [ -z "$SKIP_BUILD" ]; then
  say "Building the release CLI and sipscope-gen"
  retry_build cargo build --release -p sipscope-cli -p sipscope-gen || die "cargo build --release failed"
  say "Building the page (dist/)"
  retry_build build_page || die "trunk build failed"
fi
[ -x target/release/sipscope ] && [ -x target/release/sipscope-gen ] || die "target/release/sipscope(-gen) missing: run without --skip-build"
[ -s dist/sipscope_bg.wasm ] || die "dist/ is not built: run without --skip-build"

# Deterministic logs (sipscope-gen SIZE SEED): regenerated only when missing or older than the generator.
gen() {
  local size="$1" f="$OUT/client-$1.uccapilog"
  if [ ! -s "$f" ] || [ target/release/sipscope-gen -nt "$f" ]; then
    info "generating $f"
    target/release/sipscope-gen "$size" 1 > "$f.tmp" && mv "$f.tmp" "$f"
  fi
  printf '%s' "$f"
}
say "Generating logs (bench/out/)"
SMALL="$(gen 50M)"
LARGE="$(gen 200M)"
ARGS=(--small "$SMALL" --large "$LARGE" --runs "${RUNS:-3}" --out "$OUT")
if [ -n "$BIG" ]; then ARGS+=(--big "$(gen 1G)"); fi
if [ -n "$FORCE_BIG" ]; then ARGS+=(--force-big); fi

say "Measuring"
CHROMIUM_PATH="$CHROMIUM_BIN" node bench/bench.mjs "${ARGS[@]}" | tee "$OUT/results.md"
info "wrote $OUT/results.json and $OUT/results.md"
