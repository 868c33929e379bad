//! Sparse selection beside the dense datapath: what the softmax unit (`unit/block.rs`) adds
//! when the configuration has a `[sparse]` section.
//!
//! ```text
//!  input beat --> P MaxLanes (x max per lane), theta (register) -> floor = max - theta
//!             '-> TopK per lane | StatAcc per lane (by mode)    -> t, i_max
//!  row buffer --> P KeepLanes: S1 (x, index) -> S2a: keep = x >= floor && (x > t || x == t && i <= i_max)
//!                                     |  the keep bits ride beside the pass-2 pipeline
//!                                     v
//!  pass 2's y --> tdata = keep ? y : 0 per lane, tuser = keep, kept = kept count through the beat
//! ```
//! The cap k_max applies at the output in index order, with one place reserved for the row
//! max: its first occurrence is always kept, any other element only while fewer than
//! k_max - 1 earlier elements other than it were kept (a chain through the lanes of a beat).
//! `theta` is a register, reset to the configured value, written by `theta_we`; each row
//! uses the value it holds at the row's first input handshake (a write in that same cycle
//! applies).
//!
//! With P lanes each lane keeps its own running max, statistics and top-k list; at the row's
//! end (no input is accepted until the handoff) they are combined into lane 0: the max and
//! the statistics fold pairwise in log2 P cycles (lanes (2i, 2i+1) into lane i, ties of the
//! max to the lower index), done before pass 1's merge tree is; the top-k lists merge by k
//! pops of the largest head ([`topk_merge_cycles`]). The model does not depend on P: the
//! row's max, S1, S2, L and k-th largest are exact.
//!
//! On the pass-1 side the row's descriptor is ready (`desc_ready`) when the reciprocal
//! (not with renorm = survivors: the pass-2 side takes it then) and the selection rule
//! (stat_topk: the threshold unit; topk at P > 1: the merge; else pass 1's end) are both
//! done. The row's rule (floor, t, i_max, the row max's index) is taken at the handoff. The
//! keep rule at S2a also serves the survivors sweep (one lane: `keep_s2`, `amax_s2`, `x_s2`:
//! see `sweep.rs`). Masked elements and the empty lanes of a row's last beat (`ms` on the
//! input side, the row buffer's mask bits on the pass-2 side) enter neither the row max nor
//! the mode blocks, and the keep rule drops them.

use super::block::{Stat, StatAcc, TopK};
use super::lane::{KeepLane, LaneIndex, MaxLane};
use crate::config::{Renorm, SparseMode};
use crate::hw::{konst, Lane, OptPort, Pack, PopCount, When};
use crate::params::UnitParams;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Pass-2 register stages from the row-buffer read data (S1) to the output (S6).
pub const PASS2_S1_TO_OUT: usize = 7;

/// Cycles from a row's last input handshake to the merged top-k rule at P > 1 (`sel_done`):
/// the lists are final 2 cycles after it, the merge starts one later and pops k heads.
pub fn topk_merge_cycles(k: u32) -> u32 {
    3 + k
}

/// Cycles from a row's last input handshake to the end of the fold of the lanes' max and
/// statistics (S2 is final 3 cycles after it, then log2 P fold cycles).
pub fn fold_cycles(lp: u32) -> u32 {
    3 + lp
}

