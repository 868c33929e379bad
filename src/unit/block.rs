//! The softmax unit: AXI4-Stream in, AXI4-Stream out, one row at a time; with a `[sparse]`
//! section, sparse selection beside it (`crate::sparse`). One top for every design.
//!
//! ```text
//!            +-----------+  x    +---------+
//!  s_axis -->| Unnormed  |------>| RowRam  |---------------+
//!         |  | (pass 1)  |       +---------+               v
//!         |  +-----------+ k_min, d   +-------+  r, eb  +-----------+
//!         |         +---------------->| Recip |-------->| Normalize |--+--> m_axis
//!         |                           +-------+         | (pass 2)  |  |
//!         |                                             +-----------+  |
//!         '--> [Select: row max, theta, top-k / statistics; keep rule at S2a] --'
//!                                                   [Sweep: renorm = survivors]
//!  pass-1 side: Accept --last--> WaitSum --d--> WaitDesc --r--> Handoff --pass 2 free--> Accept
//! ```
//! The AXI accept, row counting, banks, row buffer and the pass-1 state machine are the row
//! front end (`crate::row::RowFront`). The row buffer has two banks: at the handoff, pass 2
//! takes the row (its bank, length, k_min, r, eb) and pass 1 goes on accepting the next row
//! into the other bank while pass 2 streams the previous one out: rows overlap, and back to
//! back a row of length L takes L + c cycles.
//! Rows are delimited by `s_axis_tlast`; a row that reaches `max_len` elements ends there.
//! Latency from a row's last input handshake to its first output (pass 2 idle): see the
//! manifest (`Timing`), checked by co-simulation. `s_axis_tready` is high only in Accept.
//!
//! The selection blocks are `Vec`s of zero or one: without a `[sparse]` section `select` is
//! empty, its loop below emits nothing, and the sparse ports (`m_axis_tuser`, `m_axis_kept`,
//! `theta`, `theta_we`: [`OptPort`]) are not declared. With renorm = survivors, `sweep`
//! takes the reciprocal and pass 2's start over (`sparse/sweep.rs`).

use crate::hw::{OptPort, Pack, When};
use crate::normalize::block::Normalize;
use crate::params::UnitParams;
use crate::recip::block::Recip;
use crate::row::RowFront;
use crate::sparse::select::Select;
use crate::sparse::sweep::Sweep;
use crate::unnormed::block::Pass1;
use rust_hdl_core::prelude::*;

/// The unit's widths: the dense datapath's (`UnitParams::widths` and those derived from
/// them, see `unit_instance!`), then the selection's (derived from WI and WA; present in
/// every design so that one instantiation emits the dense and every sparse unit of a width
/// set), then the lanes': buses of P lanes (WIP = P*WI, WU = P, WBP = P*WB, WOP = P*WO) and
/// the row buffer's beat address (WAB = WA - log2 P, WLB = WAB + 1).
#[derive(LogicBlock)]
pub struct SoftmaxUnit<
    const WI: usize,
    const WB: usize,
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
    const WIP: usize,
    const WU: usize,
    const WBP: usize,
    const WOP: usize,
    const WAB: usize,
    const WLB: usize,
