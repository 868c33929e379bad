# Xilinx 7-series clock constraint for the unit's clock port.
# The xc7 flow of softmax_hw::synth stops at Yosys synthesis (synth_xilinx, no place and
# route) and writes this file next to the EDIF netlist (xc7.edif) in its work directory, with
# the period set from SynthOptions::freq_mhz, for a Vivado (or openXC7) implementation run.
# 10.000 ns = 100 MHz is the value used when the file is used as is.
create_clock -name aclk -period 10.000 [get_ports aclk]
