//! rust-hdl block of pass 1 (see `mod.rs`). Never stalls: one element per cycle.
//!
//! ```text
//!  cycle c    : x, valid, first, last  -> Front (3 register stages: x, tb, nb)
//!  cycle c+3  : k, E (from nb)         -> [k2, u2 = E << (FD-FU)]
//!  cycle c+4  : k2 against k_min       -> [u3, sh3 = min(|k2 - k_min|, 63), grow3]; k_min updated
//!  cycle c+5  : d = grow3 ? (d >> sh3) + u3 : d + (u3 >> sh3)   (one shifter, one adder)
//!  cycle c+6  : k_min, d final; `done` pulses for the row's last element
//! ```
//! The max comparison and the shift amount are computed one stage ahead of the sum, so the
//! loop-carried paths are short: k_min -> compare -> k_min, and d -> shift -> add -> d.
//! A masked element (`masked` beside `valid`) changes neither k_min nor d; `init` marks the
//! row's first unmasked element (`first`, or no unmasked one seen yet in the row), and a
//! masked first element clears d, so an all-masked row ends with d = 0.

use crate::exp2::block::{Front, FRONT_LATENCY};
use crate::hw::{konst, Lane, When};
use crate::params::{UnitParams, SHIFT_SAT};
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Cycles from the handshake of a row's last element to `done` (k_min, d final): the
/// exponent front end's stages, then S2, S3 and the `done` register.
pub const LATENCY: u32 = FRONT_LATENCY as u32 + 3;

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
    pub masked: Signal<In, bool>,
    /// ANDed into `done` (see `Pass1`; true at one lane)
    pub done_in: Signal<In, bool>,
    pub k_min: Signal<Out, Bits<WN>>,
    pub d: Signal<Out, Bits<WD>>,
    pub done: Signal<Out, bool>,
    front: Front<WI, WT, WN, FT, ESB, WE, WEP, WSP>,
    v1a: DFF<bool>,
    first1a: DFF<bool>,
    last1a: DFF<bool>,
    m1a: DFF<bool>,
    v1b: DFF<bool>,
    first1b: DFF<bool>,
    last1b: DFF<bool>,
    m1b: DFF<bool>,
    v1: DFF<bool>,
    first1: DFF<bool>,
    last1: DFF<bool>,
    m1: DFF<bool>,
    v2: DFF<bool>,
    first2: DFF<bool>,
    last2: DFF<bool>,
    m2: DFF<bool>,
    k2: DFF<Bits<WN>>,
    u2: DFF<Bits<WD>>,
    /// an unmasked element of the row has passed S2
    seen: DFF<bool>,
    v3: DFF<bool>,
    first3: DFF<bool>,
    init3: DFF<bool>,
    last3: DFF<bool>,
    m3: DFF<bool>,
    grow3: DFF<bool>,
    sh3: DFF<Bits<6>>,
    u3: DFF<Bits<WD>>,
    kmin: DFF<Bits<WN>>,
    sum: DFF<Bits<WD>>,
    done_r: DFF<bool>,
    align: Constant<Bits<WD>>,
    sat: Constant<Bits<WN>>,
    /// `sat` through a signal: with 2^WN - 1 <= SHIFT_SAT the compare never holds, and a
    /// compare of a constant that can never hold is a Verilator -Wall finding (fuzz seed 102)
    sat_s: Signal<Local, Bits<WN>>,
    init: Signal<Local, bool>,
    grow: Signal<Local, bool>,
    dk: Signal<Local, Bits<WN>>,
    shift_in: Signal<Local, Bits<WD>>,
    shifted: Signal<Local, Bits<WD>>,
    other: Signal<Local, Bits<WD>>,
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
            masked: Default::default(),
            done_in: Default::default(),
            k_min: Default::default(),
            d: Default::default(),
            done: Default::default(),
            front: Front::new(p, false),
            v1a: Default::default(),
            first1a: Default::default(),
            last1a: Default::default(),
            m1a: Default::default(),
            v1b: Default::default(),
            first1b: Default::default(),
            last1b: Default::default(),
            m1b: Default::default(),
            v1: Default::default(),
            first1: Default::default(),
            last1: Default::default(),
            m1: Default::default(),
            v2: Default::default(),
            first2: Default::default(),
            last2: Default::default(),
            m2: Default::default(),
            k2: Default::default(),
            u2: Default::default(),
            seen: Default::default(),
            v3: Default::default(),
            first3: Default::default(),
            init3: Default::default(),
            last3: Default::default(),
            m3: Default::default(),
            grow3: Default::default(),
            sh3: Default::default(),
            u3: Default::default(),
            kmin: Default::default(),
            sum: Default::default(),
            done_r: Default::default(),
            align: konst((p.fd - p.fu) as u64),
            sat: konst(SHIFT_SAT.min((1u64 << WN) - 1)),
            sat_s: Default::default(),
            init: Default::default(),
            grow: Default::default(),
            dk: Default::default(),
            shift_in: Default::default(),
            shifted: Default::default(),
            other: Default::default(),
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
        dff_setup!(
            self, clock, v1a, first1a, last1a, m1a, v1b, first1b, last1b, m1b, v1, first1, last1,
            m1, v2, first2, last2, m2, k2, u2, seen, v3, first3, init3, last3, m3, grow3, sh3, u3,
            kmin, sum, done_r
        );
        self.front.x.next = self.x.val();
        self.front.en.next = true;
        // the element's flags travel beside the front's three stages
        self.v1a.d.next = self.valid.val() & !self.reset.val();
        self.first1a.d.next = self.first.val();
        self.last1a.d.next = self.last.val();
        self.m1a.d.next = self.masked.val();
        self.v1b.d.next = self.v1a.q.val() & !self.reset.val();
        self.first1b.d.next = self.first1a.q.val();
        self.last1b.d.next = self.last1a.q.val();
        self.m1b.d.next = self.m1a.q.val();
        self.v1.d.next = self.v1b.q.val() & !self.reset.val();
        self.first1.d.next = self.first1b.q.val();
        self.last1.d.next = self.last1b.q.val();
        self.m1.d.next = self.m1b.q.val();

        // S1 -> S2: k and u = E << (FD - FU), the element aligned to the sum (WD bits)
        self.v2.d.next = self.v1.q.val() & !self.reset.val();
        self.first2.d.next = self.first1.q.val();
        self.last2.d.next = self.last1.q.val();
        self.m2.d.next = self.m1.q.val();
        self.k2.d.next = self.front.k.val();
        self.u2.d.next = bit_cast::<WD, WE>(self.front.e.val()) << self.align.val();

        // S2 -> S3: compare with the running min k_min (of every earlier unmasked element of
        // the row); `init`: no unmasked element before this one in the row
        self.init.next = self.first2.q.val() | !self.seen.q.val();
        self.grow.next = self.init.val() | (self.k2.q.val() < self.kmin.q.val());
        if self.v2.q.val() {
            self.seen.d.next = !self.m2.q.val() | (self.seen.q.val() & !self.first2.q.val());
        }
        if self.k2.q.val() < self.kmin.q.val() {
            self.dk.next = self.kmin.q.val() - self.k2.q.val();
        } else {
            self.dk.next = self.k2.q.val() - self.kmin.q.val();
        }
        self.v3.d.next = self.v2.q.val() & !self.reset.val();
        self.first3.d.next = self.first2.q.val();
        self.init3.d.next = self.init.val();
        self.last3.d.next = self.last2.q.val();
        self.m3.d.next = self.m2.q.val();
        self.u3.d.next = self.u2.q.val();
        self.grow3.d.next = self.grow.val();
        // shift amount |k - k_min| saturated to 63 (every shifted operand is narrower)
        self.sat_s.next = self.sat.val();
        if self.dk.val() > self.sat_s.val() {
            self.sh3.d.next = bit_cast::<6, WN>(self.sat.val());
        } else {
            self.sh3.d.next = bit_cast::<6, WN>(self.dk.val());
        }
        if self.v2.q.val() & !self.m2.q.val() & self.grow.val() {
            self.kmin.d.next = self.k2.q.val();
        }

        // S3: the sum. The max grew: d = (d >> sh) + u (renormalize); else d = d + (u >> sh)
        if self.grow3.q.val() {
            self.shift_in.next = self.sum.q.val();
            self.other.next = self.u3.q.val();
        } else {
            self.shift_in.next = self.u3.q.val();
            self.other.next = self.sum.q.val();
        }
        self.shifted.next = self.shift_in.val() >> self.sh3.q.val();
        if self.v3.q.val() {
            if self.m3.q.val() {
                if self.first3.q.val() {
                    self.sum.d.next = 0.into();
                }
            } else if self.init3.q.val() {
                self.sum.d.next = self.u3.q.val();
            } else {
                self.sum.d.next = self.shifted.val() + self.other.val();
            }
        }
        self.done_r.d.next = self.v3.q.val() & self.last3.q.val() & !self.reset.val();
        self.k_min.next = self.kmin.q.val();
        self.d.next = self.sum.q.val();
        self.done.next = self.done_r.q.val() & self.done_in.val();
    }
}