#[derive(LogicBlock)]
pub struct Select<
    const WI: usize,
    const WA: usize,
    const WL: usize,
    const WO: usize,
    const WX: usize,
    const WS1: usize,
    const WS2: usize,
    const WXX: usize,
    const WLS2: usize,
    const WSQ: usize,
    const WV: usize,
    const WRT: usize,
    const WRTQ: usize,
    const WZR: usize,
    const WM: usize,
    const QB: usize,
    const WIP: usize,
    const WU: usize,
    const WBP: usize,
    const WOP: usize,
    const WLB: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    /// the threshold register's write port
    pub theta: Signal<In, Bits<WI>>,
    pub theta_we: Signal<In, bool>,
    /// the input beat at the row front end: the elements, per lane masked (or empty), the
    /// handshake, the beat's index in the row and (P > 1: it starts the fold and the merge)
    /// whether it ends the row
    pub xs: Signal<In, Bits<WIP>>,
    pub ms: Signal<In, Bits<WU>>,
    pub accept: Signal<In, bool>,
    pub beat: Signal<In, Bits<WLB>>,
    pub last: OptPort<In, bool>,
    /// stat_topk only: the start of the once-per-row work (the threshold unit's start)
    pub start_desc: OptPort<In, bool>,
    /// pass 1 is done; the reciprocal is done
    pub pass1_done: Signal<In, bool>,
    pub recip_done: Signal<In, bool>,
    /// the row's descriptor is ready (in WaitDesc), for the row front end
    pub desc_ready: Signal<Out, bool>,
    /// the pass-2 side takes the row now
    pub handoff: Signal<In, bool>,
    /// the row buffer's read port as the front end sees it (beat index, enable, word: the P
    /// mask bits above the P elements)
    pub ridx: Signal<In, Bits<WLB>>,
    pub ren: Signal<In, bool>,
    pub rword: Signal<In, Bits<WBP>>,
    /// pass 2's output and the consumer's ready
    pub y: Signal<In, Bits<WOP>>,
    pub out_valid: Signal<In, bool>,
    pub out_last: Signal<In, bool>,
    pub out_ready: Signal<In, bool>,
    /// the output stream's data (0 where dropped), keep flags and kept count through the beat
    pub tdata: Signal<Out, Bits<WOP>>,
    pub tuser: Signal<Out, Bits<WU>>,
    pub kept: Signal<Out, Bits<WL>>,
    /// renorm = survivors only (one lane): the keep rule at S2a, whether the element there
    /// is the row max's first occurrence, and the element (for the sweep)
    pub keep_s2: OptPort<Out, bool>,
    pub amax_s2: OptPort<Out, bool>,
    pub x_s2: OptPort<Out, Bits<WI>>,
    to_sweep: Vec<When>,
    // pass-1 side, per lane
    xl: Vec<Lane<WI, WIP>>,
    ml: Vec<Lane<1, WU>>,
    maxl: Vec<MaxLane<WI, WX, WL, WLB>>,
    /// P of each in its mode, else none
    topk: Vec<TopK<WI, WX, WL>>,
    topk_idx: Vec<LaneIndex<WL, WLB>>,
    statl: Vec<StatAcc<WI, WL, WS1, WS2, WXX>>,
    stat: Vec<Stat<WI, WA, WL, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB>>,
    /// one lane's top-k rule read directly / the lanes' lists merged (P > 1)
    topk_direct: Vec<When>,
    topk_merge: Vec<When>,
    /// the row's last handshake delayed (P > 1): fold while fd[2..] are set
    fd: Vec<DFF<bool>>,
    fold: Signal<Local, bool>,
    // the top-k merge: k pops of the largest head (the winner w_*)
    popping: DFF<bool>,
    pop_n: DFF<Bits<WL>>,
    m_t: DFF<Bits<WX>>,
    m_i: DFF<Bits<WL>>,
    m_full: DFF<bool>,
    m_done: DFF<bool>,
    k_m1: Constant<Bits<WL>>,
    w_v: Signal<Local, bool>,
    w_x: Signal<Local, Bits<WX>>,
    w_i: Signal<Local, Bits<WL>>,
    surv: Constant<bool>,
    recip_ok: DFF<bool>,
    sel_ok: DFF<bool>,
    theta_r: DFF<Bits<WI>>,
    theta_row: DFF<Bits<WI>>,
    theta_reset: Constant<Bits<WI>>,
    // pass-2 side: the rule of the row in pass 2, the beat index at S1, the lanes, the counts
    floor2: DFF<Bits<WX>>,
    t2: DFF<Bits<WX>>,
    imax2: DFF<Bits<WL>>,
    amax2: DFF<Bits<WL>>,
    idx1: DFF<Bits<WLB>>,
    rxl: Vec<Lane<WI, WBP>>,
    rml: Vec<Lane<1, WBP>>,
    keepl: Vec<KeepLane<WI, WX, WL, WLB, WU>>,
    /// the keep flags and the output mask (WO ones per kept lane), packed; the lanes'
    /// `other` and `akeep` bits, packed, and the beat's count of others
    tuser_pack: Vec<Pack<1, WU>>,
    mask_pack: Vec<Pack<WO, WOP>>,
    other_pack: Vec<Pack<1, WU>>,
    akeep_pack: Vec<Pack<1, WU>>,
    others_n: PopCount<WU, WL>,
    ones: Constant<Bits<WO>>,
    /// kept so far in the row; others kept so far (at most k_max - 1)
    cnt: DFF<Bits<WL>>,
    cnt_o: DFF<Bits<WL>>,
    cap_m1: Constant<Bits<WL>>,
    /// rem = k_max - 1 - cnt_o: the others the cap still lets through in this row; the
    /// others kept in this beat = min(others_n, rem); kept in this beat (with the row max's)
    rem: Signal<Local, Bits<WL>>,
    o_kept: Signal<Local, Bits<WL>>,
    b_kept: Signal<Local, Bits<WL>>,
    all_ones: Constant<Bits<WL>>,
    first: Signal<Local, bool>,
    theta_eff: Signal<Local, Bits<WI>>,
    sel_done: Signal<Local, bool>,
    desc_t: Signal<Local, Bits<WX>>,
    desc_i: Signal<Local, Bits<WL>>,
    adv: Signal<Local, bool>,
}

