#!/usr/bin/env bash
# Build sipscope's page and serve it on http://127.0.0.1:8080 (PORT=... to change). One command on a fresh
# machine: installs what is missing (wasm32 target, trunk, wasm-bindgen-cli, npm packages for wasm-opt),
# builds the command line tool, builds dist/ and serves it. Fast when everything is installed.
#   scripts/serve.sh            build + serve
#   scripts/serve.sh --build    build only (dist/), no server
# SIPSCOPE_SKIP_CLI=1 skips building the command line tool.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

PORT="${PORT:-8080}"

if [ "${SIPSCOPE_SKIP_CLI:-}" != 1 ]; then
  say "Building the command line tool (target/release/sipscope)"
  ensure_cargo
  cargo build --release -p sipscope-cli </dev/null || die "cargo build of the CLI failed"
fi

say "Building the page (dist/)"
build_page
info "dist/: $(du -sh dist | cut -f1), wasm $(du -h dist/sipscope_bg.wasm | cut -f1)"
info "for use without a server: dist/sipscope-offline.html (one file; open it from disk)"

if [ "${1:-}" = "--build" ]; then
  exit 0
fi

say "Serving dist/ on http://127.0.0.1:$PORT/  (Ctrl-C stops)"
# A plain static server: the page needs nothing else. Node's serves .wasm as application/wasm.
exec node "$REPO_ROOT/e2e/server.mjs" "$REPO_ROOT/dist" "$PORT"
