//! The softmax unit: AXI4-Stream in, AXI4-Stream out, one row at a time.
//!
//! ```text
//!            +-----------+  x    +---------+
//!  s_axis -->| Unnormed  |------>| RowRam  |---------------+
//!            | (pass 1)  |       +---------+               v
//!            +-----------+ k_min, d   +-------+  r, eb  +-----------+
//!                   +---------------->| Recip |-------->| Normalize |--> m_axis
//!                                     +-------+         | (pass 2)  |
//!                                                       +-----------+
//!  pass-1 side: Accept --last--> WaitSum --d--> WaitDesc --r--> Handoff --pass 2 idle--> Accept
//! ```
//! The row buffer has two banks. At the handoff, pass 2 takes the row (its bank, length,
//! k_min, r, eb) and pass 1 goes on accepting the next row into the other bank while pass 2
//! streams the previous one out: rows overlap, and back to back a row of length L takes
//! L + c cycles.
//! The AXI accept, row counting, banks, row buffer and the pass-1 state machine are the
//! shared row front end (`crate::row::RowFront`, also used by the sparse top).
//! Rows are delimited by `s_axis_tlast`; a row that reaches `max_len` elements ends there.
//! Latency from a row's last input handshake to its first output (pass 2 idle): see the
//! manifest (`Timing`), checked by co-simulation. `s_axis_tready` is high only in Accept.
//! Pass 1 and pass 2 are separate blocks with a row descriptor between them, so several
//! lanes per cycle extend this without a rewrite.

use crate::normalize::block::Normalize;
use crate::params::UnitParams;
use crate::recip::block::Recip;
use crate::row::RowFront;
use crate::unnormed::block::Unnormed;
use rust_hdl_core::prelude::*;

#[derive(LogicBlock)]
pub struct SoftmaxUnit<
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
    front: RowFront<WI, WA, WL>,
    pass1: Unnormed<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD>,
    recip: Recip<WD, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ>,
    pass2: Normalize<WI, WT, WN, FT, ESB, WE, WEP, WSP, WA, WL, WR, WP, WO>,
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
    > SoftmaxUnit<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ, WP, WO>
{
    pub fn new(p: &UnitParams) -> Self {
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
            front: RowFront::new(p.max_len),
            pass1: Unnormed::new(p),
            recip: Recip::new(p),
            pass2: Normalize::new(p),
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
    > Logic
    for SoftmaxUnit<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ, WP, WO>
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

        // input stream: accepted in Accept; the element goes to pass 1 and the row buffer
        self.front.tvalid.next = self.s_axis_tvalid.val();
        self.front.tlast.next = self.s_axis_tlast.val();
        self.s_axis_tready.next = self.front.tready.val();
        self.front.wdata.next = self.s_axis_tdata.val();
        self.pass1.x.next = self.s_axis_tdata.val();
        self.pass1.valid.next = self.front.accept.val();
        self.pass1.first.next = self.front.index.val() == 0;
        self.pass1.last.next = self.front.last.val();

        // row descriptor: pass 1 -> reciprocal -> pass 2; k_min, r and eb hold in Handoff
        // (no input is accepted) until pass 2 is free
        self.front.start_desc.next = self.front.summing.val() & self.pass1.done.val();
        self.front.desc_ready.next = self.recip.done.val();
        self.front.handoff.next = self.front.holding.val() & !self.pass2.busy_out.val();
        self.recip.start.next = self.front.start_desc.val();
        self.recip.d.next = self.pass1.d.val();
        self.pass2.start.next = self.front.handoff.val();
        self.pass2.len.next = self.front.len.val();
        self.pass2.bank.next = self.front.bank.val();
        self.pass2.k_min.next = self.pass1.k_min.val();
        self.pass2.r.next = self.recip.r.val();
        self.pass2.eb.next = self.recip.eb.val();
        self.front.raddr.next = self.pass2.raddr.val();
        self.front.ren.next = self.pass2.ren.val();
        self.pass2.rdata.next = self.front.rdata.val();

        // output stream
        self.m_axis_tdata.next = self.pass2.y.val();
        self.m_axis_tvalid.next = self.pass2.valid.val();
        self.m_axis_tlast.next = self.pass2.last.val();
        self.pass2.ready.next = self.m_axis_tready.val();
    }
}
