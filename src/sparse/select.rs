//! Sparse selection beside the dense datapath: what the softmax unit (`unit/block.rs`) adds
//! when the configuration has a `[sparse]` section.
//!
//! ```text
//!  input stream --> x max, theta (register) ---> floor = max - theta
//!               '-> TopK | Stat (by mode)   ---> t, i_max
//!  row buffer --> S1 (x, index) --> S2a: keep = x >= floor && (x > t || x == t && i <= i_max)
//!                                     |  the keep bit rides beside the pass-2 pipeline
//!                                     v
//!  pass 2's y --> tdata = keep ? y : 0, tuser = keep, kept = kept count so far in the row
//! ```
//! The cap k_max applies at the output in index order, with one place reserved for the row
//! max: its first occurrence is always kept, any other element only while fewer than
//! k_max - 1 earlier elements other than it were kept. `theta` is a register, reset to the
//! configured value, written by `theta_we`; each row uses the value it holds at the row's
//! first input handshake (a write in that same cycle applies).
//!
//! On the pass-1 side the row's descriptor is ready (`desc_ready`) when the reciprocal
//! (not with renorm = survivors: the pass-2 side takes it then) and the selection rule
//! (stat_topk: the threshold unit; else pass 1's end) are both done. The row's rule
//! (floor, t, i_max, the row max's index) is taken at the handoff. The keep rule at S2a
//! also serves the survivors sweep (`keep_s2`, `amax_s2`, `x_s2`: see `sweep.rs`).
//! Masked elements (`masked` on the input side, `rmask` from the row buffer) enter neither
//! the row max nor the mode blocks, and the keep rule drops them.

