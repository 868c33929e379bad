//! rust-hdl block of the conventional softmax (see `mod.rs`). Same AXI4-Stream interface
//! and the same row front end as the unit (`crate::row::RowFront`: AXI accept, row
//! counting, two row-buffer banks, so rows overlap as in the unit).
//!
//! ```text
//!  pass-1 side (RowFront): s_axis -> max register, row RAM     (pass 1, exact max)
//!  pass-2 side, after the handoff (row length, bank, max):
//!    Sum:  idx -> [RAM xb] -> [table(m - xb)] -> S += e                           (pass 2)
//!    Out:  idx -> [RAM xb] -> [table] -> divider (FO+2 stages) -> [y] -> m_axis  (pass 3)
//! ```
//! The max is final the cycle after the row's last element, so the front end asks for no
//! once-per-row work: WaitSum and WaitDesc pass at once and the row waits in Handoff until
//! the pass-2 side is Idle. In Out every register (and the RAM and table reads) advances only
//! when `adv = !out_valid || out_ready`. A masked element (`s_axis_tuser`; the row buffer
//! keeps its mask bit above xb) is left out of the max and gets e = 0, so it adds nothing to
//! the sum and its quotient is 0; an all-masked row divides by S = 1 instead of 0.

use super::BaselineParams;
use crate::hw::{konst, SyncRom};
use crate::row::RowFront;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Cycles per row beyond 2L and the divider on the pass-2 side: the fills of pass 2 and pass 3.
pub const PIPE_OVERHEAD: u32 = 5;

/// Pass-2 side states.
const IDLE: u64 = 0;
const SUM: u64 = 1;
const OUT: u64 = 2;

#[derive(LogicBlock)]
pub struct BaselineUnit<
    const WI: usize,
    const WA: usize,
    const WL: usize,
    const WTA: usize,
    const WX: usize,
    const WS: usize,
    const WR: usize,
    const WQ: usize,
    const WO: usize,
    const WI1: usize,
    const WR1: usize,
> {
    pub aclk: Signal<In, Clock>,
    pub aresetn: Signal<In, bool>,
    pub s_axis_tdata: Signal<In, Bits<WI>>,
    pub s_axis_tuser: Signal<In, bool>,
    pub s_axis_tvalid: Signal<In, bool>,
    pub s_axis_tlast: Signal<In, bool>,
    pub s_axis_tready: Signal<Out, bool>,
    pub m_axis_tdata: Signal<Out, Bits<WO>>,
    pub m_axis_tvalid: Signal<Out, bool>,
    pub m_axis_tlast: Signal<Out, bool>,
    pub m_axis_tready: Signal<In, bool>,
    front: RowFront<WI1, WA, WL>,
    exp_rom: SyncRom<WX, WTA>,
    state: DFF<Bits<2>>,
    /// the row in the pass-2 side: length, bank, max (taken at the handoff)
    len: DFF<Bits<WL>>,
    bank: DFF<bool>,
    max2: DFF<Bits<WI>>,
    /// the running max of the row streaming in
    max: DFF<Bits<WI>>,
    /// an unmasked element of the row streaming in has reached the max
    seen: DFF<bool>,
    idx: DFF<Bits<WL>>,
    sum: DFF<Bits<WS>>,
    v1: DFF<bool>,
    l1: DFF<bool>,
    v2: DFF<bool>,
    l2: DFF<bool>,
    zero2: DFF<bool>,
    d2: DFF<Bits<WI>>,
    rem: Vec<DFF<Bits<WR>>>,
    quo: Vec<DFF<Bits<WQ>>>,
    dv: Vec<DFF<bool>>,
    dl: Vec<DFF<bool>>,
    y_out: DFF<Bits<WO>>,
    v_out: DFF<bool>,
    l_out: DFF<bool>,
    st_idle: Constant<Bits<2>>,
    st_sum: Constant<Bits<2>>,
    st_out: Constant<Bits<2>>,
    sign: Constant<Bits<WI>>,
    /// the row buffer's word: the mask bit (1 << WI) above xb
    mask_bit: Constant<Bits<WI1>>,
    /// last stored table index, WI+1 bits: when every d has an entry (2^WI entries) a WI-bit
    /// compare would be constant (fuzz seed 7, 4-bit input)
    table_last: Constant<Bits<WI1>>,
    y_max: Constant<Bits<WQ>>,
    xb: Signal<Local, Bits<WI>>,
    rx: Signal<Local, Bits<WI>>,
    rmask: Signal<Local, bool>,
    adv: Signal<Local, bool>,
    issue: Signal<Local, bool>,
    idx_next: Signal<Local, Bits<WL>>,
    d: Signal<Local, Bits<WI>>,
    d_wide: Signal<Local, Bits<WI1>>,
    e2: Signal<Local, Bits<WX>>,
    c_rem: Signal<Local, Bits<WR>>,
    c_quo: Signal<Local, Bits<WQ>>,
    c_v: Signal<Local, bool>,
    c_l: Signal<Local, bool>,
    t: Signal<Local, Bits<WR>>,
    /// t - S with a borrow bit on top (WR + 1 bits)
    dsub: Signal<Local, Bits<WR1>>,
    borrow: Constant<Bits<WR1>>,
    s_wide: Signal<Local, Bits<WR>>,
    q1: Signal<Local, Bits<WQ>>,
}