> {
    pub aclk: Signal<In, Clock>,
    pub aresetn: Signal<In, bool>,
    /// lane j in bits [j*WI, (j+1)*WI)
    pub s_axis_tdata: Signal<In, Bits<WIP>>,
    /// bit j, 1: lane j's element is masked (minus infinity); it outputs 0 and enters no
    /// statistic
    pub s_axis_tuser: Signal<In, Bits<WU>>,
    /// lanes > 1 only: the lanes of a row's last beat that hold an element (read on that
    /// beat only; every other beat is full)
    pub s_axis_tkeep: OptPort<In, Bits<WU>>,
    pub s_axis_tvalid: Signal<In, bool>,
    pub s_axis_tlast: Signal<In, bool>,
    pub s_axis_tready: Signal<Out, bool>,
    pub m_axis_tdata: Signal<Out, Bits<WOP>>,
    /// lanes > 1 only: all ones, but the row's last beat's as its input
    pub m_axis_tkeep: OptPort<Out, Bits<WU>>,
    pub m_axis_tvalid: Signal<Out, bool>,
    pub m_axis_tlast: Signal<Out, bool>,
    pub m_axis_tready: Signal<In, bool>,
    /// sparse units only: keep flag of lane j in bit j, kept count of the row through this
    /// beat, threshold write port
    pub m_axis_tuser: OptPort<Out, Bits<WU>>,
    pub m_axis_kept: OptPort<Out, Bits<WL>>,
    pub theta: OptPort<In, Bits<WI>>,
    pub theta_we: OptPort<In, bool>,
    front: RowFront<WBP, WAB, WLB, WU>,
    pass1: Pass1<WI, WIP, WU, WT, WN, FT, ESB, WE, WEP, WSP, WD>,
    recip: Recip<WD, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ>,
    pass2: Normalize<WI, WB, WBP, WU, WT, WN, FT, ESB, WE, WEP, WSP, WAB, WLB, WR, WP, WO, WOP>,
    select: Vec<Select<WI, WA, WL, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB, WIP, WU, WBP, WOP, WLB>>,
    sweep: Vec<Sweep<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WLB>>,
    /// generation-time branches: one each when there is no selection / no survivors sweep
    no_select: Vec<When>,
    no_sweep: Vec<When>,
    /// one when the selection reads the descriptor's start (stat_topk)
    stat_io: Vec<When>,
    /// one when lanes > 1 (tkeep)
    lanes_io: Vec<When>,
    /// the pass-2 side can take a row
    p2_free: Signal<Local, bool>,
    /// per lane: masked, or no element in the lane (a partial last beat)
    ms: Signal<Local, Bits<WU>>,
    /// the row buffer's word: the P mask bits above the P elements
    word: Pack<WU, WBP>,
    /// renorm = survivors only: pass 1's max and sum, which the sweep's own replace (pass 1
    /// still times the row's end). Verilator -Wall does not report a signal whose name
    /// contains "unused" (its default --unused-regexp); synthesis removes the logic.
    pass1_unused_k_min: OptPort<Local, Bits<WN>>,
    pass1_unused_d: OptPort<Local, Bits<WD>>,
}

impl<
        const WI: usize,
        const WB: usize,
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
        const WIP: usize,
        const WU: usize,
        const WBP: usize,
        const WOP: usize,
        const WAB: usize,
        const WLB: usize,
    > SoftmaxUnit<WI, WB, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ, WP, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB, WIP, WU, WBP, WOP, WAB, WLB>
{
    pub fn new(p: &UnitParams) -> Self {
        let sparse = p.sparse.is_some();
        let surv = p.sparse.as_ref().is_some_and(|s| s.renorm == crate::config::Renorm::Survivors);
        Self {
            aclk: Default::default(),
            aresetn: Default::default(),
            s_axis_tdata: Default::default(),
            s_axis_tuser: Default::default(),
            s_axis_tkeep: OptPort::new(p.lanes > 1),
            s_axis_tvalid: Default::default(),
            s_axis_tlast: Default::default(),
            s_axis_tready: Default::default(),
            m_axis_tdata: Default::default(),
            m_axis_tkeep: OptPort::new(p.lanes > 1),
            m_axis_tvalid: Default::default(),
            m_axis_tlast: Default::default(),
            m_axis_tready: Default::default(),
            m_axis_tuser: OptPort::new(sparse),
            m_axis_kept: OptPort::new(sparse),
            theta: OptPort::new(sparse),
            theta_we: OptPort::new(sparse),
            front: RowFront::new(p.max_len / p.lanes, true),
            pass1: Pass1::new(p),
            recip: Recip::new(p),
            pass2: Normalize::new(p),
            select: if sparse { vec![Select::new(p)] } else { vec![] },
            sweep: if surv { vec![Sweep::new(p)] } else { vec![] },
            no_select: When::iff(!sparse),
            no_sweep: When::iff(!surv),
            stat_io: When::iff(p.sparse.as_ref().is_some_and(|s| s.mode == crate::config::SparseMode::StatTopk)),
            lanes_io: When::iff(p.lanes > 1),
            p2_free: Default::default(),
            ms: Default::default(),
            word: Pack::new(WIP),
            pass1_unused_k_min: OptPort::new(surv),
            pass1_unused_d: OptPort::new(surv),
        }
    }
}

