//! One lane of sparse selection (`select.rs` holds P of each): the row max of the lane's
//! elements on the pass-1 side, and the keep rule and the cap on the pass-2 side. Element
//! indices are those of the whole row: lane j of beat b holds element b * P + j.
//!
//! Values are compared in WX = WI + 2 bit offset binary (see `block.rs`).

use crate::hw::{konst, OptPort, PopCount, When};
use crate::sparse::select::PASS2_S1_TO_OUT;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Element index b * P + j of lane j in beat b (WL bits).
#[derive(LogicBlock)]
pub struct LaneIndex<const WL: usize, const WLB: usize> {
    pub beat: Signal<In, Bits<WLB>>,
    pub idx: Signal<Out, Bits<WL>>,
    lp: Constant<Bits<WL>>,
    lane: Constant<Bits<WL>>,
}

impl<const WL: usize, const WLB: usize> LaneIndex<WL, WLB> {
    pub fn new(lane: usize, lp: u32) -> Self {
        Self { beat: Default::default(), idx: Default::default(), lp: konst(lp as u64), lane: konst(lane as u64) }
    }
}

impl<const WL: usize, const WLB: usize> Logic for LaneIndex<WL, WLB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.idx.next = (bit_cast::<WL, WLB>(self.beat.val()) << self.lp.val()) | self.lane.val();
    }
}

/// The running max of one lane's unmasked elements and the index of its first occurrence
/// (strictly greater replaces; the row's first beat starts it), one stage behind the
/// handshake. `fold` (between rows, nothing in flight) loads (fx, fi, fs): the parent folds
/// the lanes pairwise into the low lanes, so lane 0 ends with the row's max.
#[derive(LogicBlock)]
pub struct MaxLane<const WI: usize, const WX: usize, const WL: usize, const WLB: usize> {
    pub clock: Signal<In, Clock>,
    pub x: Signal<In, Bits<WI>>,
    pub valid: Signal<In, bool>,
    pub first: Signal<In, bool>,
    pub masked: Signal<In, bool>,
    pub beat: Signal<In, Bits<WLB>>,
    pub fold: Signal<In, bool>,
    pub fx: Signal<In, Bits<WX>>,
    pub fi: Signal<In, Bits<WL>>,
    pub fs: Signal<In, bool>,
    /// the max (offset binary), its index, and whether the lane has had an unmasked element
    pub xmax: Signal<Out, Bits<WX>>,
    pub amax: Signal<Out, Bits<WL>>,
    pub seen: Signal<Out, bool>,
    index: LaneIndex<WL, WLB>,
    xo_r: DFF<Bits<WX>>,
    v_r: DFF<bool>,
    first_r: DFF<bool>,
    m_r: DFF<bool>,
    idx_r: DFF<Bits<WL>>,
    seen_r: DFF<bool>,
    amax_r: DFF<Bits<WL>>,
    xmax_r: DFF<Bits<WX>>,
    sign: Constant<Bits<WI>>,
    to_wx: Constant<Bits<WX>>,
}

impl<const WI: usize, const WX: usize, const WL: usize, const WLB: usize> MaxLane<WI, WX, WL, WLB> {
    pub fn new(lane: usize, lp: u32) -> Self {
        assert_eq!(WX, WI + 2);
        Self {
            clock: Default::default(),
            x: Default::default(),
            valid: Default::default(),
            first: Default::default(),
            masked: Default::default(),
            beat: Default::default(),
            fold: Default::default(),
            fx: Default::default(),
            fi: Default::default(),
            fs: Default::default(),
            xmax: Default::default(),
            amax: Default::default(),
            seen: Default::default(),
            index: LaneIndex::new(lane, lp),
            xo_r: Default::default(),
            v_r: Default::default(),
            first_r: Default::default(),
            m_r: Default::default(),
            idx_r: Default::default(),
            seen_r: Default::default(),
            amax_r: Default::default(),
            xmax_r: Default::default(),
            sign: konst(1 << (WI - 1)),
            to_wx: konst(3 << (WI - 1)),
        }
    }
}