/// One node of the lanes' merge tree (see `mod.rs`, `merge`), two register stages (a node
/// in one cycle, compare, subtract, shift and add, set the clock at several lanes): a partial
/// sum with d = 0 is empty (a lane with an unmasked element has d >= its max's E > 0).
/// ```text
///  stage 1: da = 0: (kb, db, 0, 0)   db = 0: (ka, da, 0, 0)               -> (k, big, small, sh)
///           kb < ka: (kb, db, da, ka - kb)   else: (ka, da, db, kb - ka)   (sh saturated at 63)
///  stage 2: d = big + (small >> sh)
/// ```
#[derive(LogicBlock)]
pub struct Merge<const WN: usize, const WD: usize> {
    pub clock: Signal<In, Clock>,
    pub ka: Signal<In, Bits<WN>>,
    pub da: Signal<In, Bits<WD>>,
    pub kb: Signal<In, Bits<WN>>,
    pub db: Signal<In, Bits<WD>>,
    pub k: Signal<Out, Bits<WN>>,
    pub d: Signal<Out, Bits<WD>>,
    k1: DFF<Bits<WN>>,
    big1: DFF<Bits<WD>>,
    small1: DFF<Bits<WD>>,
    sh1: DFF<Bits<WN>>,
    k_r: DFF<Bits<WN>>,
    d_r: DFF<Bits<WD>>,
    sat: Constant<Bits<WN>>,
    /// see `Unnormed::sat_s`
    sat_s: Signal<Local, Bits<WN>>,
    b_grows: Signal<Local, bool>,
    dk: Signal<Local, Bits<WN>>,
}

