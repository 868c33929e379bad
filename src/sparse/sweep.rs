//! Renormalization over the survivors (`renorm = "survivors"`): the pass-2 side of the
//! softmax unit (`unit/block.rs`) takes the reciprocal over. It first sweeps the row once
//! more (the row buffer's read port, the keep rule and cap of `select.rs` at S2a) through a
//! second pass-1 datapath fed with the kept elements only (k_min_s, d_s), then takes 1/d_s,
//! then runs pass 2 with k_min_s:
//!
//! ```text
//!  Idle --handoff--> Sweep --d_s--> Recip --r--> Run --pass 2 done--> Idle
//! ```
//! The row's length, bank and k_min_s are held here for pass 2. The pass-2 side is free for
//! the next handoff in Idle, or in Run once pass 2 is no longer busy.

use crate::hw::konst;
use crate::params::UnitParams;
use crate::unnormed::block::Unnormed;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Pass-2 side states.
const P2_IDLE: u64 = 0;
const P2_SWEEP: u64 = 1;
const P2_RECIP: u64 = 2;
const P2_RUN: u64 = 3;

/// Cycles from an element at the sweep's S1 to the sweep sum including it (pass 1's depth).
pub const SWEEP_LATENCY: usize = crate::unnormed::block::LATENCY as usize;

