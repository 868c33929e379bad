//! rust-hdl block of the conventional softmax (see `mod.rs`). Same AXI4-Stream interface
//! and the same row front end as the unit (`crate::row::RowFront`: AXI accept, beat
//! counting, two row-buffer banks, so rows overlap as in the unit), at P lanes too.
//!
//! ```text
//!  pass-1 side (RowFront): s_axis -> beat max (a tree over the lanes) -> max register,
//!                          row RAM                                  (pass 1, exact max)
//!  pass-2 side, after the handoff (row length, bank, max):
//!    Sum:  idx -> [RAM xb] -> [table(m - xb)] -> S_j += e       per lane          (pass 2)
//!    Wait: S = sum of the lanes' S_j, a registered adder tree of log2 P levels
//!    Out:  idx -> [RAM xb] -> [table] -> divider (FO+2 stages) -> [y] -> m_axis  (pass 3)
//! ```
//! The max is final the cycle after the row's last beat, so the front end asks for no
//! once-per-row work: WaitSum and WaitDesc pass at once and the row waits in Handoff until
//! the pass-2 side is Idle. In Out every register (and the RAM and table reads) advances only
//! when `adv = !out_valid || out_ready`. A masked element (`s_axis_tuser`, or a lane of a
//! row's last beat without an element; the row buffer keeps the mask bits above the
//! elements) is left out of the max and gets e = 0, so it adds nothing to the sum and its
//! quotient is 0; an all-masked row divides by S = 1 instead of 0. The max and the sum are
//! exact, so the lanes change no output (the model is that of one lane).

use super::BaselineParams;
use crate::hw::{konst, Lane, OptPort, Pack, SyncRom, When};
use crate::row::RowFront;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Cycles per row beyond 2L and the divider on the pass-2 side: the fills of pass 2 and pass 3.
pub const PIPE_OVERHEAD: u32 = 5;

/// Pass-2 side states.
const IDLE: u64 = 0;
const SUM: u64 = 1;
const OUT: u64 = 2;
const WAIT: u64 = 3;

/// One node of the beat-max tree (combinational): the larger of two values, either of which
/// may be absent (`va`, `vb`); `sign` = 1 << (WI-1) turns the leaves' two's complement
/// into offset binary (0 inside the tree).
#[derive(LogicBlock)]
pub struct MaxNode<const WI: usize> {
    pub a: Signal<In, Bits<WI>>,
    pub va: Signal<In, bool>,
    pub b: Signal<In, Bits<WI>>,
    pub vb: Signal<In, bool>,
    pub m: Signal<Out, Bits<WI>>,
    pub v: Signal<Out, bool>,
    sign: Constant<Bits<WI>>,
    ab: Signal<Local, Bits<WI>>,
    bb: Signal<Local, Bits<WI>>,
}

impl<const WI: usize> MaxNode<WI> {
    pub fn new(leaf: bool) -> Self {
        Self {
            a: Default::default(),
            va: Default::default(),
            b: Default::default(),
            vb: Default::default(),
            m: Default::default(),
            v: Default::default(),
            sign: konst(if leaf { 1 << (WI - 1) } else { 0 }),
            ab: Default::default(),
            bb: Default::default(),
        }
    }
}

impl<const WI: usize> Logic for MaxNode<WI> {
    #[hdl_gen]
    fn update(&mut self) {
        self.ab.next = self.a.val() ^ self.sign.val();
        self.bb.next = self.b.val() ^ self.sign.val();
        self.v.next = self.va.val() | self.vb.val();
        if self.va.val() & (!self.vb.val() | (self.ab.val() > self.bb.val())) {
            self.m.next = self.ab.val();
        } else {
            self.m.next = self.bb.val();
        }
    }
}

/// One node of the sum's adder tree, registered.
#[derive(LogicBlock, Default)]
pub struct AddNode<const WS: usize> {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<WS>>,
    pub b: Signal<In, Bits<WS>>,
    pub s: Signal<Out, Bits<WS>>,
    s_r: DFF<Bits<WS>>,
}