impl<
        const WI: usize,
        const WB: usize,
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
        const WIP: usize,
        const WU: usize,
        const WBP: usize,
        const WOP: usize,
        const WAB: usize,
        const WLB: usize,
    > Logic for SoftmaxUnit<WI, WB, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ, WP, WO, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB, WIP, WU, WBP, WOP, WAB, WLB>
{
    #[hdl_gen]
    fn update(&mut self) {
        self.front.clock.next = self.aclk.val();
        self.pass1.clock.next = self.aclk.val();
        self.recip.clock.next = self.aclk.val();
        self.pass2.clock.next = self.aclk.val();
        // every reset reads the port itself: a local copy joins the top's statements into one
        // process in Verilator's eyes (UNOPTFLAT loops through the children)
        self.front.reset.next = !self.aresetn.val();
        self.pass1.reset.next = !self.aresetn.val();
        self.recip.reset.next = !self.aresetn.val();
        self.pass2.reset.next = !self.aresetn.val();

        // input stream: accepted in Accept; the beat goes to pass 1 and the row buffer. A lane
        // of a row's last beat without an element (tkeep 0) is a masked one to the datapath
        self.front.tvalid.next = self.s_axis_tvalid.val();
        self.front.tlast.next = self.s_axis_tlast.val();
        self.s_axis_tready.next = self.front.tready.val();
        self.ms.next = self.s_axis_tuser.val();
        for _i in 0..self.lanes_io.len() {
            self.front.tkeep.next = self.s_axis_tkeep.val();
            if self.front.last.val() {
                self.ms.next = self.s_axis_tuser.val() | !self.s_axis_tkeep.val();
            }
            self.pass2.keep_in.next = self.front.keep.val();
            self.m_axis_tkeep.next = self.pass2.keep.val();
        }
        self.word.acc.next = bit_cast::<WBP, WIP>(self.s_axis_tdata.val());
        self.word.x.next = self.ms.val();
        self.front.wdata.next = self.word.out.val();
        self.pass1.xs.next = self.s_axis_tdata.val();
        self.pass1.ms.next = self.ms.val();
        self.pass1.valid.next = self.front.accept.val();
        self.pass1.first.next = self.front.index.val() == 0;
        self.pass1.last.next = self.front.last.val();

        // row descriptor: pass 1 -> reciprocal -> pass 2; k_min, r and eb hold in Handoff
        // (no input is accepted) until the pass-2 side is free. Each signal is assigned once
        // per design: the loops below are generation-time branches (`When`, `Vec`s of 0 or 1)
        self.front.start_desc.next = self.front.summing.val() & self.pass1.done.val();
        self.pass2.r.next = self.recip.r.val();
        self.pass2.eb.next = self.recip.eb.val();
        self.pass2.rdata.next = self.front.rdata.val();
        self.m_axis_tvalid.next = self.pass2.valid.val();
        self.m_axis_tlast.next = self.pass2.last.val();
        self.pass2.ready.next = self.m_axis_tready.val();
        for _i in 0..self.no_sweep.len() {
            self.recip.start.next = self.front.start_desc.val();
            self.recip.d.next = self.pass1.d.val();
            self.p2_free.next = !self.pass2.busy_out.val();
            self.pass2.len.next = self.front.len.val();
            self.pass2.bank.next = self.front.bank.val();
            self.pass2.k_min.next = self.pass1.k_min.val();
            self.front.rbank.next = self.pass2.rbank.val();
            self.front.ridx.next = self.pass2.ridx.val();
            self.front.ren.next = self.pass2.ren.val();
        }
        // renorm = survivors (always with a selection): the sweep takes the row, then the
        // reciprocal, then pass 2, and owns the row buffer's read port while it sweeps
        for i in 0..self.sweep.len() {
            self.sweep[i].clock.next = self.aclk.val();
            self.sweep[i].reset.next = !self.aresetn.val();
            self.sweep[i].len.next = self.front.len.val();
            self.sweep[i].bank.next = self.front.bank.val();
            self.p2_free.next = self.sweep[i].free.val();
            self.sweep[i].busy2.next = self.pass2.busy_out.val();
            self.pass2.len.next = self.sweep[i].len2.val();
            self.pass2.bank.next = self.sweep[i].bank2.val();
            self.pass2.k_min.next = self.sweep[i].k_min.val();
            self.recip.start.next = self.sweep[i].recip_start.val();
            self.recip.d.next = self.sweep[i].d.val();
            self.pass1_unused_k_min.next = self.pass1.k_min.val();
            self.pass1_unused_d.next = self.pass1.d.val();
            self.sweep[i].recip_done.next = self.recip.done.val();
            if self.sweep[i].sweeping.val() {
                self.front.rbank.next = self.sweep[i].bank2.val();
                self.front.ridx.next = self.sweep[i].ridx.val();
                self.front.ren.next = true;
            } else {
                self.front.rbank.next = self.pass2.rbank.val();
                self.front.ridx.next = self.pass2.ridx.val();
                self.front.ren.next = self.pass2.ren.val();
            }
        }
        // the handoff: the row goes to the pass-2 side when its descriptor is ready (the
        // front end holds it) and that side is free
        self.front.handoff.next = self.front.holding.val() & self.p2_free.val();
        for _i in 0..self.no_sweep.len() {
            self.pass2.start.next = self.front.handoff.val();
        }
        for i in 0..self.sweep.len() {
            self.sweep[i].handoff.next = self.front.handoff.val();
            self.pass2.start.next = self.sweep[i].start2.val();
        }
        for _i in 0..self.no_select.len() {
            self.front.desc_ready.next = self.recip.done.val();
            self.m_axis_tdata.next = self.pass2.y.val();
        }

        // sparse selection: the descriptor waits for the rule too; the output is gated
        for i in 0..self.select.len() {
            self.select[i].clock.next = self.aclk.val();
            self.select[i].reset.next = !self.aresetn.val();
            self.select[i].theta.next = self.theta.val();
            self.select[i].theta_we.next = self.theta_we.val();
            self.select[i].xs.next = self.s_axis_tdata.val();
            self.select[i].ms.next = self.ms.val();
            self.select[i].accept.next = self.front.accept.val();
            self.select[i].beat.next = self.front.index.val();
            self.select[i].pass1_done.next = self.pass1.done.val();
            self.select[i].recip_done.next = self.recip.done.val();
            self.front.desc_ready.next = self.select[i].desc_ready.val();
            self.select[i].handoff.next = self.front.handoff.val();
            self.select[i].ridx.next = self.front.ridx.val();
            self.select[i].ren.next = self.front.ren.val();
            self.select[i].rword.next = self.front.rdata.val();
            self.select[i].y.next = self.pass2.y.val();
            self.select[i].out_valid.next = self.pass2.valid.val();
            self.select[i].out_last.next = self.pass2.last.val();
            self.select[i].out_ready.next = self.m_axis_tready.val();
            self.m_axis_tdata.next = self.select[i].tdata.val();
            self.m_axis_tuser.next = self.select[i].tuser.val();
            self.m_axis_kept.next = self.select[i].kept.val();
        }
        for i in 0..self.stat_io.len() {
            self.select[i].start_desc.next = self.front.start_desc.val();
        }
        for i in 0..self.select.len() {
            for _j in 0..self.lanes_io.len() {
                self.select[i].last.next = self.front.last.val();
            }
        }
        // the sweep sums the elements the keep rule and the cap pick at S2a
        for i in 0..self.sweep.len() {
            self.sweep[i].keep.next = self.select[i].keep_s2.val();
            self.sweep[i].is_amax.next = self.select[i].amax_s2.val();
            self.sweep[i].x.next = self.select[i].x_s2.val();
        }
    }
}
