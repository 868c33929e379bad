//! The serializing I/O wrapper: a place-and-route fixture for units with more I/O than the
//! package offers. It is formatted Verilog text (a test fixture, not a datapath).
//!
//! Every 1-bit port of the unit (clock, reset, handshakes, `tlast`) passes through under its
//! own name, so the pin constraints (`aclk`) still apply. Every wider input is fed from one
//! shift register (`ser_in` shifted in MSB first while `ser_in_shift` is high; the inputs
//! are concatenated in header order); every wider output is captured into one shift register
//! while `ser_out_load` is high and shifted out MSB first on `ser_out` while `ser_out_shift`
//! is high. Every output bit of the unit stays observable, so synthesis removes nothing.

use super::parse::{Dir, Port};

/// The wrapper's own pins besides the unit's 1-bit ports.
pub const SERIAL_PINS: [&str; 5] = ["ser_in", "ser_in_shift", "ser_out", "ser_out_load", "ser_out_shift"];

/// Number of pins of the wrapper of a unit with these ports.
pub fn wrapper_pins(ports: &[Port]) -> u64 {
    ports.iter().filter(|p| p.width == 1).count() as u64 + SERIAL_PINS.len() as u64
}

/// Sum of the port widths.
pub fn io_count(ports: &[Port]) -> u64 {
    ports.iter().map(|p| p.width as u64).sum()
}

/// Verilog of module `name`, which instantiates module `unit` (ports `ports`) as `u_unit`.
pub fn wrapper_verilog(name: &str, unit: &str, ports: &[Port]) -> String {
    let narrow: Vec<&Port> = ports.iter().filter(|p| p.width == 1).collect();
    let wide_in: Vec<&Port> = ports.iter().filter(|p| p.width > 1 && p.dir == Dir::Input).collect();
    let wide_out: Vec<&Port> = ports.iter().filter(|p| p.width > 1 && p.dir != Dir::Input).collect();
    let wi: u32 = wide_in.iter().map(|p| p.width).sum();
    let wo: u32 = wide_out.iter().map(|p| p.width).sum();
    let mut v = String::new();
    v.push_str(&format!("// Serializing I/O wrapper of `{unit}` for place and route only (softmax_hw::synth).\n"));
    v.push_str(&format!("// {} unit I/O -> {} pins.\n", io_count(ports), wrapper_pins(ports)));
    let pins: Vec<String> = narrow.iter().map(|p| p.name.clone()).chain(SERIAL_PINS.iter().map(|s| s.to_string())).collect();
    v.push_str(&format!("module {name}({});\n", pins.join(", ")));
    for p in &narrow {
        let d = match p.dir {
            Dir::Input => "input",
            Dir::Output => "output",
            Dir::Inout => "inout",
        };
        v.push_str(&format!("    {d} wire {};\n", p.name));
    }
    v.push_str("    input wire ser_in;\n    input wire ser_in_shift;\n    output wire ser_out;\n");
    v.push_str("    input wire ser_out_load;\n    input wire ser_out_shift;\n");
    let clock = narrow.iter().find(|p| p.dir == Dir::Input && (p.name == "aclk" || p.name == "clk" || p.name == "clock"));
    let clock = clock.map(|p| p.name.as_str()).unwrap_or("aclk");
    if wi > 0 {
        v.push_str(&format!("    reg [{}:0] sin_r = 0;\n", wi - 1));
        let next = if wi == 1 { "ser_in".to_string() } else { format!("{{sin_r[{}:0], ser_in}}", wi - 2) };
        v.push_str(&format!("    always @(posedge {clock}) if (ser_in_shift) sin_r <= {next};\n"));
    }
    if wo > 0 {
        v.push_str(&format!("    reg [{}:0] sout_r = 0;\n", wo - 1));
        v.push_str(&format!("    wire [{}:0] sout_w;\n", wo - 1));
        let shifted = if wo == 1 { "1'b0".to_string() } else { format!("{{sout_r[{}:0], 1'b0}}", wo - 2) };
        v.push_str(&format!(
            "    always @(posedge {clock}) if (ser_out_load) sout_r <= sout_w; else if (ser_out_shift) sout_r <= {shifted};\n"
        ));
        v.push_str(&format!("    assign ser_out = sout_r[{}];\n", wo - 1));
    } else {
        v.push_str("    assign ser_out = 1'b0;\n");
    }
    let mut conns = vec![];
    for p in &narrow {
        conns.push(format!(".{0}({0})", p.name));
    }
    // inputs: the first wide input takes the top bits of the shift register
    let mut hi = wi;
    for p in &wide_in {
        conns.push(format!(".{}(sin_r[{}:{}])", p.name, hi - 1, hi - p.width));
        hi -= p.width;
    }
    let mut hi = wo;
    for p in &wide_out {
        conns.push(format!(".{}(sout_w[{}:{}])", p.name, hi - 1, hi - p.width));
        hi -= p.width;
    }
    v.push_str(&format!("    {unit} u_unit (\n        {}\n    );\n", conns.join(",\n        ")));
    v.push_str("endmodule\n");
    v
}
