//! rust-hdl block of pass 2 (see `mod.rs`): reads the row buffer and streams the outputs.
//!
//! ```text
//!  issue idx -> [RAM x] -> [Front x, tb, nb] -> [E, s-1] -> [P = E*r] -> [P >> (s-1)] -> [y] -> m_axis
//!     S0          S1         S2a  S2b  S2            S3           S4             S5          S6
//! ```
//! Every stage register (and the RAM read, through its enable) advances only when
//! `adv = !out_valid || out_ready`: backpressure holds the whole pipeline, nothing is
//! dropped or duplicated. One beat of P elements per cycle when the consumer is always
//! ready: [`Normalize`] issues the reads and carries the beat's flags, and each of its P
//! [`NormLane`]s computes one element from S1 on (the word's lane j: element bits
//! [j*WI, (j+1)*WI), mask bit WI*P + j).
//! A masked element (its mask bit in the row buffer) enters S3 with E = 0, so its product
//! and output are exactly 0.

use crate::exp2::block::Front;
use crate::hw::{konst, Lane, Mul, OptPort, Pack, When};
use crate::params::{UnitParams, SHIFT_SAT};
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Cycles from `start` to the row's first output valid (S0..S6, the consumer ready).
pub const START_TO_OUTPUT: u32 = 9;

/// One lane of pass 2 from S1 (the row buffer's read data) to S6 (y); every register
/// advances with `adv`.
#[derive(LogicBlock)]
pub struct NormLane<
    const WI: usize,
    const WT: usize,
    const WN: usize,
    const FT: usize,
    const ESB: usize,
    const WE: usize,
    const WEP: usize,
    const WSP: usize,
    const WR: usize,
    const WP: usize,
    const WO: usize,
