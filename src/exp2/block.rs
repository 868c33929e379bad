//! rust-hdl block of the exponent front end (see `mod.rs` for the arithmetic).
//! Three register stages, all enabled by `en`: the input x, tb (after the log2 e multiplier
//! or the padding) and nb; k and the 2^-f table output follow nb combinationally.
//!
//! ```text
//!  x -> [x_r] -> xb, scale -> [tb_r] -> nb = 2^WT - tb -> [nb_r] -> k, table(g) -> e
//! ```
//! In pass 2 with recip.method = "log", nb = 2^WT + qn - tb: qn is the row's log2 of the
//! sum's mantissa (`split_plus`); the port exists only there.

/// Register stages between `x` and `k`, `e`.
pub const FRONT_LATENCY: usize = 3;

use crate::hw::{konst, Mul, OptPort, When};
use crate::lpw::block::Lpw;
use crate::params::{UnitParams, LOG2E_BITS};
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Input multiplier by log2(e): tb = (xb * C + K) >> S  (WSP = WI + 16 bits throughout).
#[derive(LogicBlock)]
pub struct Scale<const WI: usize, const WT: usize, const WSP: usize> {
    pub xb: Signal<In, Bits<WI>>,
    pub tb: Signal<Out, Bits<WT>>,
    mul: Mul<WI, 16, WSP>,
    log2e: Constant<Bits<16>>,
    round_and_offset: Constant<Bits<WSP>>,
    shift: Constant<Bits<WSP>>,
    q: Signal<Local, Bits<WSP>>,
}

impl<const WI: usize, const WT: usize, const WSP: usize> Logic for Scale<WI, WT, WSP> {
    #[hdl_gen]
    fn update(&mut self) {
        self.mul.a.next = self.xb.val();
        self.mul.b.next = self.log2e.val();
        // xb*C + K < 2^WSP (K folds the rounding half and the offsets of x and t)
        self.q.next = self.mul.p.val() + self.round_and_offset.val();
        self.tb.next = bit_cast::<WT, WSP>(self.q.val() >> self.shift.val());
    }
}

/// x (WI bits, two's complement) -> registered nb -> k (WN bits), e (WE bits).
#[derive(LogicBlock)]
pub struct Front<
    const WI: usize,
    const WT: usize,
    const WN: usize,
    const FT: usize,
    const ESB: usize,
    const WE: usize,
    const WEP: usize,
    const WSP: usize,
> {
    pub clock: Signal<In, Clock>,
    pub en: Signal<In, bool>,
    pub x: Signal<In, Bits<WI>>,
    /// pass 2 with recip.method = "log": the row's log2 of the sum's mantissa (<= 2^FT)
    pub qn: OptPort<In, Bits<WN>>,
    pub k: Signal<Out, Bits<WN>>,
    pub e: Signal<Out, Bits<WE>>,
    /// 0 or 1 instance: present with log2e = "multiplier"
    scale: Vec<Scale<WI, WT, WSP>>,
    lut: Lpw<FT, ESB, WE, WEP>,
    plus_qn: Vec<When>,
    x_r: DFF<Bits<WI>>,
    tb_r: DFF<Bits<WT>>,
    nb: DFF<Bits<WN>>,
    sign: Constant<Bits<WI>>,
    pad: Constant<Bits<WT>>,
    two_wt: Constant<Bits<WN>>,
    ft: Constant<Bits<WN>>,
    xb: Signal<Local, Bits<WI>>,
    tb: Signal<Local, Bits<WT>>,
}

impl<
        const WI: usize,
        const WT: usize,
        const WN: usize,
        const FT: usize,
        const ESB: usize,
        const WE: usize,
        const WEP: usize,
        const WSP: usize,
    > Front<WI, WT, WN, FT, ESB, WE, WEP, WSP>
{
    /// The front end of pass 1 (`plus_qn` false) or pass 2 (true: adds `qn` with
    /// recip.method = "log").
    pub fn new(p: &UnitParams, plus_qn: bool) -> Self {
        let plus_qn = plus_qn && p.log_norm();
        assert_eq!((WI, WT, WN, FT, WE, WSP), (p.input.bits as usize, p.wt as usize, p.wt as usize + 1, p.ft as usize, p.fu as usize + 1, WI + LOG2E_BITS as usize));
        let scale = p.scale.iter().map(|s| Scale {
            xb: Default::default(),
            tb: Default::default(),
            mul: Default::default(),
            log2e: konst(s.c),
            round_and_offset: konst(s.k),
            shift: konst(s.shift as u64),
            q: Default::default(),
        });
        Self {
            clock: Default::default(),
            en: Default::default(),
            x: Default::default(),
            qn: OptPort::new(plus_qn),
            k: Default::default(),
            e: Default::default(),
            scale: scale.collect(),
            plus_qn: When::iff(plus_qn),
            lut: Lpw::new(&p.exp_table),
            x_r: Default::default(),
            tb_r: Default::default(),
            nb: Default::default(),
            sign: konst(1 << (WI - 1)),
            // t = x << pad without the multiplier (FT >= input.frac there); unused with the
            // multiplier, where FT may be below input.frac (fuzz seed 150)
            pad: konst(p.ft.saturating_sub(p.input.frac) as u64),
            two_wt: konst(1 << WT),
            ft: konst(FT as u64),
            xb: Default::default(),
            tb: Default::default(),
        }
    }
}

impl<
        const WI: usize,
        const WT: usize,
        const WN: usize,
        const FT: usize,
        const ESB: usize,
        const WE: usize,
        const WEP: usize,
        const WSP: usize,
    > Logic for Front<WI, WT, WN, FT, ESB, WE, WEP, WSP>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, x_r, tb_r, nb);
        if self.en.val() {
            self.x_r.d.next = self.x.val();
        }
        // offset binary: xb = x + 2^(WI-1)
        self.xb.next = self.x_r.q.val() ^ self.sign.val();
        // tb = t + 2^(WT-1): the input padded to FT fraction bits, or scaled by log2 e
        self.tb.next = bit_cast::<WT, WI>(self.xb.val()) << self.pad.val();
        for i in 0..self.scale.len() {
            self.scale[i].xb.next = self.xb.val();
            self.tb.next = self.scale[i].tb.val();
        }
        // nb = 2^WT - tb = 2^(WT-1) - t  (WN = WT+1 bits, > 0)
        if self.en.val() {
            self.tb_r.d.next = self.tb.val();
            self.nb.d.next = self.two_wt.val() - bit_cast::<WN, WT>(self.tb_r.q.val());
            // + qn (recip.method = "log", pass 2): 2^-(g/2^FT) then carries 1/mantissa(sum)
            for _i in 0..self.plus_qn.len() {
                self.nb.d.next = self.two_wt.val() + self.qn.val() - bit_cast::<WN, WT>(self.tb_r.q.val());
            }
        }
        // k = floor(nb / 2^FT), g = nb mod 2^FT, e = 2^(-g/2^FT)
        self.k.next = self.nb.q.val() >> self.ft.val();
        self.lut.g.next = bit_cast::<FT, WN>(self.nb.q.val());
        self.e.next = self.lut.v.val();
    }
}
