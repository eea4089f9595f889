#!/usr/bin/env bash
# Install Debian's Chromium for the browser differential tests (test/browser/run.mjs), when it is
# missing. Idempotent: does nothing when /usr/bin/chromium (or $TRILM_CHROMIUM) already exists.
# Uses only apt (Debian's mirrors): never `npx playwright install`, no other download.
# Needs root (or sudo without a password) when it has to install.
set -euo pipefail

chromium_path="${TRILM_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then
  echo "install-chromium: present: $chromium_path ($("$chromium_path" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-chromium: $chromium_path is missing and this user cannot install packages (not root, no passwordless sudo)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: $chromium_path is missing and there is no apt-get on this machine" >&2
  exit 1
fi

start=$(date +%s)
echo "install-chromium: installing Debian's chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends chromium
if [ ! -x "$chromium_path" ]; then
  echo "install-chromium: apt-get finished but $chromium_path is still missing" >&2
  exit 1
fi
echo "install-chromium: installed $("$chromium_path" --version 2>/dev/null || echo "$chromium_path") in $(( $(date +%s) - start )) s"