impl<const WS: usize> Logic for AddNode<WS> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, s_r);
        self.s_r.d.next = self.a.val() + self.b.val();
        self.s.next = self.s_r.q.val();
    }
}

/// One lane's part of the exact sum: `sum += x` when `en`, cleared by `clear` (registered; a
/// block of its own so that the top's process, which drives the lanes' `adv`, reads no
/// lane output: Verilator would see a loop through the two processes, UNOPTFLAT).
#[derive(LogicBlock, Default)]
pub struct LaneSum<const WS: usize> {
    pub clock: Signal<In, Clock>,
    pub en: Signal<In, bool>,
    pub clear: Signal<In, bool>,
    pub x: Signal<In, Bits<WS>>,
    pub sum: Signal<Out, Bits<WS>>,
    sum_r: DFF<Bits<WS>>,
}

impl<const WS: usize> Logic for LaneSum<WS> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sum_r);
        if self.en.val() {
            self.sum_r.d.next = self.sum_r.q.val() + self.x.val();
        }
        if self.clear.val() {
            self.sum_r.d.next = 0.into();
        }
        self.sum.next = self.sum_r.q.val();
    }
}

/// One lane of passes 2 and 3 from S1 (the row buffer's word) on: the table read, e (0 for a
/// masked element or a d beyond the table; the parent sums it) and a restoring divider of
/// FO + 2 stages. Every register advances with `adv`.
#[derive(LogicBlock)]
pub struct BaseLane<
    const WI: usize,
    const WTA: usize,
    const WX: usize,
    const WS: usize,
    const WR: usize,
    const WQ: usize,
    const WO: usize,
    const WI1: usize,
    const WR1: usize,
> {
    pub clock: Signal<In, Clock>,
    pub adv: Signal<In, bool>,
    /// S1: the element (two's complement) and its mask bit
    pub x: Signal<In, Bits<WI>>,
    pub masked: Signal<In, bool>,
    /// the row's max (offset binary)
    pub max: Signal<In, Bits<WI>>,
    /// S2: e, widened to the sum
    pub e: Signal<Out, Bits<WS>>,
    /// the divisor S (1 when the row's sum is 0), and the quotient's output register
    pub s: Signal<In, Bits<WR>>,
    pub y: Signal<Out, Bits<WO>>,
    exp_rom: SyncRom<WX, WTA>,
    zero2: DFF<bool>,
    d2: DFF<Bits<WI>>,
    rem: Vec<DFF<Bits<WR>>>,
    quo: Vec<DFF<Bits<WQ>>>,
    y_out: DFF<Bits<WO>>,
    sign: Constant<Bits<WI>>,
    /// last stored table index, WI+1 bits: when every d has an entry (2^WI entries) a WI-bit
    /// compare would be constant (fuzz seed 7, 4-bit input)
    table_last: Constant<Bits<WI1>>,
    y_max: Constant<Bits<WQ>>,
    borrow: Constant<Bits<WR1>>,
    d: Signal<Local, Bits<WI>>,
    d_wide: Signal<Local, Bits<WI1>>,
    e2: Signal<Local, Bits<WX>>,
    c_rem: Signal<Local, Bits<WR>>,
    c_quo: Signal<Local, Bits<WQ>>,
    t: Signal<Local, Bits<WR>>,
    /// t - S with a borrow bit on top (WR + 1 bits)
    dsub: Signal<Local, Bits<WR1>>,
    q1: Signal<Local, Bits<WQ>>,
}

