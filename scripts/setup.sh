#!/usr/bin/env bash
# Install what mmusim needs on Debian 12 (apt only; nothing is downloaded
# from elsewhere). Idempotent: installs only missing packages.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libfyaml-dev libjansson-dev libzstd-dev liblzma-dev zlib1g-dev
      valgrind clang libclang-rt-14-dev verilator libsystemc-dev parallel
      python3-matplotlib python3-pandas python3-numpy python3-pytest)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "mmusim setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "mmusim setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
