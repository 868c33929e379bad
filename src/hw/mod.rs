//! Primitive blocks that rust-hdl 0.46 lacks, written the way rust-hdl writes its own
//! primitives (`DFF`, `ROM`, `RAM`): a few lines of custom Verilog per leaf, so synthesis
//! infers the right resource. The datapaths themselves are `#[hdl_gen]` code.
//!
//! * [`Mul`]: unsigned multiplier. rust-hdl's `Bits` only multiply 16x16; the simulator
//!   model here covers any widths up to 64 bits of product. Infers DSP blocks.
//! * [`RowRam`]: simple dual-port RAM with a read enable (read data holds when the reader
//!   stalls). Infers block RAM (SB_RAM40_4K, DP16KD, RAMB18).
//! * [`Lane`], [`Pack`]: lane j of a bus of P lanes (a part-select at a fixed offset), and
//!   its inverse. `#[hdl_gen]` cannot slice at an offset computed from const generics.
//! * [`When`]: a generation-time `if` for `#[hdl_gen]` code.
//! * [`OptPort`]: a top-level port present only in some designs.
//! * [`SyncRom`]: ROM with a registered read, contents in `initial` blocks of at most
//!   [`ROM_INIT_CHUNK`] writes each. rust-hdl's `SyncROM` puts every write in one block, and
//!   Yosys reads one block in time quadratic in its length (16,384 entries: 87 s; a
//!   65,536-entry baseline table took over 25 minutes, fuzz seed 114); in chunks, 6.6 s.

use rust_hdl_core::prelude::*;

/// A port of the top module that exists only in some designs (the sparse unit's keep flag,
/// kept count and threshold inputs). A disabled port is not declared in the Verilog, so the
/// top's `#[hdl_gen]` code may name it only inside a loop over a `Vec` that is empty when the
/// port is disabled (such a loop emits nothing). Reads and writes go to the signal through
/// `Deref`, so `self.port.next = ...` and `self.port.val()` read as for any port.
pub struct OptPort<D: Direction, T: Synth> {
    sig: Signal<D, T>,
    on: bool,
}

impl<D: Direction, T: Synth> OptPort<D, T> {
    pub fn new(on: bool) -> Self {
        Self { sig: Default::default(), on }
    }
}

impl<D: Direction, T: Synth> std::ops::Deref for OptPort<D, T> {
    type Target = Signal<D, T>;
    fn deref(&self) -> &Signal<D, T> {
        &self.sig
    }
}

impl<D: Direction, T: Synth> std::ops::DerefMut for OptPort<D, T> {
    fn deref_mut(&mut self) -> &mut Signal<D, T> {
        &mut self.sig
    }
}

impl<D: Direction, T: Synth> Logic for OptPort<D, T> {
    fn update(&mut self) {}
    fn connect(&mut self) {
        self.sig.connect();
    }
}

impl<D: Direction, T: Synth> Block for OptPort<D, T> {
    fn connect_all(&mut self) {
        self.sig.connect_all();
    }
    fn update_all(&mut self) {
        self.sig.update_all();
    }
    fn has_changed(&self) -> bool {
        self.sig.has_changed()
    }
    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        if self.on {
            self.sig.accept(name, probe);
        }
    }
}

/// A generation-time `if` for `#[hdl_gen]` code: `for _i in 0..self.v.len() { ... }` over a
/// `Vec<When>` emits its body once per element, so a `Vec` of zero or one `When` includes
/// the body or leaves it out. Declares nothing in the Verilog. (The alternative, a default
/// assignment overridden later in the same `always @(*)`, makes a child's input glitch
/// inside one evaluation: Icarus can then loop forever.)
#[derive(Default)]
pub struct When;

impl When {
    /// One `When` if `cond`, else none.
    pub fn iff(cond: bool) -> Vec<When> {
        if cond {
            vec![When]
        } else {
            vec![]
        }
    }
}

impl Logic for When {
    fn update(&mut self) {}
}

