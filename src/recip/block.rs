//! rust-hdl block of the reciprocal (see `mod.rs`). Runs once per row.
//!
//! ```text
//!  start (d) -> [d_r] -> leading-one normalize (6-stage log shifter, 64 bits)
//!            -> [m, eb] -> table -> [r0] -> done                     (latency 3: LUT / LPW)
//!            -> Newton: [q = (2 - m*r0) >> FR] -> [r = r0*q >> MH] -> done   (latency 5)
//! ```
//! With recip.method = "log", m holds the complement of the mantissa, so the table input is
//! the complement of its top bits and the table is log2(m) (`params::log_target`).

use crate::config::RecipMethod;
use crate::hw::{konst, Mul, When};
use crate::lpw::block::Lpw;
use crate::params::UnitParams;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Cycles from `start` to `done`: 3 for the LUT, the LPW and the log, 2 more for the Newton step.
pub fn latency(method: RecipMethod) -> u32 {
    if method == RecipMethod::Newton { 5 } else { 3 }
}

/// One Newton-Raphson step, two register stages.
#[derive(LogicBlock)]
pub struct Newton<const WMH: usize, const WR: usize, const WH: usize, const WQ: usize, const WRQ: usize> {
    pub clock: Signal<In, Clock>,
    pub valid: Signal<In, bool>,
    /// mantissa left-aligned in 64 bits
    pub m: Signal<In, Bits<64>>,
    pub r0: Signal<In, Bits<WR>>,
    pub r: Signal<Out, Bits<WR>>,
    pub done: Signal<Out, bool>,
    mul_h: Mul<WMH, WR, WH>,
    mul_r: Mul<WR, WQ, WRQ>,
    q_r: DFF<Bits<WQ>>,
    r0_r: DFF<Bits<WR>>,
    r_r: DFF<Bits<WR>>,
    v1: DFF<bool>,
    v2: DFF<bool>,
    mh_shift: Constant<Bits<64>>,
    two: Constant<Bits<WH>>,
    fr: Constant<Bits<WH>>,
    mh: Constant<Bits<WRQ>>,
    one: Constant<Bits<WRQ>>,
    two_minus_h: Signal<Local, Bits<WH>>,
    q_full: Signal<Local, Bits<WH>>,
    r1: Signal<Local, Bits<WRQ>>,
}

impl<const WMH: usize, const WR: usize, const WH: usize, const WQ: usize, const WRQ: usize> Logic
    for Newton<WMH, WR, WH, WQ, WRQ>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, q_r, r0_r, r_r, v1, v2);
        // m_hi = top MH+1 bits of m (1.xxx, MH frac bits); h = m_hi * r0 (MH+FR frac bits)
        self.mul_h.a.next = bit_cast::<WMH, 64>(self.m.val() >> self.mh_shift.val());
        self.mul_h.b.next = self.r0.val();
        // q = (2 - h) >> FR  (MH frac bits, ~1.0)
        self.two_minus_h.next = self.two.val() - self.mul_h.p.val();
        self.q_full.next = self.two_minus_h.val() >> self.fr.val();
        self.v1.d.next = self.valid.val();
        if self.valid.val() {
            self.q_r.d.next = bit_cast::<WQ, WH>(self.q_full.val());
            self.r0_r.d.next = self.r0.val();
        }
        // r = min((r0 * q) >> MH, 1.0)  (FR frac bits)
        self.mul_r.a.next = self.r0_r.q.val();
        self.mul_r.b.next = self.q_r.q.val();
        self.r1.next = self.mul_r.p.val() >> self.mh.val();
        self.v2.d.next = self.v1.q.val();
        if self.v1.q.val() {
            if self.r1.val() > self.one.val() {
                self.r_r.d.next = bit_cast::<WR, WRQ>(self.one.val());
            } else {
                self.r_r.d.next = bit_cast::<WR, WRQ>(self.r1.val());
            }
        }
        self.r.next = self.r_r.q.val();
        self.done.next = self.v2.q.val();
    }
}

