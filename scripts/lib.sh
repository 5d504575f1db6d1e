# shellcheck shell=bash
# Setup helpers shared by scripts/serve.sh and scripts/test.sh. Source it; every `ensure_*` installs
# what is missing and is fast when it is there. Works as root on a fresh Debian machine, with no stdin.
#
# What may get installed (and how):
#   rustup target wasm32-unknown-unknown     rustup target add
#   trunk 0.21.14                            cargo install --locked trunk --version 0.21.14   (~7 min)
#   wasm-bindgen-cli = Cargo.lock's version  cargo install wasm-bindgen-cli --version =X       (~2 min)
#   chromium, chromium-driver                apt-get install (Debian)
#   e2e/node_modules (playwright-core,       npm ci in e2e/ (binaryen provides wasm-opt, run by trunk;
#     binaryen, typescript)                    typescript type-checks the page: tsconfig.json)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
export DEBIAN_FRONTEND=noninteractive
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
die() { printf '\n\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

# Run as root, or through sudo when there is one (non-interactive).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root for: $* (run as root or install it yourself)"
  fi
}

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
  if [ -z "$APT_UPDATED" ]; then
    info "apt-get update"
    as_root apt-get update -qq </dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  info "apt-get install $*"
  as_root apt-get install -y -qq "$@" </dev/null || die "apt-get install $* failed"
}

ensure_cargo() {
  command -v cargo >/dev/null 2>&1 || die "cargo not found: this project needs the Rust toolchain (rustup)"
}

ensure_wasm_target() {
  ensure_cargo
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    info "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown </dev/null || die "could not add the wasm32-unknown-unknown target"
  fi
}

ensure_trunk() {
  ensure_cargo
  if trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then return; fi
  info "installing trunk $TRUNK_VERSION (cargo install, about 7 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION" </dev/null || die "cargo install trunk failed"
}

# The wasm-bindgen crate version pinned in Cargo.lock: the CLI must match it exactly.
wasm_bindgen_version() {
  local lock="$REPO_ROOT/Cargo.lock"
  if [ ! -f "$lock" ]; then
    (cd "$REPO_ROOT" && cargo generate-lockfile </dev/null) || die "no Cargo.lock and cargo generate-lockfile failed"
  fi
  awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' "$lock"
}

ensure_wasm_bindgen() {
  ensure_cargo
  local want
  want="$(wasm_bindgen_version)"
  [ -n "$want" ] || die "could not find the wasm-bindgen version in Cargo.lock"
  if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $want" \
    && wasm-bindgen-test-runner --version 2>/dev/null | grep -q "$want"; then
    return
  fi
  info "installing wasm-bindgen-cli $want (cargo install, about 2 minutes)"
  # Not --locked: the CLI's own lock file names a dependency version the registry no longer has.
  cargo install wasm-bindgen-cli --version "=$want" --force </dev/null || die "cargo install wasm-bindgen-cli $want failed"
}

CHROMIUM_BIN="${CHROMIUM_PATH:-/usr/bin/chromium}"
CHROMEDRIVER_BIN="${CHROMEDRIVER:-/usr/bin/chromedriver}"

ensure_chromium() {
  if [ -x "$CHROMIUM_BIN" ] && [ -x "$CHROMEDRIVER_BIN" ]; then return; fi
  info "installing Debian's chromium and chromium-driver"
  apt_install chromium chromium-driver
  [ -x "$CHROMIUM_BIN" ] || die "chromium is not at $CHROMIUM_BIN after apt-get install"
  [ -x "$CHROMEDRIVER_BIN" ] || die "chromedriver is not at $CHROMEDRIVER_BIN after apt-get install"
}

ensure_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    local major
    major="$(node -p 'process.versions.node.split(".")[0]')"
    [ "$major" -ge 18 ] || die "node $major is too old: the e2e tests need node 18 or newer"
    return
  fi
  info "installing node and npm (Debian)"
  apt_install nodejs npm
}

# e2e/node_modules from e2e/package-lock.json (playwright-core; binaryen for wasm-opt; typescript for tsc).
ensure_node_modules() {
  ensure_node
  local dir="$REPO_ROOT/e2e"
  if [ -f "$dir/node_modules/.package-lock.json" ] \
    && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] \
    && [ -d "$dir/node_modules/playwright-core" ] && [ -d "$dir/node_modules/binaryen" ] \
    && [ -d "$dir/node_modules/typescript" ]; then
    return
  fi
  info "npm ci in e2e/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null) || die "npm ci in e2e/ failed"
}

# Trunk runs wasm-opt when one is on PATH; the npm package binaryen provides it (see ensure_node_modules).
use_wasm_opt() {
  local bin="$REPO_ROOT/e2e/node_modules/.bin"
  if [ -x "$bin/wasm-opt" ] && "$bin/wasm-opt" --version >/dev/null 2>&1; then
    export PATH="$bin:$PATH"
  else
    die "wasm-opt (npm binaryen in e2e/) does not run; run: (cd e2e && npm ci)"
  fi
}

# Build the page into dist/ with Trunk (release: LTO + wasm-opt).
build_page() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_trunk
  ensure_node_modules
  use_wasm_opt
  (cd "$REPO_ROOT" && trunk build --release --config trunk.toml </dev/null) || die "trunk build failed"
  local f
  for f in index.html app.js worker.js reader.js style.css sipscope.js sipscope_bg.wasm sw.js manifest.webmanifest; do
    [ -s "$REPO_ROOT/dist/$f" ] || die "trunk build did not produce dist/$f"
  done
  # The same page as one file that works opened from disk (file://).
  node "$REPO_ROOT/scripts/build-offline.mjs" "$REPO_ROOT/dist" || die "building dist/sipscope-offline.html failed"
  # The service worker's file list and version (a hash of the build's content) written into dist/sw.js.
  node "$REPO_ROOT/scripts/sw-version.mjs" "$REPO_ROOT/dist" || die "writing the version into dist/sw.js failed"
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