impl<const WN: usize, const WD: usize> Merge<WN, WD> {
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            ka: Default::default(),
            da: Default::default(),
            kb: Default::default(),
            db: Default::default(),
            k: Default::default(),
            d: Default::default(),
            k1: Default::default(),
            big1: Default::default(),
            small1: Default::default(),
            sh1: Default::default(),
            k_r: Default::default(),
            d_r: Default::default(),
            sat: konst(SHIFT_SAT.min((1u64 << WN) - 1)),
            sat_s: Default::default(),
            b_grows: Default::default(),
            dk: Default::default(),
        }
    }
}

impl<const WN: usize, const WD: usize> Logic for Merge<WN, WD> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, k1, big1, small1, sh1, k_r, d_r);
        // stage 1: which sum keeps its k, and the other's shift
        self.b_grows.next = self.kb.val() < self.ka.val();
        if self.b_grows.val() {
            self.dk.next = self.ka.val() - self.kb.val();
        } else {
            self.dk.next = self.kb.val() - self.ka.val();
        }
        self.sat_s.next = self.sat.val();
        if self.dk.val() > self.sat_s.val() {
            self.sh1.d.next = self.sat.val();
        } else {
            self.sh1.d.next = self.dk.val();
        }
        // an empty side shifts nothing: sh = 0 (its k, never written in a lane without an
        // unmasked element since reset, may be X in a simulator without initial values, and
        // a shift by X is X even of 0)
        if self.da.val() == 0 {
            self.k1.d.next = self.kb.val();
            self.big1.d.next = self.db.val();
            self.small1.d.next = 0.into();
            self.sh1.d.next = 0.into();
        } else if self.db.val() == 0 {
            self.k1.d.next = self.ka.val();
            self.big1.d.next = self.da.val();
            self.small1.d.next = 0.into();
            self.sh1.d.next = 0.into();
        } else if self.b_grows.val() {
            self.k1.d.next = self.kb.val();
            self.big1.d.next = self.db.val();
            self.small1.d.next = self.da.val();
        } else {
            self.k1.d.next = self.ka.val();
            self.big1.d.next = self.da.val();
            self.small1.d.next = self.db.val();
        }
        // stage 2: the shifted sum added
        self.k_r.d.next = self.k1.q.val();
        self.d_r.d.next = self.big1.q.val() + (self.small1.q.val() >> self.sh1.q.val());
        self.k.next = self.k_r.q.val();
        self.d.next = self.d_r.q.val();
    }
}

/// Register stages of one level of the merge tree.
pub const MERGE_STAGES: usize = 2;