#[derive(LogicBlock)]
pub struct Recip<
    const WD: usize,
    const RN: usize,
    const RSB: usize,
    const WR: usize,
    const RPW: usize,
    const WMH: usize,
    const WH: usize,
    const WQ: usize,
    const WRQ: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    pub start: Signal<In, bool>,
    pub d: Signal<In, Bits<WD>>,
    pub done: Signal<Out, bool>,
    pub r: Signal<Out, Bits<WR>>,
    pub eb: Signal<Out, Bits<8>>,
    lut: Lpw<RN, RSB, WR, RPW>,
    /// 0 or 1 instance: present with recip.method = "newton"
    newton: Vec<Newton<WMH, WR, WH, WQ, WRQ>>,
    /// recip.method = "log": m_r takes the complement
    log: Vec<When>,
    d_r: DFF<Bits<WD>>,
    va: DFF<bool>,
    vm: DFF<bool>,
    vb: DFF<bool>,
    r0: DFF<Bits<WR>>,
    eb_r: DFF<Bits<8>>,
    m_r: DFF<Bits<64>>,
    pre: Constant<Bits<64>>,
    rn_shift: Constant<Bits<64>>,
    int_bits: Constant<Bits<8>>,
    n0: Signal<Local, Bits<64>>,
    n1: Signal<Local, Bits<64>>,
    n2: Signal<Local, Bits<64>>,
    n3: Signal<Local, Bits<64>>,
    n4: Signal<Local, Bits<64>>,
    n5: Signal<Local, Bits<64>>,
    n6: Signal<Local, Bits<64>>,
    z1: Signal<Local, Bits<8>>,
    z2: Signal<Local, Bits<8>>,
    z3: Signal<Local, Bits<8>>,
    z4: Signal<Local, Bits<8>>,
    z5: Signal<Local, Bits<8>>,
    z6: Signal<Local, Bits<8>>,
    /// the result before the output: the table's, or the Newton step's when present (a local
    /// may be assigned twice; the outputs are assigned once, so no other block wakes twice)
    r_sel: Signal<Local, Bits<WR>>,
    done_sel: Signal<Local, bool>,
}

impl<
        const WD: usize,
        const RN: usize,
        const RSB: usize,
        const WR: usize,
        const RPW: usize,
        const WMH: usize,
        const WH: usize,
        const WQ: usize,
        const WRQ: usize,
    > Recip<WD, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ>
{
    pub fn new(p: &UnitParams) -> Self {
        let mh = p.newton_mh as usize;
        assert_eq!((WD, WR, WMH, WH, WQ, WRQ), (p.wd as usize, p.fr as usize + 1, mh + 1, mh + 1 + WR, mh + 1, WR + mh + 1));
        let newton = (p.recip_method == RecipMethod::Newton).then(|| Newton {
            clock: Default::default(),
            valid: Default::default(),
            m: Default::default(),
            r0: Default::default(),
            r: Default::default(),
            done: Default::default(),
            mul_h: Default::default(),
            mul_r: Default::default(),
            q_r: Default::default(),
            r0_r: Default::default(),
            r_r: Default::default(),
            v1: Default::default(),
            v2: Default::default(),
            mh_shift: konst((63 - mh) as u64),
            two: konst(1 << (mh + p.fr as usize + 1)),
            fr: konst(p.fr as u64),
            mh: konst(mh as u64),
            one: konst(1 << p.fr),
            two_minus_h: Default::default(),
            q_full: Default::default(),
            r1: Default::default(),
        });
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            d: Default::default(),
            done: Default::default(),
            r: Default::default(),
            eb: Default::default(),
            lut: Lpw::new(&p.recip_table),
            newton: newton.into_iter().collect(),
            log: When::iff(p.log_norm()),
            d_r: Default::default(),
            va: Default::default(),
            vm: Default::default(),
            vb: Default::default(),
            r0: Default::default(),
            eb_r: Default::default(),
            m_r: Default::default(),
            pre: konst((64 - WD) as u64),
            rn_shift: konst((63 - RN) as u64),
            int_bits: konst((p.wd - p.fd) as u64),
            n0: Default::default(),
            n1: Default::default(),
            n2: Default::default(),
            n3: Default::default(),
            n4: Default::default(),
            n5: Default::default(),
            n6: Default::default(),
            z1: Default::default(),
            z2: Default::default(),
            z3: Default::default(),
            z4: Default::default(),
            z5: Default::default(),
            z6: Default::default(),
            r_sel: Default::default(),
            done_sel: Default::default(),
        }
    }
}