impl<
        const WI: usize,
        const WA: usize,
        const WL: usize,
        const WTA: usize,
        const WX: usize,
        const WS: usize,
        const WR: usize,
        const WQ: usize,
        const WO: usize,
        const WI1: usize,
        const WR1: usize,
    > BaselineUnit<WI, WA, WL, WTA, WX, WS, WR, WQ, WO, WI1, WR1>
{
    pub fn new(b: &BaselineParams) -> Self {
        assert_eq!(
            (WI, WA, WL, WTA, WX, WS, WR, WQ, WO, WR1),
            (
                b.input.bits as usize,
                b.wa as usize,
                b.wa as usize + 1,
                b.wta as usize,
                b.fx as usize + 1,
                b.ws as usize,
                b.ws as usize + 1,
                b.output.frac as usize + 2,
                b.output.bits as usize,
                b.ws as usize + 2
            )
        );
        let stages = b.output.frac as usize + 2;
        Self {
            aclk: Default::default(),
            aresetn: Default::default(),
            s_axis_tdata: Default::default(),
            s_axis_tuser: Default::default(),
            s_axis_tvalid: Default::default(),
            s_axis_tlast: Default::default(),
            s_axis_tready: Default::default(),
            m_axis_tdata: Default::default(),
            m_axis_tvalid: Default::default(),
            m_axis_tlast: Default::default(),
            m_axis_tready: Default::default(),
            front: RowFront::new(b.max_len, false),
            exp_rom: SyncRom::new(&b.table),
            state: Default::default(),
            len: Default::default(),
            bank: Default::default(),
            max2: Default::default(),
            max: Default::default(),
            seen: Default::default(),
            idx: Default::default(),
            sum: Default::default(),
            v1: Default::default(),
            l1: Default::default(),
            v2: Default::default(),
            l2: Default::default(),
            zero2: Default::default(),
            d2: Default::default(),
            rem: (0..stages).map(|_| Default::default()).collect(),
            quo: (0..stages).map(|_| Default::default()).collect(),
            dv: (0..stages).map(|_| Default::default()).collect(),
            dl: (0..stages).map(|_| Default::default()).collect(),
            y_out: Default::default(),
            v_out: Default::default(),
            l_out: Default::default(),
            st_idle: konst(IDLE),
            st_sum: konst(SUM),
            st_out: konst(OUT),
            sign: konst(1 << (WI - 1)),
            mask_bit: konst(1 << WI),
            table_last: konst(b.table.len() as u64 - 1),
            d_wide: Default::default(),
            y_max: konst(b.y_max()),
            xb: Default::default(),
            rx: Default::default(),
            rmask: Default::default(),
            adv: Default::default(),
            issue: Default::default(),
            idx_next: Default::default(),
            d: Default::default(),
            e2: Default::default(),
            c_rem: Default::default(),
            c_quo: Default::default(),
            c_v: Default::default(),
            c_l: Default::default(),
            t: Default::default(),
            dsub: Default::default(),
            borrow: konst(1 << WR),
            s_wide: Default::default(),
            q1: Default::default(),
        }
    }
}