/// Deepest merge tree: log2 of the most lanes (32).
pub const MAX_TREE_LEVELS: usize = 5;

/// Pass 1 at P lanes: lane j of `xs` (WI bits at j*WI) and of `ms` (masked: the element is
/// masked or its lane holds none) feeds its own [`Unnormed`]; at the row's end the P partial
/// sums are merged in a registered tree of log2 P levels (`l1`: lanes (2i, 2i+1), `l2`: the
/// pairs of `l1`, ...) of [`MERGE_STAGES`] cycles each, so `done` comes 2 log2 P cycles after
/// the lanes'. At one lane this is the lane itself.
#[derive(LogicBlock)]
pub struct Pass1<
    const WI: usize,
    const WIP: usize,
    const WU: usize,
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
    pub xs: Signal<In, Bits<WIP>>,
    pub ms: Signal<In, Bits<WU>>,
    pub valid: Signal<In, bool>,
    pub first: Signal<In, bool>,
    pub last: Signal<In, bool>,
    pub k_min: Signal<Out, Bits<WN>>,
    pub d: Signal<Out, Bits<WD>>,
    pub done: Signal<Out, bool>,
    xl: Vec<Lane<WI, WIP>>,
    ml: Vec<Lane<1, WU>>,
    lane: Vec<Unnormed<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD>>,
    l1: Vec<Merge<WN, WD>>,
    l2: Vec<Merge<WN, WD>>,
    l3: Vec<Merge<WN, WD>>,
    l4: Vec<Merge<WN, WD>>,
    l5: Vec<Merge<WN, WD>>,
    /// `done` delayed through the tree's levels (MERGE_STAGES per level)
    done_d: Vec<DFF<bool>>,
    /// the tree's root: the lane itself (one lane), or the one node of level n
    root0: Vec<When>,
    root1: Vec<When>,
    root2: Vec<When>,
    root3: Vec<When>,
    root4: Vec<When>,
    root5: Vec<When>,
}

impl<
        const WI: usize,
        const WIP: usize,
        const WU: usize,
        const WT: usize,
        const WN: usize,
        const FT: usize,
        const ESB: usize,
        const WE: usize,
        const WEP: usize,
        const WSP: usize,
        const WD: usize,
    > Pass1<WI, WIP, WU, WT, WN, FT, ESB, WE, WEP, WSP, WD>
{
    pub fn new(p: &UnitParams) -> Self {
        let lanes = p.lanes as usize;
        assert_eq!((WIP, WU), (WI * lanes, lanes));
        let levels = p.lp as usize;
        assert!(levels <= MAX_TREE_LEVELS);
        let level = |n: usize| (0..if n <= levels { lanes >> n } else { 0 }).map(|_| Merge::new()).collect::<Vec<_>>();
        Self {
            clock: Default::default(),
            reset: Default::default(),
            xs: Default::default(),
            ms: Default::default(),
            valid: Default::default(),
            first: Default::default(),
            last: Default::default(),
            k_min: Default::default(),
            d: Default::default(),
            done: Default::default(),
            xl: (0..lanes).map(Lane::nth).collect(),
            ml: (0..lanes).map(Lane::nth).collect(),
            lane: (0..lanes).map(|_| Unnormed::new(p)).collect(),
            l1: level(1),
            l2: level(2),
            l3: level(3),
            l4: level(4),
            l5: level(5),
            done_d: (0..MERGE_STAGES * levels).map(|_| Default::default()).collect(),
            root0: When::iff(levels == 0),
            root1: When::iff(levels == 1),
            root2: When::iff(levels == 2),
            root3: When::iff(levels == 3),
            root4: When::iff(levels == 4),
            root5: When::iff(levels == 5),
        }
    }
}

