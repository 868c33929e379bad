#!/usr/bin/env bash
# Quick start: install what is missing, build, generate the default unit (the drop-in exact
# softmax with 8-bit output, configs/exact8.toml) and co-simulate it bit-exactly against
# the golden model with Verilator.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cargo build --release
./target/release/softmax-hw generate --out out
./target/release/softmax-hw cosim --rows 2000 --stall 0.3
echo "quickstart: the Verilog and its manifest are in out/ (see the 'generate:' lines above)"