impl<
        const WI: usize,
        const WTA: usize,
        const WX: usize,
        const WS: usize,
        const WR: usize,
        const WQ: usize,
        const WO: usize,
        const WI1: usize,
        const WR1: usize,
    > BaseLane<WI, WTA, WX, WS, WR, WQ, WO, WI1, WR1>
{
    pub fn new(b: &BaselineParams) -> Self {
        let stages = b.output.frac as usize + 2;
        Self {
            clock: Default::default(),
            adv: Default::default(),
            x: Default::default(),
            masked: Default::default(),
            max: Default::default(),
            e: Default::default(),
            s: Default::default(),
            y: Default::default(),
            exp_rom: SyncRom::new(&b.table),
            zero2: Default::default(),
            d2: Default::default(),
            rem: (0..stages).map(|_| Default::default()).collect(),
            quo: (0..stages).map(|_| Default::default()).collect(),
            y_out: Default::default(),
            sign: konst(1 << (WI - 1)),
            table_last: konst(b.table.len() as u64 - 1),
            y_max: konst(b.y_max()),
            borrow: konst(1 << WR),
            d: Default::default(),
            d_wide: Default::default(),
            e2: Default::default(),
            c_rem: Default::default(),
            c_quo: Default::default(),
            t: Default::default(),
            dsub: Default::default(),
            q1: Default::default(),
        }
    }
}

impl<
        const WI: usize,
        const WTA: usize,
        const WX: usize,
        const WS: usize,
        const WR: usize,
        const WQ: usize,
        const WO: usize,
        const WI1: usize,
        const WR1: usize,
    > Logic for BaseLane<WI, WTA, WX, WS, WR, WQ, WO, WI1, WR1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, zero2, d2, y_out);
        self.exp_rom.clock.next = self.clock.val();
        // S1 -> S2: d = max - xb, the table read
        self.d.next = self.max.val() - (self.x.val() ^ self.sign.val());
        self.d_wide.next = bit_cast::<WI1, WI>(self.d.val());
        if self.adv.val() {
            self.d2.d.next = self.d.val();
            self.zero2.d.next = self.masked.val() | (self.d_wide.val() > self.table_last.val());
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
        self.e.next = bit_cast::<WS, WX>(self.e2.val());

        // pass 3: restoring division q = floor(e * 2^(FO+1) / S), one quotient bit per stage
        self.c_rem.next = bit_cast::<WR, WX>(self.e2.val());
        self.c_quo.next = 0.into();
        for i in 0..self.rem.len() {
            self.rem[i].clock.next = self.clock.val();
            self.quo[i].clock.next = self.clock.val();
            self.rem[i].d.next = self.rem[i].q.val();
            self.quo[i].d.next = self.quo[i].q.val();
            // stage 0 compares e itself; later stages the doubled remainder
            if i == 0 {
                self.t.next = self.c_rem.val();
            } else {
                self.t.next = self.c_rem.val() << 1;
            }
            // t >= S iff t - S (WR + 1 bits) does not borrow: one subtractor decides and
            // gives the remainder
            self.dsub.next = bit_cast::<WR1, WR>(self.t.val()) - bit_cast::<WR1, WR>(self.s.val());
            if self.adv.val() {
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
        }
        // y = min((q + 1) >> 1, y_max)
        self.q1.next = (self.c_quo.val() + 1) >> 1;
        if self.adv.val() {
            if self.q1.val() > self.y_max.val() {
                self.y_out.d.next = bit_cast::<WO, WQ>(self.y_max.val());
            } else {
                self.y_out.d.next = bit_cast::<WO, WQ>(self.q1.val());
            }
        }
        self.y.next = self.y_out.q.val();
    }
}

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
    const WIP: usize,
    const WU: usize,
    const WBP: usize,
    const WOP: usize,