impl<
        const WI: usize,
        const WIP: usize,
        const WU: usize,
        const WT: usize,
        const WN: usize,
        const FT: usize,
        const ESB: usize,
        const WE: usize,
        const WEP: usize,
        const WSP: usize,
        const WD: usize,
    > Logic for Pass1<WI, WIP, WU, WT, WN, FT, ESB, WE, WEP, WSP, WD>
{
    #[hdl_gen]
    fn update(&mut self) {
        for j in 0..self.lane.len() {
            self.xl[j].bus.next = self.xs.val();
            self.ml[j].bus.next = self.ms.val();
            self.lane[j].clock.next = self.clock.val();
            self.lane[j].reset.next = self.reset.val();
            self.lane[j].x.next = self.xl[j].x.val();
            self.lane[j].masked.next = self.ml[j].x.val().any();
            self.lane[j].valid.next = self.valid.val();
            self.lane[j].first.next = self.first.val();
            self.lane[j].last.next = self.last.val();
        }
        // every lane ends the row in the same cycle; the lanes chain their `done`s so that
        // each is read (the last lane's is the AND of all)
        self.lane[0].done_in.next = true;
        for j in 1..self.lane.len() {
            self.lane[j].done_in.next = self.lane[j - 1].done.val();
        }
        // the tree: level n merges the pairs (2i, 2i+1) of level n-1 (level 0: the lanes)
        for i in 0..self.l1.len() {
            self.l1[i].clock.next = self.clock.val();
            self.l1[i].ka.next = self.lane[2 * i].k_min.val();
            self.l1[i].da.next = self.lane[2 * i].d.val();
            self.l1[i].kb.next = self.lane[2 * i + 1].k_min.val();
            self.l1[i].db.next = self.lane[2 * i + 1].d.val();
        }
        for i in 0..self.l2.len() {
            self.l2[i].clock.next = self.clock.val();
            self.l2[i].ka.next = self.l1[2 * i].k.val();
            self.l2[i].da.next = self.l1[2 * i].d.val();
            self.l2[i].kb.next = self.l1[2 * i + 1].k.val();
            self.l2[i].db.next = self.l1[2 * i + 1].d.val();
        }
        for i in 0..self.l3.len() {
            self.l3[i].clock.next = self.clock.val();
            self.l3[i].ka.next = self.l2[2 * i].k.val();
            self.l3[i].da.next = self.l2[2 * i].d.val();
            self.l3[i].kb.next = self.l2[2 * i + 1].k.val();
            self.l3[i].db.next = self.l2[2 * i + 1].d.val();
        }
        for i in 0..self.l4.len() {
            self.l4[i].clock.next = self.clock.val();
            self.l4[i].ka.next = self.l3[2 * i].k.val();
            self.l4[i].da.next = self.l3[2 * i].d.val();
            self.l4[i].kb.next = self.l3[2 * i + 1].k.val();
            self.l4[i].db.next = self.l3[2 * i + 1].d.val();
        }
        for i in 0..self.l5.len() {
            self.l5[i].clock.next = self.clock.val();
            self.l5[i].ka.next = self.l4[2 * i].k.val();
            self.l5[i].da.next = self.l4[2 * i].d.val();
            self.l5[i].kb.next = self.l4[2 * i + 1].k.val();
            self.l5[i].db.next = self.l4[2 * i + 1].d.val();
        }
        // `done` follows the sums through the levels
        for i in 0..self.done_d.len() {
            self.done_d[i].clock.next = self.clock.val();
        }
        for i in 0..self.done_d.len().min(1) {
            for j in (self.lane.len() - 1)..self.lane.len() {
                self.done_d[i].d.next = self.lane[j].done.val() & !self.reset.val();
            }
        }
        for i in 1..self.done_d.len() {
            self.done_d[i].d.next = self.done_d[i - 1].q.val() & !self.reset.val();
        }
        for _i in 0..self.root0.len() {
            self.k_min.next = self.lane[0].k_min.val();
            self.d.next = self.lane[0].d.val();
            for j in (self.lane.len() - 1)..self.lane.len() {
                self.done.next = self.lane[j].done.val();
            }
        }
        for _i in 0..self.root1.len() {
            self.k_min.next = self.l1[0].k.val();
            self.d.next = self.l1[0].d.val();
            self.done.next = self.done_d[1].q.val();
        }
        for _i in 0..self.root2.len() {
            self.k_min.next = self.l2[0].k.val();
            self.d.next = self.l2[0].d.val();
            self.done.next = self.done_d[3].q.val();
        }
        for _i in 0..self.root3.len() {
            self.k_min.next = self.l3[0].k.val();
            self.d.next = self.l3[0].d.val();
            self.done.next = self.done_d[5].q.val();
        }
        for _i in 0..self.root4.len() {
            self.k_min.next = self.l4[0].k.val();
            self.d.next = self.l4[0].d.val();
            self.done.next = self.done_d[7].q.val();
        }
        for _i in 0..self.root5.len() {
            self.k_min.next = self.l5[0].k.val();
            self.d.next = self.l5[0].d.val();
            self.done.next = self.done_d[9].q.val();
        }
    }
}