impl<const WI: usize, const WX: usize, const WL: usize, const WLB: usize> Logic for MaxLane<WI, WX, WL, WLB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, xo_r, v_r, first_r, m_r, idx_r, seen_r, amax_r, xmax_r);
        self.index.beat.next = self.beat.val();
        // x in WX-bit offset binary = (x ^ sign) + 3 * 2^(WI-1)
        self.xo_r.d.next = bit_cast::<WX, WI>(self.x.val() ^ self.sign.val()) + self.to_wx.val();
        self.v_r.d.next = self.valid.val();
        self.first_r.d.next = self.first.val();
        self.m_r.d.next = self.masked.val();
        self.idx_r.d.next = self.index.idx.val();
        if self.v_r.q.val() {
            self.seen_r.d.next = !self.m_r.q.val() | (self.seen_r.q.val() & !self.first_r.q.val());
        }
        if self.v_r.q.val()
            & !self.m_r.q.val()
            & (self.first_r.q.val() | !self.seen_r.q.val() | (self.xo_r.q.val() > self.xmax_r.q.val()))
        {
            self.xmax_r.d.next = self.xo_r.q.val();
            self.amax_r.d.next = self.idx_r.q.val();
        }
        if self.fold.val() {
            self.xmax_r.d.next = self.fx.val();
            self.amax_r.d.next = self.fi.val();
            self.seen_r.d.next = self.fs.val();
        }
        self.xmax.next = self.xmax_r.q.val();
        self.amax.next = self.amax_r.q.val();
        self.seen.next = self.seen_r.q.val();
    }
}

/// One lane of pass 2's selection: the row-buffer element (S1) registered with its mask and
/// index (S2a), the keep rule decided there and carried beside pass 2's pipeline to the
/// output stage, then the cap in index order. With `rem` = k_max - 1 - (the others kept
/// in the row's earlier beats) and r = the elements of the lower lanes that pass the rule
/// and are not the row max's first occurrence ("others", bits of `others`), an other is
/// kept iff r < rem: the others kept before it are min(r, rem). r is a popcount (an adder
/// tree), so no chain runs through the lanes.
#[derive(LogicBlock)]
pub struct KeepLane<const WI: usize, const WX: usize, const WL: usize, const WLB: usize, const WU: usize> {
    pub clock: Signal<In, Clock>,
    /// the row-buffer element of this lane, its mask bit, and the beat index (S1)
    pub rx: Signal<In, Bits<WI>>,
    pub rm: Signal<In, bool>,
    pub beat: Signal<In, Bits<WLB>>,
    /// pass 2's pipeline advances
    pub adv: Signal<In, bool>,
    /// the row's rule (see `model.rs`)
    pub floor: Signal<In, Bits<WX>>,
    pub t: Signal<In, Bits<WX>>,
    pub imax: Signal<In, Bits<WL>>,
    pub amax: Signal<In, Bits<WL>>,
    pub rem: Signal<In, Bits<WL>>,
    /// at the output stage: every lane's `other` (bit j: lane j's); not on lane 0
    pub others: OptPort<In, Bits<WU>>,
    /// at the output stage: kept; passes the rule and is an other / is the row max's
    pub keep: Signal<Out, bool>,
    pub other: Signal<Out, bool>,
    pub akeep: Signal<Out, bool>,
    /// renorm = survivors (one lane): the rule at S2a, the row max's first occurrence, the element
    pub keep_s2: OptPort<Out, bool>,
    pub amax_s2: OptPort<Out, bool>,
    pub x_s2: OptPort<Out, Bits<WI>>,
    to_sweep: Vec<When>,
    index: LaneIndex<WL, WLB>,
    /// r: the others among the lanes below this one (none below lane 0)
    below: Vec<PopCount<WU, WL>>,
    r: Signal<Local, Bits<WL>>,
    x2o: DFF<Bits<WX>>,
    x2: DFF<Bits<WI>>,
    m2: DFF<bool>,
    idx2: DFF<Bits<WL>>,
    kp: Vec<DFF<bool>>,
    ap: Vec<DFF<bool>>,
    sign: Constant<Bits<WI>>,
    to_wx: Constant<Bits<WX>>,
    keep_raw: Signal<Local, bool>,
    is_amax: Signal<Local, bool>,
}

