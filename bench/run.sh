#!/usr/bin/env bash
# sipscope benchmark, one command: builds the release CLI, sipscope-gen and the page, generates every input format
# deterministically under bench/out/ (git-ignored), measures sipscope next to its peers on the same files in the
# same run (rg on text; tshark and sngrep on captures), then the page in Chromium (MB/s, time to the first ladder
# row, main-thread long tasks, memory, the wasm size). Writes bench/out/results.json and results.md and prints
# the tables. Offline once the tools are installed (it installs what is missing, like scripts/test.sh: Trunk,
# wasm-bindgen-cli, Chromium, the e2e npm packages; and ripgrep, hyperfine, tshark, sngrep, time from Debian).
#
#   bench/run.sh                     50M and 200M of every format (client log, presence-heavy client log, server
#                                    trace, capture), natively; the client logs in the page too
#   bench/run.sh --sizes 20M,50M     other sizes (suffix K, M or G: 2^10, 2^20, 2^30 bytes)
#   bench/run.sh --formats client,capture   only these formats (client, presence, server, capture)
#   bench/run.sh --native-only       no browser: neither the page build nor Chromium
#   bench/run.sh --big               also a 1.5 GiB client log and a 2 GB server trace: native figures, analyzed in
#                                    the page, and refused up front when ?max-bytes= is set below their size
#   bench/run.sh --skip-build        use the existing target/release and dist/ as they are
#   bench/run.sh --skip-cargo-bench  without the `cargo bench --bench pipeline` line
#   bench/run.sh --file capture:F    also measure your own file F as that format (repeatable)
#   RUNS=9 bench/run.sh              timed native runs per tool and file, median reported (default 5)
#   BROWSER_RUNS=5 bench/run.sh      browser runs per client log, median and best reported (default 3)
#   SIPSCOPE_BENCH_MB=200 bench/run.sh   size of the generated log cargo bench uses (default 100 MiB)
#
# Inputs: `sipscope-gen [--format client|server|capture] [--presence-heavy] SIZE 1` (the same bytes every time),
# regenerated when missing or older than the generator. A format the generator cannot write yet is reported as
# "not measured: (generator lacks --format server)" instead of failing the run.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"

BIG=""
SKIP_BUILD=""
NATIVE_ONLY=""
SKIP_CARGO_BENCH=""
SIZES="50M,200M"
FORMATS="client,presence,server,capture"
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --big) BIG=1 ;;
    --force-big) BIG=1 ;;  # kept for old command lines: the page now analyzes gigabyte inputs itself
    --skip-build) SKIP_BUILD=1 ;;
    --native-only) NATIVE_ONLY=1 ;;
    --skip-cargo-bench) SKIP_CARGO_BENCH=1 ;;
    --sizes) [ $# -ge 2 ] || die "--sizes needs a list, e.g. --sizes 50M,200M"; SIZES="$2"; shift ;;
    --sizes=*) SIZES="${1#*=}" ;;
    --formats) [ $# -ge 2 ] || die "--formats needs a list, e.g. --formats client,capture"; FORMATS="$2"; shift ;;
    --formats=*) FORMATS="${1#*=}" ;;
    --file) [ $# -ge 2 ] || die "--file needs FORMAT:PATH"; EXTRA+=("$2"); shift ;;
    --file=*) EXTRA+=("${1#*=}") ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see bench/run.sh --help)" ;;
  esac
  shift
done
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a FORMAT_LIST <<<"$FORMATS"
for s in "${SIZE_LIST[@]}"; do
  [[ "$s" =~ ^[0-9]+[KMGkmg]?$ ]] || die "--sizes: $s is not a size (e.g. 50M, 1G)"
done
for f in "${FORMAT_LIST[@]}"; do
  case "$f" in client|presence|server|capture) ;; *) die "--formats: $f is not one of client, presence, server, capture" ;; esac
done
for e in "${EXTRA[@]}"; do
  case "$e" in client:?*|presence:?*|server:?*|capture:?*) [ -s "${e#*:}" ] || die "--file $e: no such file" ;;
    *) die "--file $e: expected FORMAT:PATH, FORMAT one of client, presence, server, capture" ;; esac
done
has_format() { [[ ",$FORMATS," == *",$1,"* ]]; }

OUT="$REPO_ROOT/bench/out"
mkdir -p "$OUT"
TARGET="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
GEN="$TARGET/release/sipscope-gen"
CLI="$TARGET/release/sipscope"

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
if [ -z "$NATIVE_ONLY" ]; then
  ensure_chromium
  ensure_node_modules
else
  ensure_node
fi
# Debian packages: the peers and the timers. A peer that cannot be installed gets a "not installed" row.
MISSING=()
command -v rg >/dev/null 2>&1 || MISSING+=(ripgrep)
command -v hyperfine >/dev/null 2>&1 || MISSING+=(hyperfine)
[ -x /usr/bin/time ] || MISSING+=(time)
if has_format capture || [[ " ${EXTRA[*]} " == *" capture:"* ]]; then
  command -v tshark >/dev/null 2>&1 || MISSING+=(tshark)
  command -v sngrep >/dev/null 2>&1 || MISSING+=(sngrep)
