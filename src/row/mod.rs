//! The row front end of the dense and the sparse unit: AXI4-Stream accept, beat counting
//! (a row ends at `tlast` or at its `max_len`-th element), the row length in beats, the
//! last beat's `tkeep` (WU bits, one per lane), the row buffer ([`RowRam`] of WW-bit words,
//! one beat each, two banks: the bank is the top address bit,
//! pass 1 writes one while pass 2 reads the other; both ports take a bank and an index) and
//! the pass-1 side's state machine:
//!
//! ```text
//!  Accept --row end--> WaitSum --start_desc--> WaitDesc --desc_ready--> Handoff --handoff--> Accept
//! ```
//! In WaitSum (`summing`) the top pulses `start_desc` when pass 1 is done, which starts the
//! once-per-row work (reciprocal, stat_topk threshold); in Handoff (`holding`) it pulses
//! `handoff` when the pass-2 side takes the row, which swaps the banks. The outputs depend
//! on this block's registers only (and `accept` on the stream's valid, `last` on `tlast`),
//! never on an input the top computes from them: one process of the top reading an output
//! and driving an input it depends on would be a combinational loop to Verilator
//! (UNOPTFLAT). Inputs are accepted only in Accept.

use crate::hw::{konst, OptPort, RowRam, When};
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Cycles from the descriptor being ready (in WaitDesc) to the handoff, pass 2 free: the
/// Handoff state.
pub const HANDOFF_CYCLES: u32 = 1;

/// Pass-1 side states (2 bits).
const ACCEPT: u64 = 0;
const WAIT_SUM: u64 = 1;
const WAIT_DESC: u64 = 2;
const HANDOFF: u64 = 3;

#[derive(LogicBlock)]
pub struct RowFront<const WW: usize, const WA: usize, const WL: usize, const WU: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    pub tvalid: Signal<In, bool>,
    pub tlast: Signal<In, bool>,
    /// the lanes that hold an element, read on a row's last beat (lanes > 1 only)
    pub tkeep: OptPort<In, Bits<WU>>,
    pub tready: Signal<Out, bool>,
    /// what the row buffer stores for the element at the handshake
    pub wdata: Signal<In, Bits<WW>>,
    /// handshake this cycle; its element is at `index` and is the row's `last` (an output
    /// only for a reader that asks for it: the unit's pass 1; the baseline's max does not)
    pub accept: Signal<Out, bool>,
    pub last: OptPort<Out, bool>,
    pub index: Signal<Out, Bits<WL>>,
    /// in WaitSum: pass 1 is finishing the row's max and sum
    pub summing: Signal<Out, bool>,
    /// (in WaitSum) pass 1 is done: the once-per-row work starts now
    pub start_desc: Signal<In, bool>,
    /// (in WaitDesc) the row's descriptor (reciprocal, selection rule) is ready
    pub desc_ready: Signal<In, bool>,
    /// in Handoff: the row's descriptor holds until the pass-2 side takes the row
    pub holding: Signal<Out, bool>,
    /// (in Handoff) pass 2 takes the row (`len`, `bank`) now; the banks swap
    pub handoff: Signal<In, bool>,
    /// length of the row in beats in WaitSum..Handoff (1..=max_len / P), its last beat's
    /// tkeep, and its bank
    pub len: Signal<Out, Bits<WL>>,
    pub keep: OptPort<Out, Bits<WU>>,
    pub bank: Signal<Out, bool>,
    /// read port: bank, index in the row (< 2^WA), enable; data registered
    pub rbank: Signal<In, bool>,
    pub ridx: Signal<In, Bits<WL>>,
    pub ren: Signal<In, bool>,
    pub rdata: Signal<Out, Bits<WW>>,
    ram: RowRam<WW, WL>,
    state: DFF<Bits<2>>,
    count: DFF<Bits<WL>>,
    len_r: DFF<Bits<WL>>,
    keep_r: Vec<DFF<Bits<WU>>>,
    bank_r: DFF<bool>,
    st_accept: Constant<Bits<2>>,
    st_wait_sum: Constant<Bits<2>>,
    st_wait_desc: Constant<Bits<2>>,
    st_handoff: Constant<Bits<2>>,
    max_last: Constant<Bits<WL>>,
    /// the bank's address bit, 1 << WA
    bank_bit: Constant<Bits<WL>>,
    count_next: Signal<Local, Bits<WL>>,
    row_end: Signal<Local, bool>,
    with_last: Vec<When>,
}

