//! rust-hdl block of [`super::LpwTable`]: combinational `v = c0[s] - ((c1[s] * l) >> shift)`.

use super::LpwTable;
use crate::hw::{konst, rom_map, Mul};
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// IN input bits, SB segment bits, OUT output/coefficient bits, PW = OUT + IN product bits.
#[derive(LogicBlock)]
pub struct Lpw<const IN: usize, const SB: usize, const OUT: usize, const PW: usize> {
    pub g: Signal<In, Bits<IN>>,
    pub v: Signal<Out, Bits<OUT>>,
    c0: ROM<Bits<OUT>, SB>,
    c1: ROM<Bits<OUT>, SB>,
    mul: Mul<OUT, IN, PW>,
    low_bits: Constant<Bits<IN>>,
    low_mask: Constant<Bits<IN>>,
    shift: Constant<Bits<PW>>,
    drop: Signal<Local, Bits<PW>>,
}

impl<const IN: usize, const SB: usize, const OUT: usize, const PW: usize> Lpw<IN, SB, OUT, PW> {
    pub fn new(t: &LpwTable) -> Self {
        assert_eq!((t.in_bits as usize, t.seg_bits as usize, t.out_bits as usize, PW), (IN, SB, OUT, OUT + IN));
        Self {
            g: Default::default(),
            v: Default::default(),
            c0: ROM::new(rom_map::<OUT, SB>(&t.c0)),
            c1: ROM::new(rom_map::<OUT, SB>(&t.c1)),
            mul: Default::default(),
            low_bits: konst(t.low_bits as u64),
            low_mask: konst((1u64 << t.low_bits) - 1),
            shift: konst(t.shift as u64),
            drop: Default::default(),
        }
    }
}

impl<const IN: usize, const SB: usize, const OUT: usize, const PW: usize> Logic for Lpw<IN, SB, OUT, PW> {
    #[hdl_gen]
    fn update(&mut self) {
        // segment s = g >> low_bits (SB bits), offset l = g & low_mask (IN bits, top zero)
        self.c0.address.next = bit_cast::<SB, IN>(self.g.val() >> self.low_bits.val());
        self.c1.address.next = bit_cast::<SB, IN>(self.g.val() >> self.low_bits.val());
        self.mul.a.next = self.c1.data.val();
        self.mul.b.next = self.g.val() & self.low_mask.val();
        // drop = (c1 * l) >> shift  (PW bits)
        self.drop.next = self.mul.p.val() >> self.shift.val();
        // v = c0 - drop  (OUT bits; never negative by construction of the table)
        self.v.next = self.c0.data.val() - bit_cast::<OUT, PW>(self.drop.val());
    }
}