fi
if [ ${#MISSING[@]} -gt 0 ]; then
  (apt_install "${MISSING[@]}") || info "could not install ${MISSING[*]}: the rows that need them will say so"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time (Debian package time) is needed for the peak RSS figures"
command -v hyperfine >/dev/null 2>&1 || info "no hyperfine: the runs are timed by bench.mjs around /usr/bin/time"

if [ -z "$SKIP_BUILD" ]; then
  say "Building the release CLI and sipscope-gen"
  retry_build cargo build --release -p sipscope-cli -p sipscope-gen || die "cargo build --release failed"
  if [ -z "$NATIVE_ONLY" ]; then
    say "Building the page (dist/)"
    retry_build build_page || die "trunk build failed"
  fi
fi
if [ ! -x "$CLI" ] || [ ! -x "$GEN" ]; then die "$CLI or $GEN missing: run without --skip-build"; fi
[ -n "$NATIVE_ONLY" ] || [ -s dist/sipscope_bg.wasm ] || die "dist/ is not built: run without --skip-build (or use --native-only)"

# The generator's arguments for a format (beside SIZE SEED), in GEN_ARGS; the flag it needs in GEN_FLAG.
gen_args() {
  case "$1" in
    client) GEN_ARGS=(); GEN_FLAG="" ;;
    presence) GEN_ARGS=(--presence-heavy); GEN_FLAG="--presence-heavy" ;;
    server) GEN_ARGS=(--format server); GEN_FLAG="--format server" ;;
    capture) GEN_ARGS=(--format capture); GEN_FLAG="--format capture" ;;
  esac
}

# Whether this sipscope-gen writes the format: a trial of 4 KiB must succeed and write something.
gen_supports() {
  gen_args "$1"
  local trial="$OUT/.gen-trial"
  if "$GEN" "${GEN_ARGS[@]}" 4K 1 >"$trial" 2>/dev/null </dev/null && [ -s "$trial" ]; then
    rm -f "$trial"
    return 0
  fi
  rm -f "$trial"
  return 1
}

# The file's name extension from its content.
ext_of() {
  local format="$1" file="$2" magic
  case "$format" in
    client|presence) printf 'uccapilog' ;;
    server) printf 'log' ;;
    capture)
      magic="$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')"
      case "$magic" in
        0a0d0d0a) printf 'pcapng' ;;
        *) printf 'pcap' ;;
      esac
      ;;
  esac
}

# Deterministic inputs (SEED 1): bench/out/FORMAT-SIZE.EXT, and what the generator said (messages written) in
# FILE.gen.txt. Regenerated when missing or older than the generator. Prints the path.
gen_file() {
  local format="$1" size="$2" base="$OUT/$1-$2" f ext
  for f in "$base".uccapilog "$base".log "$base".pcap "$base".pcapng; do
    if [ -s "$f" ] && [ -s "$f.gen.txt" ] && [ ! "$GEN" -nt "$f" ]; then
      printf '%s' "$f"
      return 0
    fi
  done
  gen_args "$format"
  info "generating $base.* (sipscope-gen ${GEN_ARGS[*]}${GEN_ARGS[*]:+ }$size 1)"
  rm -f "$base".uccapilog "$base".log "$base".pcap "$base".pcapng "$base".*.gen.txt
  "$GEN" "${GEN_ARGS[@]}" "$size" 1 >"$base.tmp" 2>"$base.tmp.err" </dev/null \
    || die "sipscope-gen ${GEN_ARGS[*]} $size 1 failed: $(cat "$base.tmp.err")"
  ext="$(ext_of "$format" "$base.tmp")"
  mv "$base.tmp" "$base.$ext"
  mv "$base.tmp.err" "$base.$ext.gen.txt"
  info "$(cat "$base.$ext.gen.txt")"
  printf '%s' "$base.$ext"
}

say "Generating the inputs (bench/out/)"
ARGS=(--out "$OUT" --runs "${RUNS:-5}" --browser-runs "${BROWSER_RUNS:-3}")
[ -z "$NATIVE_ONLY" ] || ARGS+=(--native-only)
[ -z "$SKIP_CARGO_BENCH" ] || ARGS+=(--skip-cargo-bench)
for format in "${FORMAT_LIST[@]}"; do
  if ! gen_supports "$format"; then
    info "(generator lacks $GEN_FLAG): no $format rows"
    for size in "${SIZE_LIST[@]}"; do ARGS+=(--skip "$format:$size:generator lacks $GEN_FLAG"); done
    continue
  fi
  for size in "${SIZE_LIST[@]}"; do
    f="$(gen_file "$format" "$size")"
    ARGS+=(--file "$format:$f")
    if [ "$format" = client ] && [ -z "$NATIVE_ONLY" ]; then ARGS+=(--browser "$f"); fi
  done
done
if [ -n "$BIG" ]; then
  for spec in client:1536M server:1900M; do
    f="$(gen_file "${spec%%:*}" "${spec#*:}")"
    ARGS+=(--file "${spec%%:*}:$f")
    [ -n "$NATIVE_ONLY" ] || ARGS+=(--big "$f")
  done
fi
for e in "${EXTRA[@]}"; do ARGS+=(--file "$e"); done

say "Measuring"
CHROMIUM_PATH="$CHROMIUM_BIN" node bench/bench.mjs "${ARGS[@]}" | tee "$OUT/results.md"
info "wrote $OUT/results.json and $OUT/results.md"