impl<const WI: usize, const WX: usize, const WL: usize, const WLB: usize, const WU: usize> KeepLane<WI, WX, WL, WLB, WU> {
    pub fn new(lane: usize, lp: u32, surv: bool) -> Self {
        Self {
            clock: Default::default(),
            rx: Default::default(),
            rm: Default::default(),
            beat: Default::default(),
            adv: Default::default(),
            floor: Default::default(),
            t: Default::default(),
            imax: Default::default(),
            amax: Default::default(),
            rem: Default::default(),
            others: OptPort::new(lane > 0),
            keep: Default::default(),
            other: Default::default(),
            akeep: Default::default(),
            keep_s2: OptPort::new(surv),
            amax_s2: OptPort::new(surv),
            x_s2: OptPort::new(surv),
            to_sweep: When::iff(surv),
            index: LaneIndex::new(lane, lp),
            below: (0..(lane > 0) as usize).map(|_| PopCount::new(lane)).collect(),
            r: Default::default(),
            x2o: Default::default(),
            x2: Default::default(),
            m2: Default::default(),
            idx2: Default::default(),
            // x2o is the first of the PASS2_S1_TO_OUT stages
            kp: (1..PASS2_S1_TO_OUT).map(|_| Default::default()).collect(),
            ap: (1..PASS2_S1_TO_OUT).map(|_| Default::default()).collect(),
            sign: konst(1 << (WI - 1)),
            to_wx: konst(3 << (WI - 1)),
            keep_raw: Default::default(),
            is_amax: Default::default(),
        }
    }
}

impl<const WI: usize, const WX: usize, const WL: usize, const WLB: usize, const WU: usize> Logic for KeepLane<WI, WX, WL, WLB, WU> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, x2o, x2, m2, idx2);
        for j in 0..self.kp.len() {
            self.kp[j].clock.next = self.clock.val();
            self.kp[j].d.next = self.kp[j].q.val();
            self.ap[j].clock.next = self.clock.val();
            self.ap[j].d.next = self.ap[j].q.val();
        }
        self.index.beat.next = self.beat.val();
        if self.adv.val() {
            self.x2o.d.next = bit_cast::<WX, WI>(self.rx.val() ^ self.sign.val()) + self.to_wx.val();
            self.x2.d.next = self.rx.val();
            self.m2.d.next = self.rm.val();
            self.idx2.d.next = self.index.idx.val();
        }
        // S2a: x >= floor and (x > t or x == t and i <= i_max), masked never
        self.keep_raw.next = !self.m2.q.val()
            & (self.x2o.q.val() >= self.floor.val())
            & ((self.x2o.q.val() > self.t.val()) | ((self.x2o.q.val() == self.t.val()) & (self.idx2.q.val() <= self.imax.val())));
        // the row max's first occurrence is exempt from the cap (it always passes the rule)
        self.is_amax.next = self.idx2.q.val() == self.amax.val();
        for _i in 0..self.to_sweep.len() {
            self.keep_s2.next = self.keep_raw.val();
            self.amax_s2.next = self.is_amax.val();
            self.x_s2.next = self.x2.q.val();
        }
        if self.adv.val() {
            self.kp[0].d.next = self.keep_raw.val();
            self.ap[0].d.next = self.is_amax.val();
            for j in 1..self.kp.len() {
                self.kp[j].d.next = self.kp[j - 1].q.val();
                self.ap[j].d.next = self.ap[j - 1].q.val();
            }
        }
        // output stage: the cap (k_max - 1 places besides the row max's), in index order
        self.r.next = 0.into();
        for i in 0..self.below.len() {
            self.below[i].bus.next = self.others.val();
            self.r.next = self.below[i].c.val();
        }
        for j in (self.kp.len() - 1)..self.kp.len() {
            self.other.next = self.kp[j].q.val() & !self.ap[j].q.val();
            self.akeep.next = self.kp[j].q.val() & self.ap[j].q.val();
            self.keep.next = self.kp[j].q.val() & (self.ap[j].q.val() | (self.r.val() < self.rem.val()));
        }
    }
}
