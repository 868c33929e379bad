//! The sparse softmax unit: the dense unit (pass 1, row buffer, reciprocal, pass 2; see
//! `unit/block.rs`; both build on the row front end, `crate::row`) plus sparse selection.
//!
//! ```text
//!  s_axis --> pass 1 ----------------------> k_min, d --> Recip ---------+
//!         |-> x max, theta (register)  ---> floor = max - theta          |
//!         |-> TopK | Stat (by mode)    ---> t, i_max                     v
//!         '-> RowRam --> pass 2 (S2a: keep = x >= floor && (x > t || x == t && i <= i_max))
//!                         |  keep bit rides beside the pass-2 pipeline to the output
//!                         v
//!          m_axis: y (0 when dropped), tuser = keep, kept = kept count so far in the row
//! ```
//! The cap k_max applies at the output in index order, with one place reserved for the row
//! max: its first occurrence is always kept, any other element only while fewer than
//! k_max - 1 earlier elements other than it were kept. `theta` is a register, reset to the
//! configured value, written by `theta_we`; each row uses the value it holds at the row's
//! first input handshake (a write in that same cycle applies).
//! Pass-1 side: Accept --last--> WaitSum --d--> WaitDesc (reciprocal and threshold) -->
//! Handoff; as in the dense unit, rows overlap through two row-buffer banks.
//!
//! Renormalization over the survivors: the reciprocal moves to the pass-2 side, which first
//! sweeps the row once more (same read port, same keep rule and cap at S2a) through a second
//! pass-1 datapath fed with the kept elements only (k_min_s, d_s), then takes 1/d_s, then
//! runs pass 2 with k_min_s:  Idle --handoff--> Sweep --d_s--> Recip --r--> Run --done--> Idle.

use super::block::{Stat, TopK};
use crate::config::SparseMode;
use crate::hw::konst;
use crate::row::RowFront;
use crate::normalize::block::Normalize;
use crate::recip::block::Recip;
use crate::params::UnitParams;
use crate::unnormed::block::Unnormed;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Pass-2 register stages from the row-buffer read data (S1) to the output (S6).
pub const PASS2_S1_TO_OUT: usize = 7;


/// Pass-2 side states (renorm = survivors).
const P2_IDLE: u64 = 0;
const P2_SWEEP: u64 = 1;
const P2_RECIP: u64 = 2;
const P2_RUN: u64 = 3;

/// Cycles from an element at the sweep's S1 to the sweep sum including it (pass 1's depth).
pub const SWEEP_LATENCY: usize = crate::unnormed::block::LATENCY as usize;