use super::block::{Stat, TopK};
use crate::config::{Renorm, SparseMode};
use crate::hw::{konst, OptPort, When};
use crate::params::UnitParams;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Pass-2 register stages from the row-buffer read data (S1) to the output (S6).
pub const PASS2_S1_TO_OUT: usize = 7;

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
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    /// the threshold register's write port
    pub theta: Signal<In, Bits<WI>>,
    pub theta_we: Signal<In, bool>,
    /// the input stream at the row front end: the element, its handshake and index
    pub x: Signal<In, Bits<WI>>,
    pub accept: Signal<In, bool>,
    pub index: Signal<In, Bits<WL>>,
    pub masked: Signal<In, bool>,
    /// stat_topk only: the start of the once-per-row work (the threshold unit's start)
    pub start_desc: OptPort<In, bool>,
    /// pass 1 is done; the reciprocal is done
    pub pass1_done: Signal<In, bool>,
    pub recip_done: Signal<In, bool>,
    /// the row's descriptor is ready (in WaitDesc), for the row front end
    pub desc_ready: Signal<Out, bool>,
    /// the pass-2 side takes the row now
    pub handoff: Signal<In, bool>,
    /// the row buffer's read port as the front end sees it (index, enable, element, mask)
    pub ridx: Signal<In, Bits<WL>>,
    pub ren: Signal<In, bool>,
    pub rdata: Signal<In, Bits<WI>>,
    pub rmask: Signal<In, bool>,
    /// pass 2's output and the consumer's ready
    pub y: Signal<In, Bits<WO>>,
    pub out_valid: Signal<In, bool>,
    pub out_last: Signal<In, bool>,
    pub out_ready: Signal<In, bool>,
    /// the output stream's data (0 when dropped), keep flag and kept count so far
    pub tdata: Signal<Out, Bits<WO>>,
    pub tuser: Signal<Out, bool>,
    pub kept: Signal<Out, Bits<WL>>,
    /// renorm = survivors only: the keep rule at S2a, whether the element there is the row
    /// max's first occurrence, and the element (for the sweep)
    pub keep_s2: OptPort<Out, bool>,
    pub amax_s2: OptPort<Out, bool>,
    pub x_s2: OptPort<Out, Bits<WI>>,
    to_sweep: Vec<When>,
    /// 0 or 1 of each, by mode
    topk: Vec<TopK<WI, WX, WL>>,
    stat: Vec<Stat<WI, WA, WL, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB>>,
    surv: Constant<bool>,
    recip_ok: DFF<bool>,
    sel_ok: DFF<bool>,
    // pass-1 side
    theta_r: DFF<Bits<WI>>,
    theta_row: DFF<Bits<WI>>,
    theta_reset: Constant<Bits<WI>>,
    xo_r: DFF<Bits<WX>>,
    v_r: DFF<bool>,
    first_r: DFF<bool>,
    m_r: DFF<bool>,
    /// an unmasked element of the row has reached the max
    seen: DFF<bool>,
    idx_r: DFF<Bits<WL>>,
    amax: DFF<Bits<WL>>,
    xmax: DFF<Bits<WX>>,
    // pass-2 side: the rule of the row in pass 2, the keep pipe and the kept count
    floor2: DFF<Bits<WX>>,
    t2: DFF<Bits<WX>>,
    imax2: DFF<Bits<WL>>,
    amax2: DFF<Bits<WL>>,
    idx1: DFF<Bits<WL>>,
    x2o: DFF<Bits<WX>>,
    x2: DFF<Bits<WI>>,
    m2: DFF<bool>,
    idx2: DFF<Bits<WL>>,
    kp: Vec<DFF<bool>>,
    ap: Vec<DFF<bool>>,
    cnt: DFF<Bits<WL>>,
    cnt_o: DFF<Bits<WL>>,
    cap_m1: Constant<Bits<WL>>,
    /// `cap_m1` through a signal: with k_max = 1 the compares below are `< 0`, a Verilator
    /// -Wall finding (fuzz seed 152)
    cap_m1_s: Signal<Local, Bits<WL>>,
    all_ones: Constant<Bits<WL>>,
    sign: Constant<Bits<WI>>,
    to_wx: Constant<Bits<WX>>,
    first: Signal<Local, bool>,
    theta_eff: Signal<Local, Bits<WI>>,
    xo: Signal<Local, Bits<WX>>,
    sel_done: Signal<Local, bool>,
    desc_t: Signal<Local, Bits<WX>>,
    desc_i: Signal<Local, Bits<WL>>,
    x1o: Signal<Local, Bits<WX>>,
    keep_raw: Signal<Local, bool>,
    adv: Signal<Local, bool>,
    keep_out: Signal<Local, bool>,
    is_amax: Signal<Local, bool>,
    amax_out: Signal<Local, bool>,
    cnt_next: Signal<Local, Bits<WL>>,
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
    > Select<WI, WA, WL, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB>
{
    pub fn new(p: &UnitParams) -> Self {
        let sp = p.sparse.as_ref().expect("sparse parameters");
        assert_eq!((WX, WL), (WI + 2, WA + 1));
        let k = sp.k as usize;
        let surv = sp.renorm == Renorm::Survivors;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            theta: Default::default(),
            theta_we: Default::default(),
            x: Default::default(),
            accept: Default::default(),
            index: Default::default(),
            masked: Default::default(),
            start_desc: OptPort::new(sp.mode == SparseMode::StatTopk),
            pass1_done: Default::default(),
            recip_done: Default::default(),
            desc_ready: Default::default(),
            handoff: Default::default(),
            ridx: Default::default(),
            ren: Default::default(),
            rdata: Default::default(),
            rmask: Default::default(),
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
            topk: if sp.mode == SparseMode::Topk { vec![TopK::new(k)] } else { vec![] },
            stat: if sp.mode == SparseMode::StatTopk { vec![Stat::new(p)] } else { vec![] },
            surv: Constant::new(surv),
            recip_ok: Default::default(),
            sel_ok: Default::default(),
            theta_r: Default::default(),
            theta_row: Default::default(),
            theta_reset: konst(sp.theta),
            xo_r: Default::default(),
            v_r: Default::default(),
            first_r: Default::default(),
            m_r: Default::default(),
            seen: Default::default(),
            idx_r: Default::default(),
            amax: Default::default(),
            xmax: Default::default(),
            floor2: Default::default(),
            t2: Default::default(),
            imax2: Default::default(),
            amax2: Default::default(),
            idx1: Default::default(),
            x2o: Default::default(),
            x2: Default::default(),
            m2: Default::default(),
            idx2: Default::default(),
            // x2o is the first of the PASS2_S1_TO_OUT stages
            kp: (1..PASS2_S1_TO_OUT).map(|_| Default::default()).collect(),
            ap: (1..PASS2_S1_TO_OUT).map(|_| Default::default()).collect(),
            cnt: Default::default(),
            cnt_o: Default::default(),
            cap_m1: konst(sp.cap as u64 - 1),
            cap_m1_s: Default::default(),
            all_ones: konst((1 << WL) - 1),
            sign: konst(1 << (WI - 1)),
            to_wx: konst(3 << (WI - 1)),
            first: Default::default(),
            theta_eff: Default::default(),
            xo: Default::default(),
            sel_done: Default::default(),
            desc_t: Default::default(),
            desc_i: Default::default(),
            x1o: Default::default(),
            keep_raw: Default::default(),
            adv: Default::default(),
            keep_out: Default::default(),
            is_amax: Default::default(),
            amax_out: Default::default(),
            cnt_next: Default::default(),
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
    > Logic for Select<WI, WA, WL, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, recip_ok, sel_ok, theta_r, theta_row, xo_r, v_r, first_r, m_r, seen, idx_r, amax, xmax, floor2, t2, imax2,
            amax2, idx1, x2o, x2, m2, idx2, cnt, cnt_o
        );
        for j in 0..self.kp.len() {
            self.kp[j].clock.next = self.clock.val();
            self.kp[j].d.next = self.kp[j].q.val();
            self.ap[j].clock.next = self.clock.val();
            self.ap[j].d.next = self.ap[j].q.val();
        }
        self.first.next = self.index.val() == 0;

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
        // row max in WX-bit offset binary, one stage behind the handshake
        self.xo.next = bit_cast::<WX, WI>(self.x.val() ^ self.sign.val()) + self.to_wx.val();
        self.xo_r.d.next = self.xo.val();
        self.v_r.d.next = self.accept.val();
        self.first_r.d.next = self.first.val();
        self.m_r.d.next = self.masked.val();
        self.idx_r.d.next = self.index.val();
        // the row max of the unmasked elements and the index of its first occurrence
        // (strictly greater replaces; the row's first unmasked element starts it)
        if self.v_r.q.val() {
            self.seen.d.next = !self.m_r.q.val() | (self.seen.q.val() & !self.first_r.q.val());
        }
        if self.v_r.q.val()
            & !self.m_r.q.val()
            & (self.first_r.q.val() | !self.seen.q.val() | (self.xo_r.q.val() > self.xmax.q.val()))
        {
            self.xmax.d.next = self.xo_r.q.val();
            self.amax.d.next = self.idx_r.q.val();
        }

        // mode blocks: t and i_max of the row (threshold: t below every code, every index)
        self.sel_done.next = self.pass1_done.val();
        self.desc_t.next = 0.into();
        self.desc_i.next = self.all_ones.val();
        for i in 0..self.topk.len() {
            self.topk[i].clock.next = self.clock.val();
            self.topk[i].x.next = self.x.val();
            self.topk[i].valid.next = self.accept.val();
            self.topk[i].first.next = self.first.val();
            self.topk[i].idx.next = self.index.val();
            self.topk[i].masked.next = self.masked.val();
            if self.topk[i].full.val() {
                self.desc_t.next = self.topk[i].t.val();
                self.desc_i.next = self.topk[i].i_max.val();
            }
        }
        for i in 0..self.stat.len() {
            self.stat[i].clock.next = self.clock.val();
            self.stat[i].reset.next = self.reset.val();
            self.stat[i].x.next = self.x.val();
            self.stat[i].valid.next = self.accept.val();
            self.stat[i].first.next = self.first.val();
            self.stat[i].masked.next = self.masked.val();
            self.stat[i].start.next = self.start_desc.val();
            self.sel_done.next = self.stat[i].done.val();
            // never above the row max: the max always passes the rule
            if self.stat[i].t.val() > self.xmax.q.val() {
                self.desc_t.next = self.xmax.q.val();
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
            self.floor2.d.next = self.xmax.q.val() - bit_cast::<WX, WI>(self.theta_row.q.val());
            self.t2.d.next = self.desc_t.val();
            self.imax2.d.next = self.desc_i.val();
            self.amax2.d.next = self.amax.q.val();
        }

        // the keep rule: the row-buffer data (S1) and its index are registered first (the
        // block RAM's output is slow), the rule is decided at S2a
        if self.ren.val() {
            self.idx1.d.next = self.ridx.val();
        }
        self.x1o.next = bit_cast::<WX, WI>(self.rdata.val() ^ self.sign.val()) + self.to_wx.val();
        self.adv.next = !self.out_valid.val() | self.out_ready.val();
        if self.adv.val() {
            self.x2o.d.next = self.x1o.val();
            self.x2.d.next = self.rdata.val();
            self.m2.d.next = self.rmask.val();
            self.idx2.d.next = self.idx1.q.val();
        }
        self.keep_raw.next = !self.m2.q.val()
            & (self.x2o.q.val() >= self.floor2.q.val())
            & ((self.x2o.q.val() > self.t2.q.val()) | ((self.x2o.q.val() == self.t2.q.val()) & (self.idx2.q.val() <= self.imax2.q.val())));
        // the row max's first occurrence is exempt from the cap (it always passes the rule)
        self.is_amax.next = self.idx2.q.val() == self.amax2.q.val();
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

        // output: the cap in index order (k_max - 1 places besides the row max's), kept count
        self.cap_m1_s.next = self.cap_m1.val();
        self.amax_out.next = false;
        for j in (self.kp.len() - 1)..self.kp.len() {
            self.amax_out.next = self.ap[j].q.val();
            self.keep_out.next = self.kp[j].q.val() & (self.ap[j].q.val() | (self.cnt_o.q.val() < self.cap_m1_s.val()));
        }
        if self.keep_out.val() {
            self.cnt_next.next = self.cnt.q.val() + 1;
        } else {
            self.cnt_next.next = self.cnt.q.val();
        }
        if self.out_valid.val() & self.out_ready.val() {
            if self.out_last.val() {
                self.cnt.d.next = 0.into();
                self.cnt_o.d.next = 0.into();
            } else {
                self.cnt.d.next = self.cnt_next.val();
                if self.keep_out.val() & !self.amax_out.val() {
                    self.cnt_o.d.next = self.cnt_o.q.val() + 1;
                }
            }
        }
        if self.keep_out.val() {
            self.tdata.next = self.y.val();
        } else {
            self.tdata.next = 0.into();
        }
        self.tuser.next = self.keep_out.val();
        self.kept.next = self.cnt_next.val();
        // synchronous reset, last so that it wins
        if self.reset.val() {
            self.recip_ok.d.next = false;
            self.sel_ok.d.next = false;
            self.theta_r.d.next = self.theta_reset.val();
            self.cnt.d.next = 0.into();
            self.cnt_o.d.next = 0.into();
            // the rest (indices, the keep pipeline, the row max) is loaded before a valid bit
            // that reset cleared reads it: the generated testbench passes with every
            // register starting X
        }
    }
}
