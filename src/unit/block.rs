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
//!  pass-1 side: Accept --last--> WaitSum --d--> WaitRecip --r--> Handoff --pass 2 idle--> Accept
//! ```
//! The row buffer has two banks. At the handoff, pass 2 takes the row (its bank, length,
//! k_min, r, eb) and pass 1 goes on accepting the next row into the other bank while pass 2
//! streams the previous one out: rows overlap, and back to back a row of length L takes
//! L + c cycles.
//! Rows are delimited by `s_axis_tlast`; a row that reaches `max_len` elements ends there.
//! Latency from a row's last input handshake to its first output (pass 2 idle): see the
//! manifest (`Timing`), checked by co-simulation. `s_axis_tready` is high only in Accept.
//! Pass 1 and pass 2 are separate blocks with a row descriptor between them, so several
//! lanes per cycle extend this without a rewrite.

use crate::hw::{konst, RowRam};
use crate::normalize::block::Normalize;
use crate::recip::block::Recip;
use crate::params::UnitParams;
use crate::unnormed::block::Unnormed;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Pass-1 states (2 bits): Accept, WaitSum, WaitRecip, Handoff.
const ACCEPT: u64 = 0;
const WAIT_SUM: u64 = 1;
const WAIT_RECIP: u64 = 2;
const HANDOFF: u64 = 3;

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
    pass1: Unnormed<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD>,
    ram: RowRam<WI, WL>,
    recip: Recip<WD, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ>,
    pass2: Normalize<WI, WT, WN, FT, ESB, WE, WEP, WSP, WA, WL, WR, WP, WO>,
    state: DFF<Bits<2>>,
    st_accept: Constant<Bits<2>>,
    st_wait_sum: Constant<Bits<2>>,
    st_wait_recip: Constant<Bits<2>>,
    st_handoff: Constant<Bits<2>>,
    bank: DFF<bool>,
    bank_bit: Constant<Bits<WL>>,
    count: DFF<Bits<WL>>,
    len: DFF<Bits<WL>>,
    max_last: Constant<Bits<WL>>,
    reset: Signal<Local, bool>,
    accept: Signal<Local, bool>,
    is_last: Signal<Local, bool>,
    count_next: Signal<Local, Bits<WL>>,
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
            pass1: Unnormed::new(p),
            ram: Default::default(),
            recip: Recip::new(p),
            pass2: Normalize::new(p),
            state: Default::default(),
            st_accept: konst(ACCEPT),
            st_wait_sum: konst(WAIT_SUM),
            st_wait_recip: konst(WAIT_RECIP),
            st_handoff: konst(HANDOFF),
            bank: Default::default(),
            bank_bit: konst(1 << WA),
            count: Default::default(),
            len: Default::default(),
            max_last: konst(p.max_len as u64 - 1),
            reset: Default::default(),
            accept: Default::default(),
            is_last: Default::default(),
            count_next: Default::default(),
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
        dff_setup!(self, aclk, state, count, len, bank);
        self.pass1.clock.next = self.aclk.val();
        self.ram.clock.next = self.aclk.val();
        self.recip.clock.next = self.aclk.val();
        self.pass2.clock.next = self.aclk.val();
        self.reset.next = !self.aresetn.val();
        self.pass1.reset.next = self.reset.val();
        self.recip.reset.next = self.reset.val();
        self.pass2.reset.next = self.reset.val();

        // input stream: accepted only in Accept; the element also goes to the row buffer
        self.s_axis_tready.next = self.state.q.val() == self.st_accept.val();
        self.accept.next = self.s_axis_tready.val() & self.s_axis_tvalid.val();
        self.is_last.next = self.s_axis_tlast.val() | (self.count.q.val() == self.max_last.val());
        self.count_next.next = self.count.q.val() + 1;
        self.pass1.x.next = self.s_axis_tdata.val();
        self.pass1.valid.next = self.accept.val();
        self.pass1.first.next = self.count.q.val() == 0;
        self.pass1.last.next = self.is_last.val();
        // pass 1 writes its bank, pass 2 reads the other one
        if self.bank.q.val() {
            self.ram.write_address.next = self.count.q.val() | self.bank_bit.val();
        } else {
            self.ram.write_address.next = self.count.q.val();
        }
        self.ram.write_data.next = self.s_axis_tdata.val();
        self.ram.write_enable.next = self.accept.val();

        // row descriptor: pass 1 -> reciprocal -> pass 2
        self.recip.start.next = false;
        self.recip.d.next = self.pass1.d.val();
        self.pass2.start.next = false;
        self.pass2.len.next = self.len.q.val();
        self.pass2.bank.next = self.bank.q.val();
        self.pass2.k_min.next = self.pass1.k_min.val();
        self.pass2.r.next = self.recip.r.val();
        self.pass2.eb.next = self.recip.eb.val();
        self.ram.read_address.next = self.pass2.raddr.val();
        self.ram.read_enable.next = self.pass2.ren.val();
        self.pass2.rdata.next = self.ram.read_data.val();

        if self.state.q.val() == self.st_accept.val() {
            if self.accept.val() {
                if self.is_last.val() {
                    self.count.d.next = 0.into();
                    self.len.d.next = self.count_next.val();
                    self.state.d.next = self.st_wait_sum.val();
                } else {
                    self.count.d.next = self.count_next.val();
                }
            }
        }
        if self.state.q.val() == self.st_wait_sum.val() {
            if self.pass1.done.val() {
                self.recip.start.next = true;
                self.state.d.next = self.st_wait_recip.val();
            }
        }
        if self.state.q.val() == self.st_wait_recip.val() {
            if self.recip.done.val() {
                self.state.d.next = self.st_handoff.val();
            }
        }
        // k_min, r and eb hold here (no input is accepted) until pass 2 is free
        if self.state.q.val() == self.st_handoff.val() {
            if !self.pass2.busy_out.val() {
                self.pass2.start.next = true;
                self.bank.d.next = !self.bank.q.val();
                self.state.d.next = self.st_accept.val();
            }
        }
        if self.reset.val() {
            self.state.d.next = self.st_accept.val();
            self.count.d.next = 0.into();
        }

        // output stream
        self.m_axis_tdata.next = self.pass2.y.val();
        self.m_axis_tvalid.next = self.pass2.valid.val();
        self.m_axis_tlast.next = self.pass2.last.val();
        self.pass2.ready.next = self.m_axis_tready.val();
    }
}