impl Block for When {
    fn connect_all(&mut self) {}
    fn update_all(&mut self) {}
    fn has_changed(&self) -> bool {
        false
    }
    fn accept(&self, _name: &str, _probe: &mut dyn Probe) {}
}

/// p = a * b, unsigned, P >= A + B bits, combinational.
#[derive(LogicBlock, Default)]
pub struct Mul<const A: usize, const B: usize, const P: usize> {
    pub a: Signal<In, Bits<A>>,
    pub b: Signal<In, Bits<B>>,
    pub p: Signal<Out, Bits<P>>,
}

impl<const A: usize, const B: usize, const P: usize> Logic for Mul<A, B, P> {
    fn update(&mut self) {
        assert!(P >= A + B && P <= 64);
        let v = self.a.val().to_u64() as u128 * self.b.val().to_u64() as u128;
        self.p.next = Bits::<P>::from(v as u64);
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom("always @(*) p = a * b;".into())
    }
}

/// x = bus[off +: W]: one lane of a bus (combinational).
#[derive(LogicBlock)]
pub struct Lane<const W: usize, const WW: usize> {
    pub bus: Signal<In, Bits<WW>>,
    pub x: Signal<Out, Bits<W>>,
    _off: Box<usize>,
}

impl<const W: usize, const WW: usize> Lane<W, WW> {
    pub fn new(off: usize) -> Self {
        assert!(off + W <= WW, "lane {off}+:{W} outside a {WW}-bit bus");
        Self { bus: Default::default(), x: Default::default(), _off: Box::new(off) }
    }

    /// Lane j of a bus of lanes of W bits.
    pub fn nth(j: usize) -> Self {
        Self::new(j * W)
    }
}

impl<const W: usize, const WW: usize> Logic for Lane<W, WW> {
    fn update(&mut self) {
        self.x.next = self.bus.val().get_bits::<W>(*self._off);
    }
    fn connect(&mut self) {
        self.x.connect();
    }
    fn hdl(&self) -> Verilog {
        // a 1-bit bus is a scalar in Verilog: no part-select
        // the other lanes' bits are read by a wire that Verilator's -Wall exempts by its name
        // (the default --unused-regexp, *unused*); synthesis removes it
        match WW {
            1 => Verilog::Custom("always @(*) x = bus;".into()),
            _ if W == WW => Verilog::Custom(format!("always @(*) x = bus[{}+:{W}];", self._off)),
            _ => Verilog::Custom(format!("always @(*) x = bus[{}+:{W}];\nwire bus_unused = ^bus;", self._off)),
        }
    }
}

/// out = acc with bits [off, off + W) replaced by x: lanes are packed into a bus by a chain
/// of these (combinational).
#[derive(LogicBlock)]
pub struct Pack<const W: usize, const WW: usize> {
    pub acc: Signal<In, Bits<WW>>,
    pub x: Signal<In, Bits<W>>,
    pub out: Signal<Out, Bits<WW>>,
    _off: Box<usize>,
}

impl<const W: usize, const WW: usize> Pack<W, WW> {
    pub fn new(off: usize) -> Self {
        assert!(off + W <= WW, "lane {off}+:{W} outside a {WW}-bit bus");
        Self { acc: Default::default(), x: Default::default(), out: Default::default(), _off: Box::new(off) }
    }

    /// Lane j of a bus of lanes of W bits.
    pub fn nth(j: usize) -> Self {
        Self::new(j * W)
    }
}

impl<const W: usize, const WW: usize> Logic for Pack<W, WW> {
    fn update(&mut self) {
        let mut v = self.acc.val();
        v.set_bits::<W>(*self._off, self.x.val());
        self.out.next = v;
    }
    fn connect(&mut self) {
        self.out.connect();
    }
    fn hdl(&self) -> Verilog {
        match WW {
            // a 1-bit bus is x itself; acc is read by a wire that -Wall exempts (see Lane)
            1 => Verilog::Custom("always @(*) out = x;\nwire acc_unused = acc;".into()),
            _ => Verilog::Custom(format!("always @(*) begin\n    out = acc;\n    out[{}+:{W}] = x;\nend", self._off)),
        }
    }
}

