//! rust-hdl block of pass 1 (see `mod.rs`). Never stalls: one element per cycle.
//!
//! ```text
//!  cycle c    : x, valid, first, last  -> Front (registers nb)
//!  cycle c+1  : k, E (from nb)         -> k_min, d registers (the recurrence, one cycle)
//!  cycle c+2  : k_min, d final; `done` pulses for the row's last element
//! ```

use crate::exp2::block::Front;
use crate::hw::konst;
use crate::unit::params::{UnitParams, SHIFT_SAT};
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

#[derive(LogicBlock)]
pub struct Unnormed<
    const WI: usize,
    const WT: usize,
    const WN: usize,
    const FT: usize,
    const ESB: usize,
    const WE: usize,
    const WEP: usize,
    const WSP: usize,
    const WD: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    pub x: Signal<In, Bits<WI>>,
    pub valid: Signal<In, bool>,
    pub first: Signal<In, bool>,
    pub last: Signal<In, bool>,
    pub k_min: Signal<Out, Bits<WN>>,
    pub d: Signal<Out, Bits<WD>>,
    pub done: Signal<Out, bool>,
    front: Front<WI, WT, WN, FT, ESB, WE, WEP, WSP>,
    v1: DFF<bool>,
    first1: DFF<bool>,
    last1: DFF<bool>,
    kmin: DFF<Bits<WN>>,
    sum: DFF<Bits<WD>>,
    done_r: DFF<bool>,
    align: Constant<Bits<WD>>,
    sat: Constant<Bits<WN>>,
    u: Signal<Local, Bits<WD>>,
    dk: Signal<Local, Bits<WN>>,
    sh: Signal<Local, Bits<6>>,
    d_shifted: Signal<Local, Bits<WD>>,
    u_shifted: Signal<Local, Bits<WD>>,
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
        const WD: usize,
    > Unnormed<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD>
{
    pub fn new(p: &UnitParams) -> Self {
        assert_eq!(WD, p.wd as usize);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            x: Default::default(),
            valid: Default::default(),
            first: Default::default(),
            last: Default::default(),
            k_min: Default::default(),
            d: Default::default(),
            done: Default::default(),
            front: Front::new(p),
            v1: Default::default(),
            first1: Default::default(),
            last1: Default::default(),
            kmin: Default::default(),
            sum: Default::default(),
            done_r: Default::default(),
            align: konst((p.fd - p.fu) as u64),
            sat: konst(SHIFT_SAT.min((1u64 << WN) - 1)),
            u: Default::default(),
            dk: Default::default(),
            sh: Default::default(),
            d_shifted: Default::default(),
            u_shifted: Default::default(),
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
        const WD: usize,
    > Logic for Unnormed<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD>
{
    #[hdl_gen]
    fn update(&mut self) {
        self.front.clock.next = self.clock.val();
        dff_setup!(self, clock, v1, first1, last1, kmin, sum, done_r);
        self.front.x.next = self.x.val();
        self.front.en.next = true;
        self.v1.d.next = self.valid.val() & !self.reset.val();
        self.first1.d.next = self.first.val();
        self.last1.d.next = self.last.val();
        // u = E << (FD - FU): the element aligned to the sum's FD fraction bits (WD bits)
        self.u.next = bit_cast::<WD, WE>(self.front.e.val()) << self.align.val();
        // |k - k_min|, saturated to 63 (every shifted operand is narrower than 63 bits)
        if self.front.k.val() < self.kmin.q.val() {
            self.dk.next = self.kmin.q.val() - self.front.k.val();
        } else {
            self.dk.next = self.front.k.val() - self.kmin.q.val();
        }
        if self.dk.val() > self.sat.val() {
            self.sh.next = bit_cast::<6, WN>(self.sat.val());
        } else {
            self.sh.next = bit_cast::<6, WN>(self.dk.val());
        }
        self.d_shifted.next = self.sum.q.val() >> self.sh.val();
        self.u_shifted.next = self.u.val() >> self.sh.val();
        if self.v1.q.val() {
            if self.first1.q.val() {
                self.kmin.d.next = self.front.k.val();
                self.sum.d.next = self.u.val();
            } else if self.front.k.val() < self.kmin.q.val() {
                // the max grew: renormalize the sum by a right shift
                self.kmin.d.next = self.front.k.val();
                self.sum.d.next = self.d_shifted.val() + self.u.val();
            } else {
                self.sum.d.next = self.sum.q.val() + self.u_shifted.val();
            }
        }
        self.done_r.d.next = self.v1.q.val() & self.last1.q.val() & !self.reset.val();
        self.k_min.next = self.kmin.q.val();
        self.d.next = self.sum.q.val();
        self.done.next = self.done_r.q.val();
    }
}