#[derive(LogicBlock)]
pub struct Sweep<
    const WI: usize,
    const WT: usize,
    const WN: usize,
    const FT: usize,
    const ESB: usize,
    const WE: usize,
    const WEP: usize,
    const WSP: usize,
    const WD: usize,
    const WA: usize,
    const WL: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    /// the pass-1 side hands a row over (its length and bank)
    pub handoff: Signal<In, bool>,
    pub len: Signal<In, Bits<WL>>,
    pub bank: Signal<In, bool>,
    /// this side can take a row
    pub free: Signal<Out, bool>,
    /// pass 2: start, the row it runs (held), busy
    pub start2: Signal<Out, bool>,
    pub len2: Signal<Out, Bits<WL>>,
    pub bank2: Signal<Out, bool>,
    pub k_min: Signal<Out, Bits<WN>>,
    pub busy2: Signal<In, bool>,
    /// the reciprocal of the survivors' sum
    pub recip_start: Signal<Out, bool>,
    pub d: Signal<Out, Bits<WD>>,
    pub recip_done: Signal<In, bool>,
    /// the sweep owns the row buffer's read port (its bank is `bank2`) while sweeping
    pub sweeping: Signal<Out, bool>,
    pub ridx: Signal<Out, Bits<WL>>,
    /// at S2a: the keep rule, the row max's first occurrence, the element
    pub keep: Signal<In, bool>,
    pub is_amax: Signal<In, bool>,
    pub x: Signal<In, Bits<WI>>,
    sum: Unnormed<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD>,
    state: DFF<Bits<2>>,
    len_r: DFF<Bits<WL>>,
    bank_r: DFF<bool>,
    kmin_r: DFF<Bits<WN>>,
    sidx: DFF<Bits<WL>>,
    sv1: DFF<bool>,
    slast1: DFF<bool>,
    sv2: DFF<bool>,
    slast2: DFF<bool>,
    scnt: DFF<Bits<WL>>,
    scnt_o: DFF<Bits<WL>>,
    sdone: Vec<DFF<bool>>,
    st_idle: Constant<Bits<2>>,
    st_sweep: Constant<Bits<2>>,
    st_recip: Constant<Bits<2>>,
    st_run: Constant<Bits<2>>,
    cap_m1: Constant<Bits<WL>>,
    /// `cap_m1` through a signal (k_max = 1 makes the compare `< 0`, see `select.rs`)
    cap_m1_s: Signal<Local, Bits<WL>>,
    skeep: Signal<Local, bool>,
    sweep_done: Signal<Local, bool>,
    sdone_last: Signal<Local, bool>,
    sidx_next: Signal<Local, Bits<WL>>,
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
        const WA: usize,
        const WL: usize,
    > Sweep<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL>
{
    pub fn new(p: &UnitParams) -> Self {
        let sp = p.sparse.as_ref().expect("sparse parameters");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            handoff: Default::default(),
            len: Default::default(),
            bank: Default::default(),
            free: Default::default(),
            start2: Default::default(),
            len2: Default::default(),
            bank2: Default::default(),
            k_min: Default::default(),
            busy2: Default::default(),
            recip_start: Default::default(),
            d: Default::default(),
            recip_done: Default::default(),
            sweeping: Default::default(),
            ridx: Default::default(),
            keep: Default::default(),
            is_amax: Default::default(),
            x: Default::default(),
            sum: Unnormed::new(p),
            state: Default::default(),
            len_r: Default::default(),
            bank_r: Default::default(),
            kmin_r: Default::default(),
            sidx: Default::default(),
            sv1: Default::default(),
            slast1: Default::default(),
            sv2: Default::default(),
            slast2: Default::default(),
            scnt: Default::default(),
            scnt_o: Default::default(),
            sdone: (0..SWEEP_LATENCY).map(|_| Default::default()).collect(),
            st_idle: konst(P2_IDLE),
            st_sweep: konst(P2_SWEEP),
            st_recip: konst(P2_RECIP),
            st_run: konst(P2_RUN),
            cap_m1: konst(sp.cap as u64 - 1),
            cap_m1_s: Default::default(),
            skeep: Default::default(),
            sweep_done: Default::default(),
            sdone_last: Default::default(),
            sidx_next: Default::default(),
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
        const WA: usize,
        const WL: usize,
    > Logic for Sweep<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, len_r, bank_r, kmin_r, sidx, sv1, slast1, sv2, slast2, scnt, scnt_o);
        for j in 0..self.sdone.len() {
            self.sdone[j].clock.next = self.clock.val();
            self.sdone[j].d.next = self.sdone[j].q.val();
        }
        self.sum.clock.next = self.clock.val();
        self.sum.reset.next = self.reset.val();
        self.len2.next = self.len_r.q.val();
        self.bank2.next = self.bank_r.q.val();
        self.k_min.next = self.kmin_r.q.val();
        self.d.next = self.sum.d.val();
        self.free.next = (self.state.q.val() == self.st_idle.val()) | ((self.state.q.val() == self.st_run.val()) & !self.busy2.val());
        // pass 2 finished its row (a handoff below may start the next one in the same cycle)
        if (self.state.q.val() == self.st_run.val()) & !self.busy2.val() {
            self.state.d.next = self.st_idle.val();
        }
        if self.handoff.val() {
            self.state.d.next = self.st_sweep.val();
            self.len_r.d.next = self.len.val();
            self.bank_r.d.next = self.bank.val();
            self.sidx.d.next = 0.into();
            self.scnt.d.next = 0.into();
            self.scnt_o.d.next = 0.into();
        }
        // the sweep issues one read per cycle
        self.sweeping.next = self.state.q.val() == self.st_sweep.val();
        self.ridx.next = self.sidx.q.val();
        self.sidx_next.next = self.sidx.q.val() + 1;
        self.sv1.d.next = false;
        if self.sweeping.val() {
            if self.sidx.q.val() != self.len_r.q.val() {
                self.sv1.d.next = true;
                self.slast1.d.next = self.sidx_next.val() == self.len_r.q.val();
                self.sidx.d.next = self.sidx_next.val();
            }
        }
        // at S2a the keep rule and the cap pick the elements that the second pass-1 datapath
        // sums; its result is final SWEEP_LATENCY cycles after the row's last element was at
        // S2a, kept or not (pass 2 is idle during the sweep, so S1 -> S2a moves every cycle)
        self.sv2.d.next = self.sv1.q.val();
        self.slast2.d.next = self.slast1.q.val();
        self.cap_m1_s.next = self.cap_m1.val();
        self.skeep.next = self.sv2.q.val() & self.keep.val() & (self.is_amax.val() | (self.scnt_o.q.val() < self.cap_m1_s.val()));
        if self.skeep.val() {
            self.scnt.d.next = self.scnt.q.val() + 1;
            if !self.is_amax.val() {
                self.scnt_o.d.next = self.scnt_o.q.val() + 1;
            }
        }
        self.sdone[0].d.next = self.sv2.q.val() & self.slast2.q.val();
        for j in 1..self.sdone.len() {
            self.sdone[j].d.next = self.sdone[j - 1].q.val();
        }
        self.sdone_last.next = false;
        for j in (self.sdone.len() - 1)..self.sdone.len() {
            self.sdone_last.next = self.sdone[j].q.val();
        }
        self.sum.x.next = self.x.val();
        self.sum.valid.next = self.skeep.val();
        self.sum.first.next = self.scnt.q.val() == 0;
        self.sum.last.next = self.slast2.q.val();
        // masked elements never pass the keep rule
        self.sum.masked.next = false;
        self.sum.done_in.next = true;
        // the datapath's own done marks the same cycle when the last element is kept
        self.sweep_done.next = self.sdone_last.val() | self.sum.done.val();
        self.recip_start.next = false;
        self.start2.next = false;
        if self.sweeping.val() & self.sweep_done.val() {
            self.recip_start.next = true;
            self.kmin_r.d.next = self.sum.k_min.val();
            self.state.d.next = self.st_recip.val();
        }
        if (self.state.q.val() == self.st_recip.val()) & self.recip_done.val() {
            self.start2.next = true;
            self.state.d.next = self.st_run.val();
        }
        // synchronous reset, last so that it wins (the counters load at the handoff)
        if self.reset.val() {
            self.state.d.next = self.st_idle.val();
            self.sv1.d.next = false;
            self.sv2.d.next = false;
        }
    }
}