> {
    pub aclk: Signal<In, Clock>,
    pub aresetn: Signal<In, bool>,
    /// lane j in bits [j*WI, (j+1)*WI)
    pub s_axis_tdata: Signal<In, Bits<WIP>>,
    pub s_axis_tuser: Signal<In, Bits<WU>>,
    /// lanes > 1 only: the lanes of a row's last beat that hold an element
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
    front: RowFront<WBP, WA, WL, WU>,
    /// the input beat's lanes and mask bits; the beat max's tree (`l1`: lanes (2i, 2i+1), ...)
    xl: Vec<Lane<WI, WIP>>,
    ml: Vec<Lane<1, WU>>,
    /// at one lane: one node that turns the element into offset binary
    l0: Vec<MaxNode<WI>>,
    l1: Vec<MaxNode<WI>>,
    l2: Vec<MaxNode<WI>>,
    l3: Vec<MaxNode<WI>>,
    l4: Vec<MaxNode<WI>>,
    l5: Vec<MaxNode<WI>>,
    /// the row buffer's word (mask bits above the elements) and its lanes
    word: Pack<WU, WBP>,
    rxl: Vec<Lane<WI, WBP>>,
    rml: Vec<Lane<1, WBP>>,
    lane: Vec<BaseLane<WI, WTA, WX, WS, WR, WQ, WO, WI1, WR1>>,
    /// each lane's part of the exact sum
    lsum: Vec<LaneSum<WS>>,
    pack: Vec<Pack<WO, WOP>>,
    /// the sum's adder tree over the lanes
    a1: Vec<AddNode<WS>>,
    a2: Vec<AddNode<WS>>,
    a3: Vec<AddNode<WS>>,
    a4: Vec<AddNode<WS>>,
    a5: Vec<AddNode<WS>>,
    /// the trees' roots: one lane, or the one node of level n
    root0: Vec<When>,
    root1: Vec<When>,
    root2: Vec<When>,
    root3: Vec<When>,
    root4: Vec<When>,
    root5: Vec<When>,
    lanes_io: Vec<When>,
    keep_r: Vec<DFF<Bits<WU>>>,
    state: DFF<Bits<2>>,
    /// Wait: cycles left until the adder tree's sum is final
    wait_n: DFF<Bits<3>>,
    /// the row in the pass-2 side: length in beats, bank, max (taken at the handoff)
    len: DFF<Bits<WL>>,
    bank: DFF<bool>,
    max2: DFF<Bits<WI>>,
    /// the running max of the row streaming in
    max: DFF<Bits<WI>>,
    /// an unmasked element of the row streaming in has reached the max
    seen: DFF<bool>,
    idx: DFF<Bits<WL>>,
    v1: DFF<bool>,
    l1v: DFF<bool>,
    v2: DFF<bool>,
    l2v: DFF<bool>,
    dv: Vec<DFF<bool>>,
    dl: Vec<DFF<bool>>,
    v_out: DFF<bool>,
    l_out: DFF<bool>,
    st_idle: Constant<Bits<2>>,
    st_sum: Constant<Bits<2>>,
    st_out: Constant<Bits<2>>,
    st_wait: Constant<Bits<2>>,
    tree_wait: Constant<Bits<3>>,
    /// per lane: masked, or no element in the lane (a partial last beat)
    ms: Signal<Local, Bits<WU>>,
    /// the beat's max (offset binary) and whether it has an unmasked element
    bmax: Signal<Local, Bits<WI>>,
    bany: Signal<Local, bool>,
    total: Signal<Local, Bits<WS>>,
    adv: Signal<Local, bool>,
    issue: Signal<Local, bool>,
    idx_next: Signal<Local, Bits<WL>>,
    c_v: Signal<Local, bool>,
    c_l: Signal<Local, bool>,
    s_wide: Signal<Local, Bits<WR>>,
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
        const WIP: usize,
        const WU: usize,
        const WBP: usize,
        const WOP: usize,
    > BaselineUnit<WI, WA, WL, WTA, WX, WS, WR, WQ, WO, WI1, WR1, WIP, WU, WBP, WOP>
{
    pub fn new(b: &BaselineParams) -> Self {
        let lanes = b.lanes as usize;
        let levels = b.lp as usize;
        assert_eq!(
            [WI, WA, WL, WTA, WX, WS, WR, WQ, WO, WR1, WIP, WU, WBP, WOP],
            [
                b.input.bits as usize,
                (b.wa - b.lp) as usize,
                (b.wa - b.lp) as usize + 1,
                b.wta as usize,
                b.fx as usize + 1,
                b.ws as usize,
                b.ws as usize + 1,
                b.output.frac as usize + 2,
                b.output.bits as usize,
                b.ws as usize + 2,
                b.input.bits as usize * lanes,
                lanes,
                (b.input.bits as usize + 1) * lanes,
                b.output.bits as usize * lanes,
            ]
        );
        let max_level = |n: usize| (0..if n <= levels { lanes >> n } else { 0 }).map(|_| MaxNode::new(n == 1)).collect::<Vec<_>>();
        let add_level = |n: usize| (0..if n <= levels { lanes >> n } else { 0 }).map(|_| AddNode::default()).collect::<Vec<_>>();
        let stages = b.output.frac as usize + 2;
        Self {
            aclk: Default::default(),
            aresetn: Default::default(),
            s_axis_tdata: Default::default(),
            s_axis_tuser: Default::default(),
            s_axis_tkeep: OptPort::new(lanes > 1),
            s_axis_tvalid: Default::default(),
            s_axis_tlast: Default::default(),
            s_axis_tready: Default::default(),
            m_axis_tdata: Default::default(),
            m_axis_tkeep: OptPort::new(lanes > 1),
            m_axis_tvalid: Default::default(),
            m_axis_tlast: Default::default(),
            m_axis_tready: Default::default(),
            front: RowFront::new(b.max_len / b.lanes, false),
            xl: (0..lanes).map(Lane::nth).collect(),
            ml: (0..lanes).map(Lane::nth).collect(),
            l0: (0..(levels == 0) as usize).map(|_| MaxNode::new(true)).collect(),
            l1: max_level(1),
            l2: max_level(2),
            l3: max_level(3),
            l4: max_level(4),
            l5: max_level(5),
            word: Pack::new(WIP),
            rxl: (0..lanes).map(Lane::nth).collect(),
            rml: (0..lanes).map(|j| Lane::new(WIP + j)).collect(),
            lane: (0..lanes).map(|_| BaseLane::new(b)).collect(),
            lsum: (0..lanes).map(|_| Default::default()).collect(),
            pack: (0..lanes).map(Pack::nth).collect(),
            a1: add_level(1),
            a2: add_level(2),
            a3: add_level(3),
            a4: add_level(4),
            a5: add_level(5),
            root0: When::iff(levels == 0),
            root1: When::iff(levels == 1),
            root2: When::iff(levels == 2),
            root3: When::iff(levels == 3),
            root4: When::iff(levels == 4),
            root5: When::iff(levels == 5),
            lanes_io: When::iff(lanes > 1),
            keep_r: (0..(lanes > 1) as usize).map(|_| Default::default()).collect(),
            state: Default::default(),
            wait_n: Default::default(),
            len: Default::default(),
            bank: Default::default(),
            max2: Default::default(),
            max: Default::default(),
            seen: Default::default(),
            idx: Default::default(),
            v1: Default::default(),
            l1v: Default::default(),
            v2: Default::default(),
            l2v: Default::default(),
            dv: (0..stages).map(|_| Default::default()).collect(),
            dl: (0..stages).map(|_| Default::default()).collect(),
            v_out: Default::default(),
            l_out: Default::default(),
            st_idle: konst(IDLE),
            st_sum: konst(SUM),
            st_out: konst(OUT),
            st_wait: konst(WAIT),
            tree_wait: konst(levels.saturating_sub(1) as u64),
            ms: Default::default(),
            bmax: Default::default(),
            bany: Default::default(),
            total: Default::default(),
            adv: Default::default(),
            issue: Default::default(),
            idx_next: Default::default(),
            c_v: Default::default(),
            c_l: Default::default(),
            s_wide: Default::default(),
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
        const WIP: usize,
        const WU: usize,
        const WBP: usize,
        const WOP: usize,
    > Logic for BaselineUnit<WI, WA, WL, WTA, WX, WS, WR, WQ, WO, WI1, WR1, WIP, WU, WBP, WOP>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, aclk, state, wait_n, len, bank, max2, max, seen, idx, v1, l1v, v2, l2v, v_out, l_out);
        self.front.clock.next = self.aclk.val();
        // every reset reads the port itself: a local copy joins the top's statements into one
        // process in Verilator's eyes (UNOPTFLAT loops through the children)
        self.front.reset.next = !self.aresetn.val();
        self.adv.next = !self.v_out.q.val() | self.m_axis_tready.val();

        // pass 1: exact max of the beat's unmasked elements, the beat stored. A lane of a
        // row's last beat without an element (tkeep 0) is a masked one
        self.front.tvalid.next = self.s_axis_tvalid.val();
        self.front.tlast.next = self.s_axis_tlast.val();
        self.s_axis_tready.next = self.front.tready.val();
        self.ms.next = self.s_axis_tuser.val();
        for _i in 0..self.lanes_io.len() {
            self.front.tkeep.next = self.s_axis_tkeep.val();
            if self.s_axis_tlast.val() {
                self.ms.next = self.s_axis_tuser.val() | !self.s_axis_tkeep.val();
            }
        }
        self.word.acc.next = bit_cast::<WBP, WIP>(self.s_axis_tdata.val());
        self.word.x.next = self.ms.val();
        self.front.wdata.next = self.word.out.val();
        for j in 0..self.xl.len() {
            self.xl[j].bus.next = self.s_axis_tdata.val();
            self.ml[j].bus.next = self.ms.val();
        }
        // the beat max: a tree over the lanes (combinational), offset binary from level 1 on
        for i in 0..self.l0.len() {
            self.l0[i].a.next = self.xl[0].x.val();
            self.l0[i].va.next = !self.ml[0].x.val().any();
            self.l0[i].b.next = self.xl[0].x.val();
            self.l0[i].vb.next = false;
        }
        for i in 0..self.l1.len() {
            self.l1[i].a.next = self.xl[2 * i].x.val();
            self.l1[i].va.next = !self.ml[2 * i].x.val().any();
            self.l1[i].b.next = self.xl[2 * i + 1].x.val();
            self.l1[i].vb.next = !self.ml[2 * i + 1].x.val().any();
        }
        for i in 0..self.l2.len() {
            self.l2[i].a.next = self.l1[2 * i].m.val();
            self.l2[i].va.next = self.l1[2 * i].v.val();
            self.l2[i].b.next = self.l1[2 * i + 1].m.val();
            self.l2[i].vb.next = self.l1[2 * i + 1].v.val();
        }
        for i in 0..self.l3.len() {
            self.l3[i].a.next = self.l2[2 * i].m.val();
            self.l3[i].va.next = self.l2[2 * i].v.val();
            self.l3[i].b.next = self.l2[2 * i + 1].m.val();
            self.l3[i].vb.next = self.l2[2 * i + 1].v.val();
        }
        for i in 0..self.l4.len() {
            self.l4[i].a.next = self.l3[2 * i].m.val();
            self.l4[i].va.next = self.l3[2 * i].v.val();
            self.l4[i].b.next = self.l3[2 * i + 1].m.val();
            self.l4[i].vb.next = self.l3[2 * i + 1].v.val();
        }
        for i in 0..self.l5.len() {
            self.l5[i].a.next = self.l4[2 * i].m.val();
            self.l5[i].va.next = self.l4[2 * i].v.val();
            self.l5[i].b.next = self.l4[2 * i + 1].m.val();
            self.l5[i].vb.next = self.l4[2 * i + 1].v.val();
        }
        for _i in 0..self.root0.len() {
            self.bmax.next = self.l0[0].m.val();
            self.bany.next = self.l0[0].v.val();
        }
        for _i in 0..self.root1.len() {
            self.bmax.next = self.l1[0].m.val();
            self.bany.next = self.l1[0].v.val();
        }
        for _i in 0..self.root2.len() {
            self.bmax.next = self.l2[0].m.val();
            self.bany.next = self.l2[0].v.val();
        }
        for _i in 0..self.root3.len() {
            self.bmax.next = self.l3[0].m.val();
            self.bany.next = self.l3[0].v.val();
        }
        for _i in 0..self.root4.len() {
            self.bmax.next = self.l4[0].m.val();
            self.bany.next = self.l4[0].v.val();
        }
        for _i in 0..self.root5.len() {
            self.bmax.next = self.l5[0].m.val();
            self.bany.next = self.l5[0].v.val();
        }
        // the max of the unmasked elements; the row's first unmasked one starts it
        if self.front.accept.val() {
            self.seen.d.next = self.bany.val() | (self.seen.q.val() & (self.front.index.val() != 0));
        }
        if self.front.accept.val()
            & self.bany.val()
            & ((self.front.index.val() == 0) | !self.seen.q.val() | (self.bmax.val() > self.max.q.val()))
        {
            self.max.d.next = self.bmax.val();
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
            self.state.d.next = self.st_sum.val();
        }
        for i in 0..self.keep_r.len() {
            self.keep_r[i].clock.next = self.aclk.val();
            self.keep_r[i].d.next = self.keep_r[i].q.val();
            if self.front.handoff.val() {
                self.keep_r[i].d.next = self.front.keep.val();
            }
            if self.l_out.q.val() {
                self.m_axis_tkeep.next = self.keep_r[i].q.val();
            } else {
                // all lanes (x | ~x: a constant would be an unused localparam at one lane)
                self.m_axis_tkeep.next = self.keep_r[i].q.val() | !self.keep_r[i].q.val();
            }
        }

        // passes 2 and 3 share the read-back front: idx -> RAM -> per lane table(m - xb)
        self.issue.next = ((self.state.q.val() == self.st_sum.val()) | (self.state.q.val() == self.st_out.val()))
            & (self.idx.q.val() != self.len.q.val())
            & self.adv.val();
        self.idx_next.next = self.idx.q.val() + 1;
        if self.issue.val() {
            self.idx.d.next = self.idx_next.val();
        }
        self.front.rbank.next = self.bank.q.val();
        self.front.ridx.next = self.idx.q.val();
        self.front.ren.next = self.adv.val();
        if self.adv.val() {
            self.v1.d.next = self.issue.val();
            self.l1v.d.next = self.issue.val() & (self.idx_next.val() == self.len.q.val());
            self.v2.d.next = self.v1.q.val();
            self.l2v.d.next = self.l1v.q.val();
        }
        for j in 0..self.lane.len() {
            self.rxl[j].bus.next = self.front.rdata.val();
            self.rml[j].bus.next = self.front.rdata.val();
            self.lane[j].clock.next = self.aclk.val();
            self.lane[j].adv.next = self.adv.val();
            self.lane[j].x.next = self.rxl[j].x.val();
            self.lane[j].masked.next = self.rml[j].x.val().any();
            self.lane[j].max.next = self.max2.q.val();
            // pass 2: this lane's part of the exact sum, cleared at the handoff
            self.lsum[j].clock.next = self.aclk.val();
            self.lsum[j].en.next = (self.state.q.val() == self.st_sum.val()) & self.v2.q.val();
            self.lsum[j].clear.next = self.front.handoff.val();
            self.lsum[j].x.next = self.lane[j].e.val();
            self.pack[j].x.next = self.lane[j].y.val();
        }
        self.pack[0].acc.next = 0.into();
        for j in 1..self.pack.len() {
            self.pack[j].acc.next = self.pack[j - 1].out.val();
        }
        for j in (self.pack.len() - 1)..self.pack.len() {
            self.m_axis_tdata.next = self.pack[j].out.val();
        }
        // the sum over the lanes: a registered adder tree, final log2 P cycles after the
        // lanes' sums (in Wait)
        for i in 0..self.a1.len() {
            self.a1[i].clock.next = self.aclk.val();
            self.a1[i].a.next = self.lsum[2 * i].sum.val();
            self.a1[i].b.next = self.lsum[2 * i + 1].sum.val();
        }
        for i in 0..self.a2.len() {
            self.a2[i].clock.next = self.aclk.val();
            self.a2[i].a.next = self.a1[2 * i].s.val();
            self.a2[i].b.next = self.a1[2 * i + 1].s.val();
        }
        for i in 0..self.a3.len() {
            self.a3[i].clock.next = self.aclk.val();
            self.a3[i].a.next = self.a2[2 * i].s.val();
            self.a3[i].b.next = self.a2[2 * i + 1].s.val();
        }
        for i in 0..self.a4.len() {
            self.a4[i].clock.next = self.aclk.val();
            self.a4[i].a.next = self.a3[2 * i].s.val();
            self.a4[i].b.next = self.a3[2 * i + 1].s.val();
        }
        for i in 0..self.a5.len() {
            self.a5[i].clock.next = self.aclk.val();
            self.a5[i].a.next = self.a4[2 * i].s.val();
            self.a5[i].b.next = self.a4[2 * i + 1].s.val();
        }
        for _i in 0..self.root0.len() {
            self.total.next = self.lsum[0].sum.val();
        }
        for _i in 0..self.root1.len() {
            self.total.next = self.a1[0].s.val();
        }
        for _i in 0..self.root2.len() {
            self.total.next = self.a2[0].s.val();
        }
        for _i in 0..self.root3.len() {
            self.total.next = self.a3[0].s.val();
        }
        for _i in 0..self.root4.len() {
            self.total.next = self.a4[0].s.val();
        }
        for _i in 0..self.root5.len() {
            self.total.next = self.a5[0].s.val();
        }

        // S = 0 only in a row with every element masked (each e = 0): divide by 1, q = 0
        if self.total.val() == 0 {
            self.s_wide.next = 1.into();
        } else {
            self.s_wide.next = bit_cast::<WR, WS>(self.total.val());
        }
        for j in 0..self.lane.len() {
            self.lane[j].s.next = self.s_wide.val();
        }
        // pass 2 ends with the row's last beat summed; at one lane pass 3 starts at once,
        // else after log2 P cycles of Wait (the adder tree)
        if (self.state.q.val() == self.st_sum.val()) & self.v2.q.val() & self.l2v.q.val() {
            self.idx.d.next = 0.into();
            self.state.d.next = self.st_out.val();
            self.wait_n.d.next = self.tree_wait.val();
            for _i in 0..self.lanes_io.len() {
                self.state.d.next = self.st_wait.val();
            }
        }
        if self.state.q.val() == self.st_wait.val() {
            self.wait_n.d.next = self.wait_n.q.val() - 1;
            if self.wait_n.q.val() == 0 {
                self.state.d.next = self.st_out.val();
            }
        }

        // pass 3: the lanes' dividers; their valid and last bits travel here
        self.c_v.next = self.v2.q.val() & (self.state.q.val() == self.st_out.val());
        self.c_l.next = self.l2v.q.val();
        for i in 0..self.dv.len() {
            self.dv[i].clock.next = self.aclk.val();
            self.dl[i].clock.next = self.aclk.val();
            self.dv[i].d.next = self.dv[i].q.val();
            self.dl[i].d.next = self.dl[i].q.val();
            if self.adv.val() {
                self.dv[i].d.next = self.c_v.val();
                self.dl[i].d.next = self.c_l.val();
            }
            self.c_v.next = self.dv[i].q.val();
            self.c_l.next = self.dl[i].q.val();
        }
        if self.adv.val() {
            self.v_out.d.next = self.c_v.val();
            self.l_out.d.next = self.c_l.val();
        }
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