impl<
        const WD: usize,
        const RN: usize,
        const RSB: usize,
        const WR: usize,
        const RPW: usize,
        const WMH: usize,
        const WH: usize,
        const WQ: usize,
        const WRQ: usize,
    > Logic for Recip<WD, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, d_r, va, vm, vb, r0, eb_r, m_r);
        self.va.d.next = self.start.val() & !self.reset.val();
        if self.start.val() {
            self.d_r.d.next = self.d.val();
        }
        // leading-one normalization: n6 = d << lz with its MSB at bit 63, z6 = lz - (64 - WD)
        self.n0.next = bit_cast::<64, WD>(self.d_r.q.val()) << self.pre.val();
        if (self.n0.val() >> 32) == 0 {
            self.n1.next = self.n0.val() << 32;
            self.z1.next = 32.into();
        } else {
            self.n1.next = self.n0.val();
            self.z1.next = 0.into();
        }
        if (self.n1.val() >> 48) == 0 {
            self.n2.next = self.n1.val() << 16;
            self.z2.next = self.z1.val() + 16;
        } else {
            self.n2.next = self.n1.val();
            self.z2.next = self.z1.val();
        }
        if (self.n2.val() >> 56) == 0 {
            self.n3.next = self.n2.val() << 8;
            self.z3.next = self.z2.val() + 8;
        } else {
            self.n3.next = self.n2.val();
            self.z3.next = self.z2.val();
        }
        if (self.n3.val() >> 60) == 0 {
            self.n4.next = self.n3.val() << 4;
            self.z4.next = self.z3.val() + 4;
        } else {
            self.n4.next = self.n3.val();
            self.z4.next = self.z3.val();
        }
        if (self.n4.val() >> 62) == 0 {
            self.n5.next = self.n4.val() << 2;
            self.z5.next = self.z4.val() + 2;
        } else {
            self.n5.next = self.n4.val();
            self.z5.next = self.z4.val();
        }
        if (self.n5.val() >> 63) == 0 {
            self.n6.next = self.n5.val() << 1;
            self.z6.next = self.z5.val() + 1;
        } else {
            self.n6.next = self.n5.val();
            self.z6.next = self.z5.val();
        }
        self.vm.d.next = self.va.q.val() & !self.reset.val();
        if self.va.q.val() {
            // eb = exponent of d + 1 = (WD - FD) - lz
            self.eb_r.d.next = self.int_bits.val() - self.z6.val();
            self.m_r.d.next = self.n6.val();
            for _i in 0..self.log.len() {
                self.m_r.d.next = !self.n6.val();
            }
        }
        // table input: the RN mantissa bits below the leading one
        self.lut.g.next = bit_cast::<RN, 64>(self.m_r.q.val() >> self.rn_shift.val());
        self.vb.d.next = self.vm.q.val() & !self.reset.val();
        if self.vm.q.val() {
            self.r0.d.next = self.lut.v.val();
        }
        self.r_sel.next = self.r0.q.val();
        self.done_sel.next = self.vb.q.val();
        for i in 0..self.newton.len() {
            self.newton[i].clock.next = self.clock.val();
            self.newton[i].valid.next = self.vb.q.val() & !self.reset.val();
            self.newton[i].m.next = self.m_r.q.val();
            self.newton[i].r0.next = self.r0.q.val();
            self.r_sel.next = self.newton[i].r.val();
            self.done_sel.next = self.newton[i].done.val();
        }
        self.r.next = self.r_sel.val();
        self.done.next = self.done_sel.val();
        self.eb.next = self.eb_r.q.val();
    }
}