impl<
        const WI: usize,
        const WA: usize,
        const WL: usize,
        const WTA: usize,
        const WX: usize,
        const WS: usize,
        const WR: usize,
        const WQ: usize,
        const WO: usize,
        const WI1: usize,
        const WR1: usize,
    > Logic for BaselineUnit<WI, WA, WL, WTA, WX, WS, WR, WQ, WO, WI1, WR1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, aclk, state, len, bank, max2, max, seen, idx, sum, v1, l1, v2, l2, zero2, d2, y_out, v_out, l_out);
        self.front.clock.next = self.aclk.val();
        self.exp_rom.clock.next = self.aclk.val();
        // every reset reads the port itself: a local copy joins the top's statements into one
        // process in Verilator's eyes (UNOPTFLAT loops through the children)
        self.front.reset.next = !self.aresetn.val();
        self.adv.next = !self.v_out.q.val() | self.m_axis_tready.val();

        // pass 1: exact max of the offset-binary inputs, inputs stored
        self.front.tvalid.next = self.s_axis_tvalid.val();
        self.front.tlast.next = self.s_axis_tlast.val();
        self.s_axis_tready.next = self.front.tready.val();
        self.xb.next = self.s_axis_tdata.val() ^ self.sign.val();
        if self.s_axis_tuser.val() {
            self.front.wdata.next = bit_cast::<WI1, WI>(self.xb.val()) | self.mask_bit.val();
        } else {
            self.front.wdata.next = bit_cast::<WI1, WI>(self.xb.val());
        }
        // the max of the unmasked elements; the row's first unmasked one starts it
        if self.front.accept.val() {
            self.seen.d.next = !self.s_axis_tuser.val() | (self.seen.q.val() & (self.front.index.val() != 0));
        }
        if self.front.accept.val()
            & !self.s_axis_tuser.val()
            & ((self.front.index.val() == 0) | !self.seen.q.val() | (self.xb.val() > self.max.q.val()))
        {
            self.max.d.next = self.xb.val();
        }
        // no once-per-row work: the row is ready for the pass-2 side at once
        self.front.start_desc.next = self.front.summing.val();
        self.front.desc_ready.next = true;
        self.front.handoff.next = self.front.holding.val() & (self.state.q.val() == self.st_idle.val());
        if self.front.handoff.val() {
            self.len.d.next = self.front.len.val();
            self.bank.d.next = self.front.bank.val();
            self.max2.d.next = self.max.q.val();
            self.idx.d.next = 0.into();
            self.sum.d.next = 0.into();
            self.state.d.next = self.st_sum.val();
        }

        // passes 2 and 3 share the read-back front: idx -> RAM -> table(m - xb)
        self.issue.next = (self.state.q.val() != self.st_idle.val()) & (self.idx.q.val() != self.len.q.val()) & self.adv.val();
        self.idx_next.next = self.idx.q.val() + 1;
        if self.issue.val() {
            self.idx.d.next = self.idx_next.val();
        }
        self.front.rbank.next = self.bank.q.val();
        self.front.ridx.next = self.idx.q.val();
        self.front.ren.next = self.adv.val();
        self.rx.next = bit_cast::<WI, WI1>(self.front.rdata.val());
        self.rmask.next = (self.front.rdata.val() & self.mask_bit.val()) != 0;
        self.d.next = self.max2.q.val() - self.rx.val();
        self.d_wide.next = bit_cast::<WI1, WI>(self.d.val());
        if self.adv.val() {
            self.v1.d.next = self.issue.val();
            self.l1.d.next = self.issue.val() & (self.idx_next.val() == self.len.q.val());
            self.v2.d.next = self.v1.q.val();
            self.l2.d.next = self.l1.q.val();
            self.d2.d.next = self.d.val();
            self.zero2.d.next = self.rmask.val() | (self.d_wide.val() > self.table_last.val());
            // the table register is stage 2: it reads the d that stage 2 is latching
            self.exp_rom.address.next = bit_cast::<WTA, WI>(self.d.val());
        } else {
            self.exp_rom.address.next = bit_cast::<WTA, WI>(self.d2.q.val());
        }
        if self.zero2.q.val() {
            self.e2.next = 0.into();
        } else {
            self.e2.next = self.exp_rom.data.val();
        }

        // pass 2: the exact sum
        if (self.state.q.val() == self.st_sum.val()) & self.v2.q.val() {
            self.sum.d.next = self.sum.q.val() + bit_cast::<WS, WX>(self.e2.val());
            if self.l2.q.val() {
                self.idx.d.next = 0.into();
                self.state.d.next = self.st_out.val();
            }
        }

        // pass 3: restoring division q = floor(e * 2^(FO+1) / S), one quotient bit per stage
        // S = 0 only in a row with every element masked (each e = 0): divide by 1, q = 0
        if self.sum.q.val() == 0 {
            self.s_wide.next = 1.into();
        } else {
            self.s_wide.next = bit_cast::<WR, WS>(self.sum.q.val());
        }
        self.c_rem.next = bit_cast::<WR, WX>(self.e2.val());
        self.c_quo.next = 0.into();
        self.c_v.next = self.v2.q.val() & (self.state.q.val() == self.st_out.val());
        self.c_l.next = self.l2.q.val();
        for i in 0..self.rem.len() {
            self.rem[i].clock.next = self.aclk.val();
            self.quo[i].clock.next = self.aclk.val();
            self.dv[i].clock.next = self.aclk.val();
            self.dl[i].clock.next = self.aclk.val();
            self.rem[i].d.next = self.rem[i].q.val();
            self.quo[i].d.next = self.quo[i].q.val();
            self.dv[i].d.next = self.dv[i].q.val();
            self.dl[i].d.next = self.dl[i].q.val();
            // stage 0 compares e itself; later stages the doubled remainder
            if i == 0 {
                self.t.next = self.c_rem.val();
            } else {
                self.t.next = self.c_rem.val() << 1;
            }
            // t >= S iff t - S (WR + 1 bits) does not borrow: one subtractor decides and
            // gives the remainder
            self.dsub.next = bit_cast::<WR1, WR>(self.t.val()) - bit_cast::<WR1, WR>(self.s_wide.val());
            if self.adv.val() {
                self.dv[i].d.next = self.c_v.val();
                self.dl[i].d.next = self.c_l.val();
                if (self.dsub.val() & self.borrow.val()) == 0 {
                    self.rem[i].d.next = bit_cast::<WR, WR1>(self.dsub.val());
                    self.quo[i].d.next = (self.c_quo.val() << 1) | 1;
                } else {
                    self.rem[i].d.next = self.t.val();
                    self.quo[i].d.next = self.c_quo.val() << 1;
                }
            }
            self.c_rem.next = self.rem[i].q.val();
            self.c_quo.next = self.quo[i].q.val();
            self.c_v.next = self.dv[i].q.val();
            self.c_l.next = self.dl[i].q.val();
        }
        // y = min((q + 1) >> 1, y_max)
        self.q1.next = (self.c_quo.val() + 1) >> 1;
        if self.adv.val() {
            self.v_out.d.next = self.c_v.val();
            self.l_out.d.next = self.c_l.val();
            if self.q1.val() > self.y_max.val() {
                self.y_out.d.next = bit_cast::<WO, WQ>(self.y_max.val());
            } else {
                self.y_out.d.next = bit_cast::<WO, WQ>(self.q1.val());
            }
        }
        self.m_axis_tdata.next = self.y_out.q.val();
        self.m_axis_tvalid.next = self.v_out.q.val();
        self.m_axis_tlast.next = self.l_out.q.val();
        if (self.state.q.val() == self.st_out.val()) & self.v_out.q.val() & self.l_out.q.val() & self.m_axis_tready.val() {
            self.state.d.next = self.st_idle.val();
        }
        if !self.aresetn.val() {
            self.state.d.next = self.st_idle.val();
            self.v1.d.next = false;
            self.v2.d.next = false;
            self.v_out.d.next = false;
            for i in 0..self.dv.len() {
                self.dv[i].d.next = false;
            }
        }
    }
}
