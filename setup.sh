#!/usr/bin/env bash
# One idempotent set-up step for a fresh Debian 12 machine (see ../shared/TOOLCHAIN.md).
# Each step is skipped when its tool is already present at the right version, and fails
# loudly, naming itself, when it cannot be done. Nothing is downloaded from anywhere but
# the package registries (crates.io, npm, Debian).
#
#   ./setup.sh            install what is missing (what the tests need: ./run_tests.sh runs it)
#   ./setup.sh --demo     only what npm run demo needs: no browsers, no geckodriver
#   ./setup.sh --check    only report what is missing (exit 1 if anything is)
#   ./setup.sh --help
set -euo pipefail
cd "$(dirname "$0")"

CHECK_ONLY=0
DEMO_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --check) CHECK_ONLY=1 ;;
    --demo) DEMO_ONLY=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

export PATH="$HOME/.cargo/bin:$PATH"
missing=0

say()  { printf 'setup: %-22s %s\n' "$1" "$2"; }
fail() { say "$1" "FAILED: $2" >&2; exit 1; }

# The wasm-bindgen CLI must equal the library version in Cargo.lock exactly; otherwise
# wasm-pack tries to download a matching CLI from GitHub, which this network refuses.
bindgen_version() {
  if [ -f Cargo.lock ]; then
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, "", $0); print; exit }' Cargo.lock
  else
    sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' Cargo.toml | head -1
  fi
}
BINDGEN_VERSION=$(bindgen_version)
[ -n "$BINDGEN_VERSION" ] || fail "wasm-bindgen pin" "no wasm-bindgen version in Cargo.lock or Cargo.toml"

# step NAME CHECK_CMD INSTALL_CMD: run INSTALL_CMD unless CHECK_CMD succeeds, then re-check.
step() {
  local name=$1 check=$2 install=$3
  if eval "$check" >/dev/null 2>&1; then say "$name" "present"; return 0; fi
  if [ "$CHECK_ONLY" = 1 ]; then say "$name" "MISSING"; missing=1; return 0; fi
  say "$name" "installing: $install"
  local log; log=$(mktemp -t "setup-${name//[^a-z0-9]/_}.XXXX.log")
  eval "$install" >"$log" 2>&1 &
  local pid=$! waited=0
  # A long install (cargo compiling, apt downloading) says what it is doing every 15 s.
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    if [ $((waited % 15)) = 0 ]; then
      say "$name" "still installing (${waited} s): $(tail -n 1 "$log" | tr -d '\r' | cut -c1-90)"
    fi
  done
  if ! wait "$pid"; then
    tail -n 30 "$log" >&2
    fail "$name" "install command failed (full log: $log)"
  fi
  eval "$check" >/dev/null 2>&1 || fail "$name" "installed, but the check '$check' still fails"
  say "$name" "installed"
}

have_apt_pkgs() { for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1; done; }
apt_install() {
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# Browsers come from Debian; they install in the background while cargo builds the tools:
# Chromium and Firefox ESR (driven by puppeteer-core, over CDP and WebDriver BiDi) and
# WPE WebKit, Safari's engine (its MiniBrowser is in libwpewebkit-1.1-0, driven through
# WPEWebDriver by selenium-webdriver; see scripts/engines.mjs).
BROWSERS="chromium chromium-driver firefox-esr wpewebkit-driver libwpewebkit-1.1-0"
apt_pid=""
if ! have_apt_pkgs $BROWSERS && [ "$CHECK_ONLY" = 0 ] && [ "$DEMO_ONLY" = 0 ]; then
  say "browsers (apt)" "installing in the background..."
  apt_log=$(mktemp -t setup-apt.XXXX.log)
  ( apt_install $BROWSERS ) >"$apt_log" 2>&1 & apt_pid=$!
fi

step "rust wasm32 target" \
  "rustup target list --installed | grep -qx wasm32-unknown-unknown" \
  "rustup target add wasm32-unknown-unknown"
step "wasm-pack" \
  "wasm-pack --version" \
  "cargo install wasm-pack --locked"
# Without --locked: the registry copy lacks one pinned transitive version (TOOLCHAIN.md).
step "wasm-bindgen-cli $BINDGEN_VERSION" \
  "wasm-bindgen --version | grep -qx 'wasm-bindgen $BINDGEN_VERSION'" \
  "cargo install wasm-bindgen-cli --version $BINDGEN_VERSION --force"
if [ "$DEMO_ONLY" = 0 ]; then
  step "geckodriver" \
    "geckodriver --version" \
    "cargo install geckodriver --locked"
  if [ -n "$apt_pid" ]; then
    say "browsers (apt)" "waiting for the background install (log: $apt_log)"
    wait "$apt_pid" || { tail -n 30 "$apt_log" >&2; fail "browsers (apt)" "apt-get install $BROWSERS failed (log: $apt_log)"; }
  fi
  step "browsers (apt)" "have_apt_pkgs $BROWSERS" "apt_install $BROWSERS"
fi

# npm ci only when package-lock.json changed since the last install (stamp in node_modules).
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
step "npm packages" \
  "[ \"\$(cat node_modules/.setup-stamp 2>/dev/null)\" = $lock_sum ]" \
  "npm ci --no-audit --no-fund && echo $lock_sum > node_modules/.setup-stamp"

if [ "$CHECK_ONLY" = 1 ] && [ "$missing" = 1 ]; then exit 1; fi
say "done" "all tools present"