impl<const WW: usize, const WA: usize, const WL: usize, const WU: usize> RowFront<WW, WA, WL, WU> {
    /// `max_beats`: a row ends after this many beats (max_len / P); `with_last`: whether
    /// the `last` output exists.
    pub fn new(max_beats: u32, with_last: bool) -> Self {
        assert_eq!(WL, WA + 1, "RowFront: WL = WA + 1");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            tvalid: Default::default(),
            tlast: Default::default(),
            tkeep: OptPort::new(WU > 1),
            tready: Default::default(),
            wdata: Default::default(),
            accept: Default::default(),
            last: OptPort::new(with_last),
            index: Default::default(),
            summing: Default::default(),
            start_desc: Default::default(),
            desc_ready: Default::default(),
            holding: Default::default(),
            handoff: Default::default(),
            len: Default::default(),
            keep: OptPort::new(WU > 1),
            bank: Default::default(),
            rbank: Default::default(),
            ridx: Default::default(),
            ren: Default::default(),
            rdata: Default::default(),
            ram: Default::default(),
            state: Default::default(),
            count: Default::default(),
            len_r: Default::default(),
            keep_r: (0..(WU > 1) as usize).map(|_| Default::default()).collect(),
            bank_r: Default::default(),
            st_accept: konst(ACCEPT),
            st_wait_sum: konst(WAIT_SUM),
            st_wait_desc: konst(WAIT_DESC),
            st_handoff: konst(HANDOFF),
            max_last: konst(max_beats as u64 - 1),
            bank_bit: konst(1 << WA),
            count_next: Default::default(),
            row_end: Default::default(),
            with_last: When::iff(with_last),
        }
    }
}

impl<const WW: usize, const WA: usize, const WL: usize, const WU: usize> Logic for RowFront<WW, WA, WL, WU> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, count, len_r, bank_r);
        for i in 0..self.keep_r.len() {
            self.keep_r[i].clock.next = self.clock.val();
            self.keep_r[i].d.next = self.keep_r[i].q.val();
            self.keep.next = self.keep_r[i].q.val();
        }
        self.ram.clock.next = self.clock.val();
        // input stream: accepted only in Accept
        self.tready.next = self.state.q.val() == self.st_accept.val();
        self.accept.next = self.tready.val() & self.tvalid.val();
        self.row_end.next = self.tlast.val() | (self.count.q.val() == self.max_last.val());
        for _i in 0..self.with_last.len() {
            self.last.next = self.row_end.val();
        }
        self.index.next = self.count.q.val();
        self.count_next.next = self.count.q.val() + 1;
        if self.accept.val() {
            if self.row_end.val() {
                self.count.d.next = 0.into();
                self.len_r.d.next = self.count_next.val();
                for i in 0..self.keep_r.len() {
                    self.keep_r[i].d.next = self.tkeep.val();
                }
                self.state.d.next = self.st_wait_sum.val();
            } else {
                self.count.d.next = self.count_next.val();
            }
        }
        self.summing.next = self.state.q.val() == self.st_wait_sum.val();
        if self.start_desc.val() {
            self.state.d.next = self.st_wait_desc.val();
        }
        if (self.state.q.val() == self.st_wait_desc.val()) & self.desc_ready.val() {
            self.state.d.next = self.st_handoff.val();
        }
        // the descriptor holds in Handoff (no input is accepted) until pass 2 takes the row
        self.holding.next = self.state.q.val() == self.st_handoff.val();
        if self.handoff.val() {
            self.bank_r.d.next = !self.bank_r.q.val();
            self.state.d.next = self.st_accept.val();
        }
        self.len.next = self.len_r.q.val();
        self.bank.next = self.bank_r.q.val();
        // row buffer: the writer's bank is the top address bit
        if self.bank_r.q.val() {
            self.ram.write_address.next = self.count.q.val() | self.bank_bit.val();
        } else {
            self.ram.write_address.next = self.count.q.val();
        }
        self.ram.write_data.next = self.wdata.val();
        self.ram.write_enable.next = self.accept.val();
        if self.rbank.val() {
            self.ram.read_address.next = self.ridx.val() | self.bank_bit.val();
        } else {
            self.ram.read_address.next = self.ridx.val();
        }
        self.ram.read_enable.next = self.ren.val();
        self.rdata.next = self.ram.read_data.val();
        if self.reset.val() {
            self.state.d.next = self.st_accept.val();
            self.count.d.next = 0.into();
            // the bank toggles at every handoff: without a reset it would stay X
            self.bank_r.d.next = false;
        }
    }
}
