#!/usr/bin/env bash
# Install smelu_hw into ./.venv on a Debian/Ubuntu machine.
#   scripts/setup.sh          runtime only (NumPy, Amaranth)
#   scripts/setup.sh --test   also Icarus Verilog, make and g++ from the distro (when missing; the
#                             Verilator builds and sim/Makefile need the last two) and the test extras
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
distro=()
python3 -c 'import ensurepip, venv' 2>/dev/null || distro+=(python3-venv)
if [[ "${1:-}" == "--test" ]]; then
    extras="[test]"
    command -v iverilog >/dev/null || distro+=(iverilog)
    command -v make >/dev/null || distro+=(make)
    command -v g++ >/dev/null || distro+=(g++)
fi
if ((${#distro[@]})); then
    sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${distro[@]}"
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
# --no-compile: modules are byte-compiled when first imported, not all ~80 packages up front.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-compile -e ".${extras}"