/// c = the number of ones among bits [0, n) of a bus, n >= 1 (combinational). Written as a sum, so
/// that Yosys's `alumacc` makes one adder tree of it (log depth), not a chain.
#[derive(LogicBlock)]
pub struct PopCount<const WW: usize, const WC: usize> {
    pub bus: Signal<In, Bits<WW>>,
    pub c: Signal<Out, Bits<WC>>,
    _n: Box<usize>,
}

impl<const WW: usize, const WC: usize> PopCount<WW, WC> {
    pub fn new(n: usize) -> Self {
        assert!(WC >= 2 && n >= 1 && n <= WW && (n as u64) < (1u64 << WC.min(63)), "popcount of {n} bits into {WC}");
        Self { bus: Default::default(), c: Default::default(), _n: Box::new(n) }
    }
}

impl<const WW: usize, const WC: usize> Logic for PopCount<WW, WC> {
    fn update(&mut self) {
        let v = (0..*self._n).filter(|&i| self.bus.val().get_bit(i)).count();
        self.c.next = Bits::<WC>::from(v as u64);
    }
    fn connect(&mut self) {
        self.c.connect();
    }
    fn hdl(&self) -> Verilog {
        // the other bits are read by a wire that -Wall exempts (see Lane)
        let unused = if *self._n < WW { "\nwire bus_unused = ^bus;" } else { "" };
        match *self._n {
            1 if WW == 1 => Verilog::Custom(format!("always @(*) c = {{{}'d0, bus}};", WC - 1)),
            n => Verilog::Custom(format!(
                "integer i;\nalways @(*) begin\n    c = {WC}'d0;\n    for (i = 0; i < {n}; i = i + 1) c = c + {{{}'d0, bus[i]}};\nend{unused}",
                WC - 1
            )),
        }
    }
}

/// 2^A words of W bits; one write port and one registered read port with read enable,
/// same clock.
#[derive(LogicBlock, Default)]
pub struct RowRam<const W: usize, const A: usize> {
    pub clock: Signal<In, Clock>,
    pub write_address: Signal<In, Bits<A>>,
    pub write_data: Signal<In, Bits<W>>,
    pub write_enable: Signal<In, bool>,
    pub read_address: Signal<In, Bits<A>>,
    pub read_enable: Signal<In, bool>,
    pub read_data: Signal<Out, Bits<W>>,
    _sim: Box<std::collections::BTreeMap<u64, Bits<W>>>,
}

impl<const W: usize, const A: usize> Logic for RowRam<W, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.read_enable.val() {
                let a = self.read_address.val().to_u64();
                self.read_data.next = self._sim.get(&a).copied().unwrap_or_default();
            }
            if self.write_enable.val() {
                self._sim.insert(self.write_address.val().to_u64(), self.write_data.val());
            }
        }
    }
    fn connect(&mut self) {
        self.read_data.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{w}:0] mem [0:{depth}];
always @(posedge clock) begin
    if (write_enable) mem[write_address] <= write_data;
    if (read_enable) read_data <= mem[read_address];
end",
            w = W - 1,
            depth = (1usize << A) - 1
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "row_ram".into(),
            clock: "clock".into(),
            inputs: vec!["write_address".into(), "write_data".into(), "write_enable".into(), "read_address".into(), "read_enable".into()],
            outputs: vec!["read_data".into()],
        }]
    }
}

/// Writes per `initial` block of a [`SyncRom`].
pub const ROM_INIT_CHUNK: usize = 256;