#[derive(LogicBlock)]
pub struct SparseUnit<
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
    const RN: usize,
    const RSB: usize,
    const WR: usize,
    const RPW: usize,
    const WMH: usize,
    const WH: usize,
    const WQ: usize,
    const WRQ: usize,
    const WP: usize,
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
    pub aclk: Signal<In, Clock>,
    pub aresetn: Signal<In, bool>,
    pub s_axis_tdata: Signal<In, Bits<WI>>,
    pub s_axis_tvalid: Signal<In, bool>,
    pub s_axis_tlast: Signal<In, bool>,
    pub s_axis_tready: Signal<Out, bool>,
    pub m_axis_tdata: Signal<Out, Bits<WO>>,
    pub m_axis_tvalid: Signal<Out, bool>,
    pub m_axis_tlast: Signal<Out, bool>,
    pub m_axis_tready: Signal<In, bool>,
    pub m_axis_tuser: Signal<Out, bool>,
    pub m_axis_kept: Signal<Out, Bits<WL>>,
    pub theta: Signal<In, Bits<WI>>,
    pub theta_we: Signal<In, bool>,
    pass1: Unnormed<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD>,
    front: RowFront<WI, WA, WL>,
    recip: Recip<WD, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ>,
    pass2: Normalize<WI, WT, WN, FT, ESB, WE, WEP, WSP, WA, WL, WR, WP, WO>,
    /// 0 or 1 of each, by mode
    topk: Vec<TopK<WI, WX, WL>>,
    stat: Vec<Stat<WI, WA, WL, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB>>,
    /// renorm = survivors: the sweep's pass-1 datapath (0 or 1)
    sweep: Vec<Unnormed<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD>>,
    surv: Constant<bool>,
    p2state: DFF<Bits<2>>,
    len2: DFF<Bits<WL>>,
    bank2: DFF<bool>,
    kmin2: DFF<Bits<WN>>,
    sidx: DFF<Bits<WL>>,
    sv1: DFF<bool>,
    slast1: DFF<bool>,
    scnt: DFF<Bits<WL>>,
    scnt_o: DFF<Bits<WL>>,
    sdone: Vec<DFF<bool>>,
    p2_idle: Constant<Bits<2>>,
    p2_sweep: Constant<Bits<2>>,
    p2_recip: Constant<Bits<2>>,
    p2_run: Constant<Bits<2>>,
    bank_bit: Constant<Bits<WL>>,
    recip_ok: DFF<bool>,
    sel_ok: DFF<bool>,
    // pass-1 side selection state
    theta_r: DFF<Bits<WI>>,
    theta_row: DFF<Bits<WI>>,
    theta_reset: Constant<Bits<WI>>,
    xo_r: DFF<Bits<WX>>,
    v_r: DFF<bool>,
    first_r: DFF<bool>,
    idx_r: DFF<Bits<WL>>,
    amax: DFF<Bits<WL>>,
    amax2: DFF<Bits<WL>>,
    xmax: DFF<Bits<WX>>,
    // pass-2 side: the descriptor of the row in pass 2, the keep pipe and the kept count
    floor2: DFF<Bits<WX>>,
    t2: DFF<Bits<WX>>,
    imax2: DFF<Bits<WL>>,
    idx1: DFF<Bits<WL>>,
    x2o: DFF<Bits<WX>>,
    x2: DFF<Bits<WI>>,
    idx2: DFF<Bits<WL>>,
    sv2: DFF<bool>,
    slast2: DFF<bool>,
    kp: Vec<DFF<bool>>,
    cnt: DFF<Bits<WL>>,
    cnt_o: DFF<Bits<WL>>,
    ap: Vec<DFF<bool>>,
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
    p2_free: Signal<Local, bool>,
    skeep: Signal<Local, bool>,
    sweep_done: Signal<Local, bool>,
    sdone_last: Signal<Local, bool>,
    kmin_s: Signal<Local, Bits<WN>>,
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
        const RN: usize,
        const RSB: usize,
        const WR: usize,
        const RPW: usize,
        const WMH: usize,
        const WH: usize,
        const WQ: usize,
        const WRQ: usize,
        const WP: usize,
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
    > SparseUnit<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ, WP, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB>
{
    pub fn new(p: &UnitParams) -> Self {
        let sp = p.sparse.as_ref().expect("sparse parameters");
        assert_eq!(WX, WI + 2);
        let k = sp.k as usize;
        let surv = sp.renorm == crate::config::Renorm::Survivors;
        Self {
            aclk: Default::default(),
            aresetn: Default::default(),
            s_axis_tdata: Default::default(),
            s_axis_tvalid: Default::default(),
            s_axis_tlast: Default::default(),
            s_axis_tready: Default::default(),
            m_axis_tdata: Default::default(),
            m_axis_tvalid: Default::default(),
            m_axis_tlast: Default::default(),
            m_axis_tready: Default::default(),
            m_axis_tuser: Default::default(),
            m_axis_kept: Default::default(),
            theta: Default::default(),
            theta_we: Default::default(),
            pass1: Unnormed::new(p),
            front: RowFront::new(p.max_len),
            recip: Recip::new(p),
            pass2: Normalize::new(p),
            topk: if sp.mode == SparseMode::Topk { vec![TopK::new(k)] } else { vec![] },
            stat: if sp.mode == SparseMode::StatTopk { vec![Stat::new(p)] } else { vec![] },
            sweep: if surv { vec![Unnormed::new(p)] } else { vec![] },
            surv: Constant::new(surv),
            p2state: Default::default(),
            len2: Default::default(),
            bank2: Default::default(),
            kmin2: Default::default(),
            sidx: Default::default(),
            sv1: Default::default(),
            slast1: Default::default(),
            scnt: Default::default(),
            scnt_o: Default::default(),
            sdone: (0..SWEEP_LATENCY).map(|_| Default::default()).collect(),
            p2_idle: konst(P2_IDLE),
            p2_sweep: konst(P2_SWEEP),
            p2_recip: konst(P2_RECIP),
            p2_run: konst(P2_RUN),
            bank_bit: konst(1 << WA),
            recip_ok: Default::default(),
            sel_ok: Default::default(),
            theta_r: Default::default(),
            theta_row: Default::default(),
            theta_reset: konst(sp.theta),
            xo_r: Default::default(),
            v_r: Default::default(),
            first_r: Default::default(),
            idx_r: Default::default(),
            amax: Default::default(),
            amax2: Default::default(),
            xmax: Default::default(),
            floor2: Default::default(),
            t2: Default::default(),
            imax2: Default::default(),
            idx1: Default::default(),
            x2o: Default::default(),
            x2: Default::default(),
            idx2: Default::default(),
            sv2: Default::default(),
            slast2: Default::default(),
            // x2o is the first of the PASS2_S1_TO_OUT stages
            kp: (1..PASS2_S1_TO_OUT).map(|_| Default::default()).collect(),
            cnt: Default::default(),
            cnt_o: Default::default(),
            ap: (1..PASS2_S1_TO_OUT).map(|_| Default::default()).collect(),
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
            p2_free: Default::default(),
            skeep: Default::default(),
            sweep_done: Default::default(),
            sdone_last: Default::default(),
            kmin_s: Default::default(),
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
        const RN: usize,
        const RSB: usize,
        const WR: usize,
        const RPW: usize,
        const WMH: usize,
        const WH: usize,
        const WQ: usize,
        const WRQ: usize,
        const WP: usize,
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
    > Logic for SparseUnit<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ, WP, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, aclk, recip_ok, sel_ok, theta_r, theta_row, xo_r, v_r, first_r, xmax, floor2, t2, imax2, idx1, cnt,
            p2state, len2, bank2, kmin2, sidx, sv1, slast1, scnt, x2o, x2, idx2, sv2, slast2, scnt_o, idx_r, amax, amax2, cnt_o
        );
        for j in 0..self.sdone.len() {
            self.sdone[j].clock.next = self.aclk.val();
            self.sdone[j].d.next = self.sdone[j].q.val();
        }
        for j in 0..self.kp.len() {
            self.kp[j].clock.next = self.aclk.val();
            self.kp[j].d.next = self.kp[j].q.val();
            self.ap[j].clock.next = self.aclk.val();
            self.ap[j].d.next = self.ap[j].q.val();
        }
        self.pass1.clock.next = self.aclk.val();
        self.front.clock.next = self.aclk.val();
        self.recip.clock.next = self.aclk.val();
        self.pass2.clock.next = self.aclk.val();
        // every reset reads the port itself: a local copy joins the top's statements into one
        // process in Verilator's eyes (UNOPTFLAT loops through the children)
        self.front.reset.next = !self.aresetn.val();
        self.pass1.reset.next = !self.aresetn.val();
        self.recip.reset.next = !self.aresetn.val();
        self.pass2.reset.next = !self.aresetn.val();

        // input stream: accepted only in Accept; the element also goes to the row buffer
        self.front.tvalid.next = self.s_axis_tvalid.val();
        self.front.tlast.next = self.s_axis_tlast.val();
        self.s_axis_tready.next = self.front.tready.val();
        self.front.wdata.next = self.s_axis_tdata.val();
        // leaving WaitSum: the once-per-row work (reciprocal, threshold unit) starts
        self.front.start_desc.next = self.front.summing.val() & self.pass1.done.val();
        self.first.next = self.front.index.val() == 0;
        self.pass1.x.next = self.s_axis_tdata.val();
        self.pass1.valid.next = self.front.accept.val();
        self.pass1.first.next = self.first.val();
        self.pass1.last.next = self.front.last.val();

        // theta register; the row's theta is taken at its first handshake (write forwarded)
        if self.theta_we.val() {
            self.theta_r.d.next = self.theta.val();
            self.theta_eff.next = self.theta.val();
        } else {
            self.theta_eff.next = self.theta_r.q.val();
        }
        if self.front.accept.val() & (self.first.val()) {
            self.theta_row.d.next = self.theta_eff.val();
        }
        // row max in WX-bit offset binary, one stage behind the handshake
        self.xo.next = bit_cast::<WX, WI>(self.s_axis_tdata.val() ^ self.sign.val()) + self.to_wx.val();
        self.xo_r.d.next = self.xo.val();
        self.v_r.d.next = self.front.accept.val();
        self.first_r.d.next = self.first.val();
        self.idx_r.d.next = self.front.index.val();
        // the row max and the index of its first occurrence (strictly greater replaces)
        if self.v_r.q.val() & (self.first_r.q.val() | (self.xo_r.q.val() > self.xmax.q.val())) {
            self.xmax.d.next = self.xo_r.q.val();
            self.amax.d.next = self.idx_r.q.val();
        }

        // mode blocks: t and i_max of the row (threshold: t below every code, every index)
        self.sel_done.next = self.pass1.done.val();
        self.desc_t.next = 0.into();
        self.desc_i.next = self.all_ones.val();
        for i in 0..self.topk.len() {
            self.topk[i].clock.next = self.aclk.val();
            self.topk[i].x.next = self.s_axis_tdata.val();
            self.topk[i].valid.next = self.front.accept.val();
            self.topk[i].first.next = self.first.val();
            self.topk[i].idx.next = self.front.index.val();
            if self.topk[i].full.val() {
                self.desc_t.next = self.topk[i].t.val();
                self.desc_i.next = self.topk[i].i_max.val();
            }
        }
        for i in 0..self.stat.len() {
            self.stat[i].clock.next = self.aclk.val();
            self.stat[i].reset.next = !self.aresetn.val();
            self.stat[i].x.next = self.s_axis_tdata.val();
            self.stat[i].valid.next = self.front.accept.val();
            self.stat[i].first.next = self.first.val();
            self.stat[i].len.next = self.front.len.val();
            self.stat[i].start.next = self.front.start_desc.val();
            self.sel_done.next = self.stat[i].done.val();
            // never above the row max: the max always passes the rule
            if self.stat[i].t.val() > self.xmax.q.val() {
                self.desc_t.next = self.xmax.q.val();
            } else {
                self.desc_t.next = self.stat[i].t.val();
            }
        }

        // row descriptor: pass 1 -> reciprocal -> pass 2 (survivors: sweep -> reciprocal ->
        // pass 2, with the row's length, bank and k_min held on the pass-2 side)
        self.recip.start.next = false;
        self.pass2.start.next = false;
        self.pass2.r.next = self.recip.r.val();
        self.pass2.eb.next = self.recip.eb.val();
        if self.surv.val() {
            self.pass2.len.next = self.len2.q.val();
            self.pass2.bank.next = self.bank2.q.val();
            self.pass2.k_min.next = self.kmin2.q.val();
            self.p2_free.next = (self.p2state.q.val() == self.p2_idle.val()) | ((self.p2state.q.val() == self.p2_run.val()) & !self.pass2.busy_out.val());
        } else {
            self.pass2.len.next = self.front.len.val();
            self.pass2.bank.next = self.front.bank.val();
            self.pass2.k_min.next = self.pass1.k_min.val();
            self.p2_free.next = !self.pass2.busy_out.val();
        }
        self.recip.d.next = self.pass1.d.val();
        // the row buffer's read port: the sweep while it runs, else pass 2
        if self.p2state.q.val() == self.p2_sweep.val() {
            if self.bank2.q.val() {
                self.front.raddr.next = self.sidx.q.val() | self.bank_bit.val();
            } else {
                self.front.raddr.next = self.sidx.q.val();
            }
            self.front.ren.next = true;
        } else {
            self.front.raddr.next = self.pass2.raddr.val();
            self.front.ren.next = self.pass2.ren.val();
        }
        self.pass2.rdata.next = self.front.rdata.val();

        // pass 2 finished its row (a handoff below may start the next one in the same cycle)
        if (self.p2state.q.val() == self.p2_run.val()) & !self.pass2.busy_out.val() {
            self.p2state.d.next = self.p2_idle.val();
        }
        if self.recip.done.val() {
            self.recip_ok.d.next = true;
        }
        if self.sel_done.val() {
            self.sel_ok.d.next = true;
        }
        // the row front end's state machine: the once-per-row work starts when pass 1 is done,
        // the row goes to the pass-2 side when the reciprocal (not with survivors: that side
        // takes it) and the selection rule are ready and that side is free
        if self.front.start_desc.val() {
            self.recip.start.next = !self.surv.val();
        }
        self.front.desc_ready.next = (self.surv.val() | self.recip_ok.q.val() | self.recip.done.val()) & (self.sel_ok.q.val() | self.sel_done.val());
        self.front.handoff.next = self.front.holding.val() & self.p2_free.val();
        // k_min, r, eb and the selection results hold here until pass 2 is free
        if self.front.handoff.val() {
            if self.surv.val() {
                self.p2state.d.next = self.p2_sweep.val();
                self.len2.d.next = self.front.len.val();
                self.bank2.d.next = self.front.bank.val();
                self.sidx.d.next = 0.into();
                self.scnt.d.next = 0.into();
                self.scnt_o.d.next = 0.into();
            } else {
                self.pass2.start.next = true;
            }
            self.recip_ok.d.next = false;
            self.sel_ok.d.next = false;
            // floor = max - theta >= 2^(WI-1) + 1 in offset binary: never wraps
            self.floor2.d.next = self.xmax.q.val() - bit_cast::<WX, WI>(self.theta_row.q.val());
            self.t2.d.next = self.desc_t.val();
            self.imax2.d.next = self.desc_i.val();
            self.amax2.d.next = self.amax.q.val();
        }

        // the keep rule serves the sweep and pass 2: the row-buffer data (S1) and its index are
        // registered first (the block RAM's output is slow), the rule is decided at S2a
        if self.front.ren.val() {
            self.idx1.d.next = self.front.raddr.val() & !self.bank_bit.val();
        }
        self.x1o.next = bit_cast::<WX, WI>(self.front.rdata.val() ^ self.sign.val()) + self.to_wx.val();
        self.adv.next = !self.pass2.valid.val() | self.m_axis_tready.val();
        if self.adv.val() {
            self.x2o.d.next = self.x1o.val();
            self.x2.d.next = self.front.rdata.val();
            self.idx2.d.next = self.idx1.q.val();
        }
        self.keep_raw.next = (self.x2o.q.val() >= self.floor2.q.val())
            & ((self.x2o.q.val() > self.t2.q.val()) | ((self.x2o.q.val() == self.t2.q.val()) & (self.idx2.q.val() <= self.imax2.q.val())));
        // the row max's first occurrence is exempt from the cap (it always passes the rule)
        self.is_amax.next = self.idx2.q.val() == self.amax2.q.val();
        if self.adv.val() {
            self.kp[0].d.next = self.keep_raw.val();
            self.ap[0].d.next = self.is_amax.val();
            for j in 1..self.kp.len() {
                self.kp[j].d.next = self.kp[j - 1].q.val();
                self.ap[j].d.next = self.ap[j - 1].q.val();
            }
        }
        // survivors: the sweep issues one read per cycle; at S2a the keep rule and the cap pick
        // the elements that the second pass-1 datapath sums; its result is final
        // SWEEP_LATENCY cycles after the row's last element was at S2a, kept or not (pass 2
        // is idle during the sweep, so adv is high and S1 -> S2a moves every cycle)
        self.sidx_next.next = self.sidx.q.val() + 1;
        self.sv1.d.next = false;
        if self.p2state.q.val() == self.p2_sweep.val() {
            if self.sidx.q.val() != self.len2.q.val() {
                self.sv1.d.next = true;
                self.slast1.d.next = self.sidx_next.val() == self.len2.q.val();
                self.sidx.d.next = self.sidx_next.val();
            }
        }
        self.sv2.d.next = self.sv1.q.val();
        self.slast2.d.next = self.slast1.q.val();
        self.cap_m1_s.next = self.cap_m1.val();
        self.skeep.next = self.sv2.q.val() & self.keep_raw.val() & (self.is_amax.val() | (self.scnt_o.q.val() < self.cap_m1_s.val()));
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
        self.sweep_done.next = self.sdone_last.val();
        self.kmin_s.next = self.pass1.k_min.val();
        for i in 0..self.sweep.len() {
            self.sweep[i].clock.next = self.aclk.val();
            self.sweep[i].reset.next = !self.aresetn.val();
            self.sweep[i].x.next = self.x2.q.val();
            self.sweep[i].valid.next = self.skeep.val();
            self.sweep[i].first.next = self.scnt.q.val() == 0;
            self.sweep[i].last.next = self.slast2.q.val();
            self.recip.d.next = self.sweep[i].d.val();
            self.kmin_s.next = self.sweep[i].k_min.val();
            // the sweep datapath's own done marks the same cycle when the last element is kept
            self.sweep_done.next = self.sdone_last.val() | self.sweep[i].done.val();
        }
        if (self.p2state.q.val() == self.p2_sweep.val()) & self.sweep_done.val() {
            self.recip.start.next = true;
            self.kmin2.d.next = self.kmin_s.val();
            self.p2state.d.next = self.p2_recip.val();
        }
        if (self.p2state.q.val() == self.p2_recip.val()) & self.recip.done.val() {
            self.pass2.start.next = true;
            self.p2state.d.next = self.p2_run.val();
        }

        // output: the cap in index order (k_max - 1 places besides the row max's), kept count
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
        if self.pass2.valid.val() & self.m_axis_tready.val() {
            if self.pass2.last.val() {
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
            self.m_axis_tdata.next = self.pass2.y.val();
        } else {
            self.m_axis_tdata.next = 0.into();
        }
        self.m_axis_tuser.next = self.keep_out.val();
        self.m_axis_kept.next = self.cnt_next.val();
        self.m_axis_tvalid.next = self.pass2.valid.val();
        self.m_axis_tlast.next = self.pass2.last.val();
        self.pass2.ready.next = self.m_axis_tready.val();
        // synchronous reset, last so that it wins
        if !self.aresetn.val() {
            self.recip_ok.d.next = false;
            self.sel_ok.d.next = false;
            self.theta_r.d.next = self.theta_reset.val();
            self.cnt.d.next = 0.into();
            self.cnt_o.d.next = 0.into();
            self.p2state.d.next = self.p2_idle.val();
            self.sv1.d.next = false;
            self.sv2.d.next = false;
            // the rest of the selection state (indices, flags, the keep pipeline, the row max,
            // the survivors sweep's counters) is loaded before a valid bit that reset cleared
            // reads it: the generated testbench passes with every register starting X
        }
    }
}
