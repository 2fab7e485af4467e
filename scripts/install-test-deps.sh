#!/usr/bin/env bash
# System packages the test suite needs (run as root, or with sudo available):
#   python3-torch  the reference the parity tests compare translated values and gradients with
#   chromium       the browser the UI and end-to-end tests drive
#   libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep: code-server's native modules
#   strace         watches the CLI and the language server at the system-call level (hostile code never runs)
#   pre-commit     runs this repository's .pre-commit-hooks.yaml hook on a temporary repository
set -euo pipefail
need=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v pre-commit >/dev/null 2>&1 || need+=(pre-commit)
for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)'