impl<
        const WI: usize,
        const WA: usize,
        const WL: usize,
        const WO: usize,
        const WX: usize,
        const WS1: usize,
        const WS2: usize,
        const WXX: usize,
        const WLS2: usize,
        const WSQ: usize,
        const WV: usize,
        const WRT: usize,
        const WRTQ: usize,
        const WZR: usize,
        const WM: usize,
        const QB: usize,
        const WIP: usize,
        const WU: usize,
        const WBP: usize,
        const WOP: usize,
        const WLB: usize,
    > Select<WI, WA, WL, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB, WIP, WU, WBP, WOP, WLB>
{
    pub fn new(p: &UnitParams) -> Self {
        let sp = p.sparse.as_ref().expect("sparse parameters");
        let lanes = p.lanes as usize;
        assert_eq!((WX, WL, WLB), (WI + 2, WA + 1, WA + 1 - p.lp as usize));
        assert_eq!((WIP, WU, WBP, WOP), (WI * lanes, lanes, (WI + 1) * lanes, WO * lanes));
        // the fold ends before pass 1 is done (the threshold unit starts then)
        assert!(fold_cycles(p.lp) <= crate::unnormed::block::LATENCY + crate::unnormed::block::MERGE_STAGES as u32 * p.lp);
        let k = sp.k as usize;
        let surv = sp.renorm == Renorm::Survivors;
        let (topk, stat) = (sp.mode == SparseMode::Topk, sp.mode == SparseMode::StatTopk);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            theta: Default::default(),
            theta_we: Default::default(),
            xs: Default::default(),
            ms: Default::default(),
            accept: Default::default(),
            beat: Default::default(),
            last: OptPort::new(lanes > 1),
            start_desc: OptPort::new(stat),
            pass1_done: Default::default(),
            recip_done: Default::default(),
            desc_ready: Default::default(),
            handoff: Default::default(),
            ridx: Default::default(),
            ren: Default::default(),
            rword: Default::default(),
            y: Default::default(),
            out_valid: Default::default(),
            out_last: Default::default(),
            out_ready: Default::default(),
            tdata: Default::default(),
            tuser: Default::default(),
            kept: Default::default(),
            keep_s2: OptPort::new(surv),
            amax_s2: OptPort::new(surv),
            x_s2: OptPort::new(surv),
            to_sweep: When::iff(surv),
            xl: (0..lanes).map(Lane::nth).collect(),
            ml: (0..lanes).map(Lane::nth).collect(),
            maxl: (0..lanes).map(|j| MaxLane::new(j, p.lp)).collect(),
            topk: if topk { (0..lanes).map(|_| TopK::new(k, lanes > 1)).collect() } else { vec![] },
            topk_idx: if topk { (0..lanes).map(|j| LaneIndex::new(j, p.lp)).collect() } else { vec![] },
            statl: if stat { (0..lanes).map(|_| StatAcc::default()).collect() } else { vec![] },
            stat: if stat { vec![Stat::new(p)] } else { vec![] },
            topk_direct: When::iff(topk && lanes == 1),
            topk_merge: When::iff(topk && lanes > 1),
            fd: (0..if lanes > 1 { 2 + p.lp as usize } else { 0 }).map(|_| Default::default()).collect(),
            fold: Default::default(),
            popping: Default::default(),
            pop_n: Default::default(),
            m_t: Default::default(),
            m_i: Default::default(),
            m_full: Default::default(),
            m_done: Default::default(),
            k_m1: konst(sp.k.max(1) as u64 - 1),
            w_v: Default::default(),
            w_x: Default::default(),
            w_i: Default::default(),
            surv: Constant::new(surv),
            recip_ok: Default::default(),
            sel_ok: Default::default(),
            theta_r: Default::default(),
            theta_row: Default::default(),
            theta_reset: konst(sp.theta),
            floor2: Default::default(),
            t2: Default::default(),
            imax2: Default::default(),
            amax2: Default::default(),
            idx1: Default::default(),
            rxl: (0..lanes).map(Lane::nth).collect(),
            rml: (0..lanes).map(|j| Lane::new(WIP + j)).collect(),
            keepl: (0..lanes).map(|j| KeepLane::new(j, p.lp, surv)).collect(),
            tuser_pack: (0..lanes).map(Pack::nth).collect(),
            mask_pack: (0..lanes).map(Pack::nth).collect(),
            other_pack: (0..lanes).map(Pack::nth).collect(),
            akeep_pack: (0..lanes).map(Pack::nth).collect(),
            others_n: PopCount::new(lanes),
            ones: konst((1 << WO) - 1),
            cnt: Default::default(),
            cnt_o: Default::default(),
            cap_m1: konst(sp.cap as u64 - 1),
            rem: Default::default(),
            o_kept: Default::default(),
            b_kept: Default::default(),
            all_ones: konst((1 << WL) - 1),
            first: Default::default(),
            theta_eff: Default::default(),
            sel_done: Default::default(),
            desc_t: Default::default(),
            desc_i: Default::default(),
            adv: Default::default(),
        }
    }
}