> {
    pub clock: Signal<In, Clock>,
    pub adv: Signal<In, bool>,
    /// S1: the element and its mask bit
    pub x: Signal<In, Bits<WI>>,
    pub masked: Signal<In, bool>,
    /// the row's k_min, r, eb (held by `Normalize` for the row)
    pub k_min: Signal<In, Bits<WN>>,
    pub r: Signal<In, Bits<WR>>,
    pub eb: Signal<In, Bits<8>>,
    /// S6
    pub y: Signal<Out, Bits<WO>>,
    front: Front<WI, WT, WN, FT, ESB, WE, WEP, WSP>,
    mul: Mul<WE, WR, WP>,
    /// recip.method = "log": r joins the front end's nb, and P = E (the multiply is unused)
    log: Vec<When>,
    m2a: DFF<bool>,
    m2b: DFF<bool>,
    m2: DFF<bool>,
    e3: DFF<Bits<WE>>,
    s3: DFF<Bits<8>>,
    p4: DFF<Bits<WP>>,
    s4: DFF<Bits<8>>,
    y1_5: DFF<Bits<WP>>,
    y6: DFF<Bits<WO>>,
    sat: Constant<Bits<WN>>,
    /// `sat` through a signal: with 2^WN - 1 <= SHIFT_SAT the compare never holds, and a
    /// compare of a constant that can never hold is a Verilator -Wall finding (fuzz seed 102)
    sat_s: Signal<Local, Bits<WN>>,
    s0m1: Constant<Bits<8>>,
    sat63: Constant<Bits<8>>,
    y_max: Constant<Bits<WP>>,
    dk: Signal<Local, Bits<WN>>,
    sh: Signal<Local, Bits<8>>,
    s_m1: Signal<Local, Bits<8>>,
    y1p: Signal<Local, Bits<WP>>,
    y2: Signal<Local, Bits<WP>>,
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
        const WR: usize,
        const WP: usize,
        const WO: usize,
    > NormLane<WI, WT, WN, FT, ESB, WE, WEP, WSP, WR, WP, WO>
{
    pub fn new(p: &UnitParams) -> Self {
        assert_eq!((WR, WP, WO), (p.fr as usize + 1, WE + WR, p.output.bits as usize));
        Self {
            clock: Default::default(),
            adv: Default::default(),
            x: Default::default(),
            masked: Default::default(),
            k_min: Default::default(),
            r: Default::default(),
            eb: Default::default(),
            y: Default::default(),
            front: Front::new(p, true),
            mul: Default::default(),
            log: When::iff(p.log_norm()),
            m2a: Default::default(),
            m2b: Default::default(),
            m2: Default::default(),
            e3: Default::default(),
            s3: Default::default(),
            p4: Default::default(),
            s4: Default::default(),
            y1_5: Default::default(),
            y6: Default::default(),
            sat: konst(SHIFT_SAT.min((1u64 << WN) - 1)),
            sat_s: Default::default(),
            s0m1: konst(p.out_shift0() as u64 - 1),
            sat63: konst(SHIFT_SAT),
            y_max: konst(p.y_max()),
            dk: Default::default(),
            sh: Default::default(),
            s_m1: Default::default(),
            y1p: Default::default(),
            y2: Default::default(),
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
        const WR: usize,
        const WP: usize,
        const WO: usize,
    > Logic for NormLane<WI, WT, WN, FT, ESB, WE, WEP, WSP, WR, WP, WO>
{
    #[hdl_gen]
    fn update(&mut self) {
        self.front.clock.next = self.clock.val();
        dff_setup!(self, clock, m2a, m2b, m2, e3, s3, p4, s4, y1_5, y6);
        // S1 -> S2: the front end registers nb
        self.front.x.next = self.x.val();
        self.front.en.next = self.adv.val();
        for _i in 0..self.log.len() {
            self.front.qn.next = bit_cast::<WN, WR>(self.r.val());
        }
        // S2 -> S3: s - 1 = min(k - k_min, 63) + eb + (FU + FR - FO - 2), saturated to 63
        // (P < 2^63, so a saturated shift still gives 0)
        self.dk.next = self.front.k.val() - self.k_min.val();
        self.sat_s.next = self.sat.val();
        if self.dk.val() > self.sat_s.val() {
            self.sh.next = bit_cast::<8, WN>(self.sat.val());
        } else {
            self.sh.next = bit_cast::<8, WN>(self.dk.val());
        }
        // S3 -> S4: P = E * r  (FU+FR frac bits)
        self.mul.a.next = self.e3.q.val();
        self.mul.b.next = self.r.val();
        self.s_m1.next = self.sh.val() + self.eb.val() + self.s0m1.val();
        // S5 -> S6: y = min(((P >> (s-1)) + 1) >> 1, y_max)
        self.y1p.next = self.y1_5.q.val() + 1;
        self.y2.next = self.y1p.val() >> 1;
        if self.adv.val() {
            self.m2a.d.next = self.masked.val();
            self.m2b.d.next = self.m2a.q.val();
            self.m2.d.next = self.m2b.q.val();
            // a masked element: E = 0, so P = 0 and y = 0
            if self.m2.q.val() {
                self.e3.d.next = 0.into();
            } else {
                self.e3.d.next = self.front.e.val();
            }
            if self.s_m1.val() > self.sat63.val() {
                self.s3.d.next = self.sat63.val();
            } else {
                self.s3.d.next = self.s_m1.val();
            }
            self.p4.d.next = self.mul.p.val();
            for _i in 0..self.log.len() {
                self.p4.d.next = bit_cast::<WP, WE>(self.e3.q.val());
            }
            self.s4.d.next = self.s3.q.val();
            self.y1_5.d.next = self.p4.q.val() >> self.s4.q.val();
            if self.y2.val() > self.y_max.val() {
                self.y6.d.next = bit_cast::<WO, WP>(self.y_max.val());
            } else {
                self.y6.d.next = bit_cast::<WO, WP>(self.y2.val());
            }
        }
        self.y.next = self.y6.q.val();
    }
}

/// Pass 2 at P lanes: reads beats (`len` of them, the row's last beat keeping the lanes of
/// `keep_in`), one [`NormLane`] per lane, and streams the beats out with their `keep`.
#[derive(LogicBlock)]
pub struct Normalize<
    const WI: usize,
    const WB: usize,
    const WBP: usize,
    const WU: usize,
    const WT: usize,
    const WN: usize,
    const FT: usize,
    const ESB: usize,
    const WE: usize,
    const WEP: usize,
    const WSP: usize,
    const WA: usize,
    const WL: usize,
    const WR: usize,
    const WP: usize,
    const WO: usize,
    const WOP: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    /// start a row: latches len, keep_in, k_min, r, eb
    pub start: Signal<In, bool>,
    /// the row's length in beats
    pub len: Signal<In, Bits<WL>>,
    pub k_min: Signal<In, Bits<WN>>,
    pub r: Signal<In, Bits<WR>>,
    pub eb: Signal<In, Bits<8>>,
    /// row-buffer bank of the row (latched at start)
    pub bank: Signal<In, bool>,
    /// a row is in flight (from start to its last output handshake), registered
    pub busy_out: Signal<Out, bool>,
    /// the row buffer's read port: bank, beat index, enable; the beat's word
    pub rbank: Signal<Out, bool>,
    pub ridx: Signal<Out, Bits<WL>>,
    pub ren: Signal<Out, bool>,
    pub rdata: Signal<In, Bits<WBP>>,
    pub y: Signal<Out, Bits<WOP>>,
    pub valid: Signal<Out, bool>,
    pub last: Signal<Out, bool>,
    pub ready: Signal<In, bool>,
    /// lanes > 1 only: the last beat's tkeep (latched at start), and the output's
    pub keep_in: OptPort<In, Bits<WU>>,
    pub keep: OptPort<Out, Bits<WU>>,
    xl: Vec<Lane<WI, WBP>>,
    ml: Vec<Lane<1, WBP>>,
    lane: Vec<NormLane<WI, WT, WN, FT, ESB, WE, WEP, WSP, WR, WP, WO>>,
    pack: Vec<Pack<WO, WOP>>,
    busy: DFF<bool>,
    bank_r: DFF<bool>,
    idx: DFF<Bits<WL>>,
    len_r: DFF<Bits<WL>>,
    kmin_r: DFF<Bits<WN>>,
    r_r: DFF<Bits<WR>>,
    eb_r: DFF<Bits<8>>,
    keep_r: Vec<DFF<Bits<WU>>>,
    v1: DFF<bool>,
    l1: DFF<bool>,
    v2a: DFF<bool>,
    l2a: DFF<bool>,
    v2b: DFF<bool>,
    l2b: DFF<bool>,
    v2: DFF<bool>,
    l2: DFF<bool>,
    v3: DFF<bool>,
    l3: DFF<bool>,
    v4: DFF<bool>,
    l4: DFF<bool>,
    v5: DFF<bool>,
    l5: DFF<bool>,
    v6: DFF<bool>,
    l6: DFF<bool>,
    adv: Signal<Local, bool>,
    issue: Signal<Local, bool>,
    idx_next: Signal<Local, Bits<WL>>,
    /// the row's last output is being accepted
    done: Signal<Local, bool>,
}

impl<
        const WI: usize,
        const WB: usize,
        const WBP: usize,
        const WU: usize,
        const WT: usize,
        const WN: usize,
        const FT: usize,
        const ESB: usize,
        const WE: usize,
        const WEP: usize,
        const WSP: usize,
        const WA: usize,
        const WL: usize,
        const WR: usize,
        const WP: usize,
        const WO: usize,
        const WOP: usize,
    > Normalize<WI, WB, WBP, WU, WT, WN, FT, ESB, WE, WEP, WSP, WA, WL, WR, WP, WO, WOP>
{
    pub fn new(p: &UnitParams) -> Self {
        let lanes = p.lanes as usize;
        assert_eq!((WA, WL, WB, WBP, WU, WOP), ((p.wa - p.lp) as usize, (p.wa - p.lp) as usize + 1, WI + 1, WB * lanes, lanes, WO * lanes));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            len: Default::default(),
            k_min: Default::default(),
            r: Default::default(),
            eb: Default::default(),
            bank: Default::default(),
            busy_out: Default::default(),
            rbank: Default::default(),
            ridx: Default::default(),
            ren: Default::default(),
            rdata: Default::default(),
            y: Default::default(),
            valid: Default::default(),
            last: Default::default(),
            ready: Default::default(),
            keep_in: OptPort::new(lanes > 1),
            keep: OptPort::new(lanes > 1),
            xl: (0..lanes).map(Lane::nth).collect(),
            ml: (0..lanes).map(|j| Lane::new(WI * lanes + j)).collect(),
            lane: (0..lanes).map(|_| NormLane::new(p)).collect(),
            pack: (0..lanes).map(Pack::nth).collect(),
            busy: Default::default(),
            bank_r: Default::default(),
            idx: Default::default(),
            len_r: Default::default(),
            kmin_r: Default::default(),
            r_r: Default::default(),
            eb_r: Default::default(),
            keep_r: (0..(lanes > 1) as usize).map(|_| Default::default()).collect(),
            v1: Default::default(),
            l1: Default::default(),
            v2a: Default::default(),
            l2a: Default::default(),
            v2b: Default::default(),
            l2b: Default::default(),
            v2: Default::default(),
            l2: Default::default(),
            v3: Default::default(),
            l3: Default::default(),
            v4: Default::default(),
            l4: Default::default(),
            v5: Default::default(),
            l5: Default::default(),
            v6: Default::default(),
            l6: Default::default(),
            adv: Default::default(),
            issue: Default::default(),
            idx_next: Default::default(),
            done: Default::default(),
        }
    }
}

impl<
        const WI: usize,
        const WB: usize,
        const WBP: usize,
        const WU: usize,
        const WT: usize,
        const WN: usize,
        const FT: usize,
        const ESB: usize,
        const WE: usize,
        const WEP: usize,
        const WSP: usize,
        const WA: usize,
        const WL: usize,
        const WR: usize,
        const WP: usize,
        const WO: usize,
        const WOP: usize,
    > Logic for Normalize<WI, WB, WBP, WU, WT, WN, FT, ESB, WE, WEP, WSP, WA, WL, WR, WP, WO, WOP>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, busy, bank_r, idx, len_r, kmin_r, r_r, eb_r, v1, l1, v2a, l2a, v2b, l2b, v2, l2, v3, l3, v4, l4, v5, l5, v6, l6);
        self.adv.next = !self.v6.q.val() | self.ready.val();
        self.issue.next = self.busy.q.val() & (self.idx.q.val() != self.len_r.q.val()) & self.adv.val();
        self.idx_next.next = self.idx.q.val() + 1;
        // S0 -> S1: the RAM read, held while stalled
        self.rbank.next = self.bank_r.q.val();
        self.ridx.next = self.idx.q.val();
        self.ren.next = self.adv.val();
        if self.issue.val() {
            self.idx.d.next = self.idx_next.val();
        }
        // S1 -> S6: the lanes; y packs their outputs, lane j at bits [j*WO, (j+1)*WO)
        for j in 0..self.lane.len() {
            self.xl[j].bus.next = self.rdata.val();
            self.ml[j].bus.next = self.rdata.val();
            self.lane[j].clock.next = self.clock.val();
            self.lane[j].adv.next = self.adv.val();
            self.lane[j].x.next = self.xl[j].x.val();
            self.lane[j].masked.next = self.ml[j].x.val().any();
            self.lane[j].k_min.next = self.kmin_r.q.val();
            self.lane[j].r.next = self.r_r.q.val();
            self.lane[j].eb.next = self.eb_r.q.val();
            self.pack[j].x.next = self.lane[j].y.val();
        }
        self.pack[0].acc.next = 0.into();
        for j in 1..self.pack.len() {
            self.pack[j].acc.next = self.pack[j - 1].out.val();
        }
        for j in (self.pack.len() - 1)..self.pack.len() {
            self.y.next = self.pack[j].out.val();
        }
        if self.adv.val() {
            self.v1.d.next = self.issue.val();
            self.l1.d.next = self.issue.val() & (self.idx_next.val() == self.len_r.q.val());
            self.v2a.d.next = self.v1.q.val();
            self.l2a.d.next = self.l1.q.val();
            self.v2b.d.next = self.v2a.q.val();
            self.l2b.d.next = self.l2a.q.val();
            self.v2.d.next = self.v2b.q.val();
            self.l2.d.next = self.l2b.q.val();
            self.v3.d.next = self.v2.q.val();
            self.l3.d.next = self.l2.q.val();
            self.v4.d.next = self.v3.q.val();
            self.l4.d.next = self.l3.q.val();
            self.v5.d.next = self.v4.q.val();
            self.l5.d.next = self.l4.q.val();
            self.v6.d.next = self.v5.q.val();
            self.l6.d.next = self.l5.q.val();
        }
        self.busy_out.next = self.busy.q.val();
        self.valid.next = self.v6.q.val();
        self.last.next = self.l6.q.val();
        // lanes > 1: every beat keeps all lanes but the row's last, which keeps keep_in's
        for i in 0..self.keep_r.len() {
            self.keep_r[i].clock.next = self.clock.val();
            self.keep_r[i].d.next = self.keep_r[i].q.val();
            if self.start.val() {
                self.keep_r[i].d.next = self.keep_in.val();
            }
            if self.l6.q.val() {
                self.keep.next = self.keep_r[i].q.val();
            } else {
                // all lanes (x | ~x: a constant would be an unused localparam at one lane)
                self.keep.next = self.keep_r[i].q.val() | !self.keep_r[i].q.val();
            }
        }
        self.done.next = self.v6.q.val() & self.l6.q.val() & self.ready.val();
        if self.done.val() {
            self.busy.d.next = false;
        }
        if self.start.val() {
            self.busy.d.next = true;
            self.bank_r.d.next = self.bank.val();
            self.idx.d.next = 0.into();
            self.len_r.d.next = self.len.val();
            self.kmin_r.d.next = self.k_min.val();
            self.r_r.d.next = self.r.val();
            self.eb_r.d.next = self.eb.val();
        }
        if self.reset.val() {
            self.busy.d.next = false;
            self.v1.d.next = false;
            self.v2a.d.next = false;
            self.v2b.d.next = false;
            self.v2.d.next = false;
            self.v3.d.next = false;
            self.v4.d.next = false;
            self.v5.d.next = false;
            self.v6.d.next = false;
        }
    }
}