/// 2^N words of D bits, `data` = the word at `address` one clock later. Words beyond the
/// table read 0.
#[derive(LogicBlock)]
pub struct SyncRom<const D: usize, const N: usize> {
    pub address: Signal<In, Bits<N>>,
    pub clock: Signal<In, Clock>,
    pub data: Signal<Out, Bits<D>>,
    _values: Box<Vec<u64>>,
}

impl<const D: usize, const N: usize> SyncRom<D, N> {
    pub fn new(values: &[u64]) -> Self {
        assert!(values.len() <= 1 << N && values.iter().all(|&v| D >= 64 || v < 1 << D), "ROM contents exceed {D} x 2^{N}");
        Self { address: Default::default(), clock: Default::default(), data: Default::default(), _values: Box::new(values.to_vec()) }
    }
}

impl<const D: usize, const N: usize> Logic for SyncRom<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let v = self._values.get(self.address.val().to_u64() as usize).copied().unwrap_or(0);
            self.data.next = Bits::<D>::from(v);
        }
    }
    fn connect(&mut self) {
        self.data.connect();
    }
    fn hdl(&self) -> Verilog {
        let mut v = format!("reg [{}:0] mem [0:{}];\n", D - 1, (1usize << N) - 1);
        for chunk in self._values.chunks(ROM_INIT_CHUNK).enumerate() {
            v += "initial begin\n";
            for (i, w) in chunk.1.iter().enumerate() {
                v += &format!("    mem[{}] = {D}'h{w:x};\n", chunk.0 * ROM_INIT_CHUNK + i);
            }
            v += "end\n";
        }
        v += "always @(posedge clock) data <= mem[address];";
        Verilog::Custom(v)
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo { name: "sync_rom".into(), clock: "clock".into(), inputs: vec!["address".into()], outputs: vec!["data".into()] }]
    }
}

/// ROM contents from a table of values (address = index).
pub fn rom_map<const D: usize, const N: usize>(values: &[u64]) -> std::collections::BTreeMap<Bits<N>, Bits<D>> {
    assert!(values.len() <= 1 << N);
    values.iter().enumerate().map(|(i, &v)| (Bits::<N>::from(i as u64), Bits::<D>::from(v))).collect()
}

/// A constant of N bits.
pub fn konst<const N: usize>(v: u64) -> Constant<Bits<N>> {
    assert!(N >= 64 || v < (1u64 << N), "constant {v} does not fit {N} bits");
    Constant::new(Bits::<N>::from(v))
}

/// Connects, checks and emits a top block as Verilog with `name` as its module name (rust-hdl
/// would call it `top`); a failed connectivity check is an error, not a panic.
pub fn emit_top<B: Block>(mut unit: B, name: &str) -> crate::error::Result<String> {
    unit.connect_all();
    check_all(&unit).map_err(|e| crate::error::Error::Tool(format!("rust-hdl check of {name} failed: {e:?}")))?;
    let mut defines = ModuleDefines::default();
    unit.accept(name, &mut defines);
    Ok(defines.defines())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ROM word is written once, in `initial` blocks of at most ROM_INIT_CHUNK writes.
    #[test]
    fn sync_rom_contents_come_in_chunks() {
        let values: Vec<u64> = (0..1000).map(|i| (i * 7) % 512).collect();
        let rom = SyncRom::<9, 10>::new(&values);
        let Verilog::Custom(v) = rom.hdl() else { panic!("custom Verilog") };
        let blocks: Vec<&str> = v.split("initial begin\n").skip(1).map(|b| b.split("end\n").next().unwrap()).collect();
        assert_eq!(blocks.len(), 1000usize.div_ceil(ROM_INIT_CHUNK));
        assert!(blocks.iter().all(|b| b.lines().count() <= ROM_INIT_CHUNK));
        let words: Vec<String> = blocks.iter().flat_map(|b| b.lines().map(|l| l.trim().to_string())).collect();
        let want: Vec<String> = values.iter().enumerate().map(|(i, w)| format!("mem[{i}] = 9'h{w:x};")).collect();
        assert_eq!(words, want);
    }
}