impl<
        const WI: usize,
        const WA: usize,
        const WL: usize,
        const WO: usize,
        const WX: usize,
        const WS1: usize,
        const WS2: usize,
        const WXX: usize,
        const WLS2: usize,
        const WSQ: usize,
        const WV: usize,
        const WRT: usize,
        const WRTQ: usize,
        const WZR: usize,
        const WM: usize,
        const QB: usize,
        const WIP: usize,
        const WU: usize,
        const WBP: usize,
        const WOP: usize,
        const WLB: usize,
    > Logic for Select<WI, WA, WL, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB, WIP, WU, WBP, WOP, WLB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, popping, pop_n, m_t, m_i, m_full, m_done, recip_ok, sel_ok, theta_r, theta_row, floor2, t2, imax2, amax2, idx1, cnt, cnt_o
        );
        self.first.next = self.beat.val() == 0;

        // theta register; the row's theta is taken at its first handshake (write forwarded)
        if self.theta_we.val() {
            self.theta_r.d.next = self.theta.val();
            self.theta_eff.next = self.theta.val();
        } else {
            self.theta_eff.next = self.theta_r.q.val();
        }
        if self.accept.val() & self.first.val() {
            self.theta_row.d.next = self.theta_eff.val();
        }

        // the fold (P > 1): while fd[2..] are set, lanes (2i, 2i+1) combine into lane i
        for i in 0..self.fd.len() {
            self.fd[i].clock.next = self.clock.val();
        }
        for i in 0..self.fd.len().min(1) {
            self.fd[i].d.next = self.accept.val() & self.last.val() & !self.reset.val();
        }
        for i in 1..self.fd.len() {
            self.fd[i].d.next = self.fd[i - 1].q.val() & !self.reset.val();
        }
        self.fold.next = false;
        for i in 2..self.fd.len() {
            if self.fd[i].q.val() {
                self.fold.next = true;
            }
        }

        // per lane: the row max (and the mode's statistics or top-k list)
        for j in 0..self.maxl.len() {
            self.xl[j].bus.next = self.xs.val();
            self.ml[j].bus.next = self.ms.val();
            self.maxl[j].clock.next = self.clock.val();
            self.maxl[j].x.next = self.xl[j].x.val();
            self.maxl[j].valid.next = self.accept.val();
            self.maxl[j].first.next = self.first.val();
            self.maxl[j].masked.next = self.ml[j].x.val().any();
            self.maxl[j].beat.next = self.beat.val();
            self.maxl[j].fold.next = self.fold.val();
            self.maxl[j].fx.next = self.maxl[j].xmax.val();
            self.maxl[j].fi.next = self.maxl[j].amax.val();
            self.maxl[j].fs.next = self.maxl[j].seen.val();
        }
        for i in 0..(self.maxl.len() / 2) {
            // lane 2i+1 wins if it has an element and a greater max, or an equal one earlier
            self.maxl[i].fs.next = self.maxl[2 * i].seen.val() | self.maxl[2 * i + 1].seen.val();
            if self.maxl[2 * i + 1].seen.val()
                & (!self.maxl[2 * i].seen.val()
                    | (self.maxl[2 * i + 1].xmax.val() > self.maxl[2 * i].xmax.val())
                    | ((self.maxl[2 * i + 1].xmax.val() == self.maxl[2 * i].xmax.val()) & (self.maxl[2 * i + 1].amax.val() < self.maxl[2 * i].amax.val())))
            {
                self.maxl[i].fx.next = self.maxl[2 * i + 1].xmax.val();
                self.maxl[i].fi.next = self.maxl[2 * i + 1].amax.val();
            } else {
                self.maxl[i].fx.next = self.maxl[2 * i].xmax.val();
                self.maxl[i].fi.next = self.maxl[2 * i].amax.val();
            }
        }
        for j in 0..self.statl.len() {
            self.statl[j].clock.next = self.clock.val();
            self.statl[j].reset.next = self.reset.val();
            self.statl[j].x.next = self.xl[j].x.val();
            self.statl[j].valid.next = self.accept.val();
            self.statl[j].first.next = self.first.val();
            self.statl[j].masked.next = self.ml[j].x.val().any();
            self.statl[j].fold.next = self.fold.val();
            self.statl[j].fs1.next = self.statl[j].s1.val();
            self.statl[j].fs2.next = self.statl[j].s2.val();
            self.statl[j].fl.next = self.statl[j].n.val();
        }
        for i in 0..(self.statl.len() / 2) {
            self.statl[i].fs1.next = self.statl[2 * i].s1.val() + self.statl[2 * i + 1].s1.val();
            self.statl[i].fs2.next = self.statl[2 * i].s2.val() + self.statl[2 * i + 1].s2.val();
            self.statl[i].fl.next = self.statl[2 * i].n.val() + self.statl[2 * i + 1].n.val();
        }
        for j in 0..self.topk.len() {
            self.topk[j].clock.next = self.clock.val();
            self.topk[j].x.next = self.xl[j].x.val();
            self.topk[j].valid.next = self.accept.val();
            self.topk[j].first.next = self.first.val();
            self.topk_idx[j].beat.next = self.beat.val();
            self.topk[j].idx.next = self.topk_idx[j].idx.val();
            self.topk[j].masked.next = self.ml[j].x.val().any();
        }

        // mode blocks: t and i_max of the row (threshold: t below every code, every index)
        self.sel_done.next = self.pass1_done.val();
        self.desc_t.next = 0.into();
        self.desc_i.next = self.all_ones.val();
        for i in 0..self.topk_direct.len() {
            if self.topk[i].full.val() {
                self.desc_t.next = self.topk[i].t.val();
                self.desc_i.next = self.topk[i].i_max.val();
            }
        }
        // P > 1: k pops of the largest head of the lanes' lists (ties to the lower index;
        // indices are unique, so the winner's index names its lane); the k-th is (t, i_max),
        // none when the row has fewer than k elements
        self.w_v.next = false;
        self.w_x.next = 0.into();
        self.w_i.next = 0.into();
        for _i in 0..self.topk_merge.len() {
            for j in 0..self.topk.len() {
                if self.topk[j].head_v.val()
                    & (!self.w_v.val() | (self.topk[j].head_x.val() > self.w_x.val()) | ((self.topk[j].head_x.val() == self.w_x.val()) & (self.topk[j].head_i.val() < self.w_i.val())))
                {
                    self.w_v.next = true;
                    self.w_x.next = self.topk[j].head_x.val();
                    self.w_i.next = self.topk[j].head_i.val();
                }
            }
        }
        // the counter, after the chain that it reads (dead logic without the merge: `popping`
        // is never set)
        self.m_done.d.next = false;
        if self.popping.q.val() {
            self.pop_n.d.next = self.pop_n.q.val() + 1;
            if self.pop_n.q.val() == self.k_m1.val() {
                self.popping.d.next = false;
                self.m_t.d.next = self.w_x.val();
                self.m_i.d.next = self.w_i.val();
                self.m_full.d.next = self.w_v.val();
                self.m_done.d.next = true;
            }
        }
        for _i in 0..self.topk_merge.len() {
            for j in 0..self.topk.len() {
                self.topk[j].pop.next = self.popping.q.val() & self.topk[j].head_v.val() & (self.topk[j].head_i.val() == self.w_i.val());
            }
            for i in 1..(self.fd.len().min(2)) {
                if self.fd[i].q.val() {
                    self.popping.d.next = true;
                    self.pop_n.d.next = 0.into();
                }
            }
            self.sel_done.next = self.m_done.q.val();
            if self.m_full.q.val() {
                self.desc_t.next = self.m_t.q.val();
                self.desc_i.next = self.m_i.q.val();
            }
        }
        for i in 0..self.stat.len() {
            self.stat[i].clock.next = self.clock.val();
            self.stat[i].reset.next = self.reset.val();
            self.stat[i].s1.next = self.statl[0].s1.val();
            self.stat[i].s2.next = self.statl[0].s2.val();
            self.stat[i].len.next = self.statl[0].n.val();
            self.stat[i].start.next = self.start_desc.val();
            self.sel_done.next = self.stat[i].done.val();
            // never above the row max: the max always passes the rule
            if self.stat[i].t.val() > self.maxl[0].xmax.val() {
                self.desc_t.next = self.maxl[0].xmax.val();
            } else {
                self.desc_t.next = self.stat[i].t.val();
            }
        }

        // the descriptor: the reciprocal (unless the pass-2 side takes it) and the rule
        if self.recip_done.val() {
            self.recip_ok.d.next = true;
        }
        if self.sel_done.val() {
            self.sel_ok.d.next = true;
        }
        self.desc_ready.next = (self.surv.val() | self.recip_ok.q.val() | self.recip_done.val()) & (self.sel_ok.q.val() | self.sel_done.val());
        if self.handoff.val() {
            self.recip_ok.d.next = false;
            self.sel_ok.d.next = false;
            // floor = max - theta >= 2^(WI-1) + 1 in offset binary: never wraps
            self.floor2.d.next = self.maxl[0].xmax.val() - bit_cast::<WX, WI>(self.theta_row.q.val());
            self.t2.d.next = self.desc_t.val();
            self.imax2.d.next = self.desc_i.val();
            self.amax2.d.next = self.maxl[0].amax.val();
        }

        // pass 2: the row-buffer word (S1) and its beat index are registered in the lanes
        // first (the block RAM's output is slow), the rule is decided at S2a
        if self.ren.val() {
            self.idx1.d.next = self.ridx.val();
        }
        self.adv.next = !self.out_valid.val() | self.out_ready.val();
        // the cap: the others still allowed in this row (cnt_o <= k_max - 1 always)
        self.rem.next = self.cap_m1.val() - self.cnt_o.q.val();
        for j in 0..self.keepl.len() {
            self.rxl[j].bus.next = self.rword.val();
            self.rml[j].bus.next = self.rword.val();
            self.keepl[j].clock.next = self.clock.val();
            self.keepl[j].rx.next = self.rxl[j].x.val();
            self.keepl[j].rm.next = self.rml[j].x.val().any();
            self.keepl[j].beat.next = self.idx1.q.val();
            self.keepl[j].adv.next = self.adv.val();
            self.keepl[j].floor.next = self.floor2.q.val();
            self.keepl[j].t.next = self.t2.q.val();
            self.keepl[j].imax.next = self.imax2.q.val();
            self.keepl[j].amax.next = self.amax2.q.val();
            self.keepl[j].rem.next = self.rem.val();
            if self.keepl[j].keep.val() {
                self.tuser_pack[j].x.next = 1.into();
                self.mask_pack[j].x.next = self.ones.val();
            } else {
                self.tuser_pack[j].x.next = 0.into();
                self.mask_pack[j].x.next = 0.into();
            }
            if self.keepl[j].other.val() {
                self.other_pack[j].x.next = 1.into();
            } else {
                self.other_pack[j].x.next = 0.into();
            }
            if self.keepl[j].akeep.val() {
                self.akeep_pack[j].x.next = 1.into();
            } else {
                self.akeep_pack[j].x.next = 0.into();
            }
        }
        for _i in 0..self.to_sweep.len() {
            self.keep_s2.next = self.keepl[0].keep_s2.val();
            self.amax_s2.next = self.keepl[0].amax_s2.val();
            self.x_s2.next = self.keepl[0].x_s2.val();
        }
        // the packed bits (a chain of part-selects: wiring only)
        self.tuser_pack[0].acc.next = 0.into();
        self.mask_pack[0].acc.next = 0.into();
        self.other_pack[0].acc.next = 0.into();
        self.akeep_pack[0].acc.next = 0.into();
        for j in 1..self.keepl.len() {
            self.tuser_pack[j].acc.next = self.tuser_pack[j - 1].out.val();
            self.mask_pack[j].acc.next = self.mask_pack[j - 1].out.val();
            self.other_pack[j].acc.next = self.other_pack[j - 1].out.val();
            self.akeep_pack[j].acc.next = self.akeep_pack[j - 1].out.val();
        }
        for j in (self.keepl.len() - 1)..self.keepl.len() {
            for i in 1..self.keepl.len() {
                self.keepl[i].others.next = self.other_pack[j].out.val();
            }
            self.others_n.bus.next = self.other_pack[j].out.val();
            // the beat keeps min(others, rem) others and the row max's first occurrence
            if self.others_n.c.val() < self.rem.val() {
                self.o_kept.next = self.others_n.c.val();
            } else {
                self.o_kept.next = self.rem.val();
            }
            if self.akeep_pack[j].out.val().any() {
                self.b_kept.next = self.o_kept.val() + 1;
            } else {
                self.b_kept.next = self.o_kept.val();
            }
            if self.out_valid.val() & self.out_ready.val() {
                if self.out_last.val() {
                    self.cnt.d.next = 0.into();
                    self.cnt_o.d.next = 0.into();
                } else {
                    self.cnt.d.next = self.cnt.q.val() + self.b_kept.val();
                    self.cnt_o.d.next = self.cnt_o.q.val() + self.o_kept.val();
                }
            }
            self.kept.next = self.cnt.q.val() + self.b_kept.val();
            self.tuser.next = self.tuser_pack[j].out.val();
            self.tdata.next = self.y.val() & self.mask_pack[j].out.val();
        }
        // synchronous reset, last so that it wins
        if self.reset.val() {
            self.recip_ok.d.next = false;
            self.sel_ok.d.next = false;
            self.popping.d.next = false;
            self.m_done.d.next = false;
            self.theta_r.d.next = self.theta_reset.val();
            self.cnt.d.next = 0.into();
            self.cnt_o.d.next = 0.into();
            // the rest (indices, the keep pipeline, the row max) is loaded before a valid bit
            // that reset cleared reads it: the generated testbench passes with every
            // register starting X
        }
    }
}
