#!/usr/bin/env bash
# Installs what building, running and testing Accord need, skipping what is already there.
# Usage: .ci/setup.sh run|test. Only the package registries are used (crates.io, Debian, npm).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

say() { printf '==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || { echo "Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (about 15 minutes, once)"
  cargo install cargo-leptos --version 0.3.10 --locked
fi
# Must equal the wasm-bindgen version pinned in Cargo.toml.
if ! wasm-bindgen --version 2>/dev/null | grep -q '0\.2\.130'; then
  say "installing wasm-bindgen-cli 0.2.130"
  cargo install wasm-bindgen-cli --version 0.2.130 --force
fi

if [ "$mode" = test ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium from Debian"
    apt_install chromium
  fi
  if ! command -v psql >/dev/null; then
    say "installing the PostgreSQL client"
    apt_install postgresql-client
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    say "installing Node.js"
    apt_install nodejs npm
  fi
  if [ ! -d end2end/node_modules/playwright-core ]; then
    say "installing end-to-end test packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi
