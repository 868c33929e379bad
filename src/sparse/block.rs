//! rust-hdl blocks of the pass-1 side of sparse selection (see `model.rs` for the rules).
//! Both take the accepted input element (x, valid, first, idx, masked) in the cycle of its
//! handshake, register it, and hold their per-row result until the next row starts. A
//! masked element takes no slot of the top-k array and adds nothing to the statistics
//! (L counts the unmasked elements); a masked first element still starts the row.
//!
//! Values are compared in WX = WI + 2 bit offset binary: xo = x + 2^(WX-1), so that
//! max - theta and the thresholds never wrap and unsigned comparison is signed order.

use crate::hw::{konst, Mul, OptPort, SyncRom, When};
use crate::params::UnitParams;
use rust_hdl_core::prelude::*;
use rust_hdl_widgets::prelude::*;

/// Exact top-k: a sorted insertion array of K (value, index) registers, one element per
/// cycle. A new element goes in front of the first slot it beats (strictly greater value or
/// an empty slot: equal values stay in index order), the slots behind it shift down and the
/// last one falls out. After a row, slot K-1 holds the k-th largest (t, i_max); `full` is
/// low when the row had fewer than K elements (every element is kept; with exactly K, slot
/// K-1 holds the smallest and every element passes the rule too).
/// With several lanes each lane has its own array; `pop` (between rows) moves every slot
/// up by one and empties the last, so that the lanes' lists can be merged at the row's end.
#[derive(LogicBlock)]
pub struct TopK<const WI: usize, const WX: usize, const WL: usize> {
    pub clock: Signal<In, Clock>,
    pub x: Signal<In, Bits<WI>>,
    pub valid: Signal<In, bool>,
    pub first: Signal<In, bool>,
    pub idx: Signal<In, Bits<WL>>,
    pub masked: Signal<In, bool>,
    /// one lane: the row's (t, i_max) and whether it had K elements
    pub t: OptPort<Out, Bits<WX>>,
    pub i_max: OptPort<Out, Bits<WL>>,
    pub full: OptPort<Out, bool>,
    /// several lanes: slot 0 (the lane's largest: its list's head), and the pop
    pub head_x: OptPort<Out, Bits<WX>>,
    pub head_i: OptPort<Out, Bits<WL>>,
    pub head_v: OptPort<Out, bool>,
    pub pop: OptPort<In, bool>,
    one_lane: Vec<When>,
    lanes: Vec<When>,
    xr: DFF<Bits<WX>>,
    ir: DFF<Bits<WL>>,
    vr: DFF<bool>,
    fr: DFF<bool>,
    mr: DFF<bool>,
    sx: Vec<DFF<Bits<WX>>>,
    si: Vec<DFF<Bits<WL>>>,
    sv: Vec<DFF<bool>>,
    sign: Constant<Bits<WI>>,
    to_wx: Constant<Bits<WX>>,
}

impl<const WI: usize, const WX: usize, const WL: usize> TopK<WI, WX, WL> {
    /// `merged`: one of several lanes (the head and pop ports), else the unit's only list.
    pub fn new(k: usize, merged: bool) -> Self {
        assert_eq!(WX, WI + 2);
        Self {
            clock: Default::default(),
            x: Default::default(),
            valid: Default::default(),
            first: Default::default(),
            idx: Default::default(),
            masked: Default::default(),
            t: OptPort::new(!merged),
            i_max: OptPort::new(!merged),
            full: OptPort::new(!merged),
            head_x: OptPort::new(merged),
            head_i: OptPort::new(merged),
            head_v: OptPort::new(merged),
            pop: OptPort::new(merged),
            one_lane: When::iff(!merged),
            lanes: When::iff(merged),
            xr: Default::default(),
            ir: Default::default(),
            vr: Default::default(),
            fr: Default::default(),
            mr: Default::default(),
            sx: (0..k).map(|_| Default::default()).collect(),
            si: (0..k).map(|_| Default::default()).collect(),
            sv: (0..k).map(|_| Default::default()).collect(),
            sign: konst(1 << (WI - 1)),
            to_wx: konst(3 << (WI - 1)),
        }
    }
}

impl<const WI: usize, const WX: usize, const WL: usize> Logic for TopK<WI, WX, WL> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, xr, ir, vr, fr, mr);
        for j in 0..self.sx.len() {
            self.sx[j].clock.next = self.clock.val();
            self.si[j].clock.next = self.clock.val();
            self.sv[j].clock.next = self.clock.val();
            self.sx[j].d.next = self.sx[j].q.val();
            self.si[j].d.next = self.si[j].q.val();
            self.sv[j].d.next = self.sv[j].q.val();
        }
        // input stage: x in WX-bit offset binary = (x ^ sign) + 3 * 2^(WI-1)
        self.xr.d.next = bit_cast::<WX, WI>(self.x.val() ^ self.sign.val()) + self.to_wx.val();
        self.ir.d.next = self.idx.val();
        self.vr.d.next = self.valid.val();
        self.fr.d.next = self.first.val();
        self.mr.d.next = self.masked.val();
        // a masked first element empties the array; other masked elements leave it alone
        if self.vr.q.val() & self.mr.q.val() & self.fr.q.val() {
            for j in 0..self.sv.len() {
                self.sv[j].d.next = false;
            }
        }
        // insertion: slot j beats = empty or strictly smaller than the new value
        if self.vr.q.val() & !self.mr.q.val() {
            if self.fr.q.val() | !self.sv[0].q.val() | (self.xr.q.val() > self.sx[0].q.val()) {
                self.sx[0].d.next = self.xr.q.val();
                self.si[0].d.next = self.ir.q.val();
                self.sv[0].d.next = true;
            }
            for j in 1..self.sx.len() {
                if self.fr.q.val() {
                    self.sv[j].d.next = false;
                } else if !self.sv[j].q.val() | (self.xr.q.val() > self.sx[j].q.val()) {
                    if !self.sv[j - 1].q.val() | (self.xr.q.val() > self.sx[j - 1].q.val()) {
                        // the new element goes in front: shift slot j-1 down
                        self.sx[j].d.next = self.sx[j - 1].q.val();
                        self.si[j].d.next = self.si[j - 1].q.val();
                        self.sv[j].d.next = self.sv[j - 1].q.val();
                    } else {
                        self.sx[j].d.next = self.xr.q.val();
                        self.si[j].d.next = self.ir.q.val();
                        self.sv[j].d.next = true;
                    }
                }
            }
        }
        // pop (no element arrives between rows): every slot moves up, the last empties
        for _i in 0..self.lanes.len() {
            if self.pop.val() {
                for j in 1..self.sx.len() {
                    self.sx[j - 1].d.next = self.sx[j].q.val();
                    self.si[j - 1].d.next = self.si[j].q.val();
                    self.sv[j - 1].d.next = self.sv[j].q.val();
                }
                for j in (self.sx.len() - 1)..self.sx.len() {
                    self.sv[j].d.next = false;
                }
            }
            self.head_x.next = self.sx[0].q.val();
            self.head_i.next = self.si[0].q.val();
            self.head_v.next = self.sv[0].q.val();
        }
        for _i in 0..self.one_lane.len() {
            for j in (self.sx.len() - 1)..self.sx.len() {
                self.t.next = self.sx[j].q.val();
                self.i_max.next = self.si[j].q.val();
                self.full.next = self.sv[j].q.val();
            }
        }
    }
}

/// One lane's statistics for stat_topk: S1 = sum x (two's complement, WS1 bits), S2 = sum
/// x^2 (unsigned, WS2 bits) and L = the count of unmasked elements (WL bits), accumulated
/// behind the handshake (S1 and L one stage, S2 two: final three cycles after the row's
/// last element). `fold` (between rows, nothing in flight) loads (fs1, fs2, fl): the lanes'
/// sums are added pairwise into the low lanes, so lane 0 ends with the row's.
#[derive(LogicBlock)]
pub struct StatAcc<const WI: usize, const WL: usize, const WS1: usize, const WS2: usize, const WXX: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    pub x: Signal<In, Bits<WI>>,
    pub valid: Signal<In, bool>,
    pub first: Signal<In, bool>,
    pub masked: Signal<In, bool>,
    pub fold: Signal<In, bool>,
    pub fs1: Signal<In, Bits<WS1>>,
    pub fs2: Signal<In, Bits<WS2>>,
    pub fl: Signal<In, Bits<WL>>,
    pub s1: Signal<Out, Bits<WS1>>,
    pub s2: Signal<Out, Bits<WS2>>,
    pub n: Signal<Out, Bits<WL>>,
    sq: Mul<WI, WI, WXX>,
    xr: DFF<Bits<WI>>,
    vr: DFF<bool>,
    fr: DFF<bool>,
    mr: DFF<bool>,
    n_r: DFF<Bits<WL>>,
    s1_r: DFF<Bits<WS1>>,
    sq_r: DFF<Bits<WXX>>,
    vr2: DFF<bool>,
    fr2: DFF<bool>,
    s2_r: DFF<Bits<WS2>>,
    sign: Constant<Bits<WI>>,
    half_wi: Constant<Bits<WS1>>,
    xabs: Signal<Local, Bits<WI>>,
}

impl<const WI: usize, const WL: usize, const WS1: usize, const WS2: usize, const WXX: usize> Default for StatAcc<WI, WL, WS1, WS2, WXX> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            x: Default::default(),
            valid: Default::default(),
            first: Default::default(),
            masked: Default::default(),
            fold: Default::default(),
            fs1: Default::default(),
            fs2: Default::default(),
            fl: Default::default(),
            s1: Default::default(),
            s2: Default::default(),
            n: Default::default(),
            sq: Default::default(),
            xr: Default::default(),
            vr: Default::default(),
            fr: Default::default(),
            mr: Default::default(),
            n_r: Default::default(),
            s1_r: Default::default(),
            sq_r: Default::default(),
            vr2: Default::default(),
            fr2: Default::default(),
            s2_r: Default::default(),
            sign: konst(1 << (WI - 1)),
            half_wi: konst(1 << (WI - 1)),
            xabs: Default::default(),
        }
    }
}

impl<const WI: usize, const WL: usize, const WS1: usize, const WS2: usize, const WXX: usize> Logic for StatAcc<WI, WL, WS1, WS2, WXX> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, xr, vr, fr, mr, n_r, s1_r, sq_r, vr2, fr2, s2_r);
        // a masked element enters as x = 0: it adds 0 to S1 and S2, and L does not count it
        if self.masked.val() {
            self.xr.d.next = 0.into();
        } else {
            self.xr.d.next = self.x.val();
        }
        self.vr.d.next = self.valid.val() & !self.reset.val();
        self.fr.d.next = self.first.val();
        self.mr.d.next = self.masked.val();
        if self.vr.q.val() {
            if self.fr.q.val() & self.mr.q.val() {
                self.n_r.d.next = 0.into();
            } else if self.fr.q.val() {
                self.n_r.d.next = 1.into();
            } else if !self.mr.q.val() {
                self.n_r.d.next = self.n_r.q.val() + 1;
            }
        }
        if self.xr.q.val() >= self.sign.val() {
            self.xabs.next = self.sign.val() - (self.xr.q.val() ^ self.sign.val());
        } else {
            self.xabs.next = self.xr.q.val();
        }
        self.sq.a.next = self.xabs.val();
        self.sq.b.next = self.xabs.val();
        if self.vr.q.val() {
            if self.fr.q.val() {
                // sign extension through offset binary: (x ^ sign) - 2^(WI-1)
                self.s1_r.d.next = bit_cast::<WS1, WI>(self.xr.q.val() ^ self.sign.val()) - self.half_wi.val();
            } else {
                self.s1_r.d.next = self.s1_r.q.val() + bit_cast::<WS1, WI>(self.xr.q.val() ^ self.sign.val()) - self.half_wi.val();
            }
        }
        // x^2 is registered before it is summed (two stages behind the handshake)
        self.sq_r.d.next = self.sq.p.val();
        self.vr2.d.next = self.vr.q.val() & !self.reset.val();
        self.fr2.d.next = self.fr.q.val();
        if self.vr2.q.val() {
            if self.fr2.q.val() {
                self.s2_r.d.next = bit_cast::<WS2, WXX>(self.sq_r.q.val());
            } else {
                self.s2_r.d.next = self.s2_r.q.val() + bit_cast::<WS2, WXX>(self.sq_r.q.val());
            }
        }
        if self.fold.val() {
            self.s1_r.d.next = self.fs1.val();
            self.s2_r.d.next = self.fs2.val();
            self.n_r.d.next = self.fl.val();
        }
        self.s1.next = self.s1_r.q.val();
        self.s2.next = self.s2_r.q.val();
        self.n.next = self.n_r.q.val();
    }
}

/// Statistical top-k (Spark Transformer): the threshold unit, once per row after `start`,
/// from the row's S1, S2 and L ([`StatAcc`], held from the row's end until `done`):
///
/// ```text
///  ABS : |S1|                                 (every step registered: no long paths)
///  MUL1: L*S2, |S1|^2                         (two multipliers)
///  MUL2: V = L*S2 - S1^2                      (exact, WV bits)
///  SQRT: R = floor(sqrt(V))                   (restoring, one root bit per cycle, WR cycles)
///  ZMUL: |z_q[L]| * R                         (z_q from a ROM indexed by L)
///  NSUM: N = S1 * 2^FZ +- |z_q| * R
///  NABS: |N|, sign of N
///  DIV : q = floor(|N| / (L * 2^FZ)), rem     (restoring, QB = WI + 1 quotient bits)
///  FIN : t = N >= 0 ? q + (rem != 0) : -q     (= ceil(N / (L 2^FZ))), clamped to
///        [min code, max code + 1]; t below every code when L <= k
/// ```
/// `done` pulses when `t` (WX-bit offset binary) is valid; it holds until the next start.
/// Cycles from start to done: 8 + WR + QB ([`stat_cycles`]).
#[derive(LogicBlock)]
pub struct Stat<
    const WI: usize,
    const WA: usize,
    const WL: usize,
    const WX: usize,
    const WS1: usize,
    const WS2: usize,
    const WXX: usize,
    const WLS2: usize,
    const WSQ: usize,
    const WV: usize,
    const WR: usize,
    const WRQ: usize,
    const WZR: usize,
    const WM: usize,
    const QB: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, bool>,
    /// the row's S1, S2 and L (the count of unmasked elements)
    pub s1: Signal<In, Bits<WS1>>,
    pub s2: Signal<In, Bits<WS2>>,
    pub len: Signal<In, Bits<WL>>,
    pub start: Signal<In, bool>,
    pub t: Signal<Out, Bits<WX>>,
    pub done: Signal<Out, bool>,
    /// z_q[L] at address L - 1 (WA bits: L = 1..=max_len <= 2^WA; L = 0 reads a don't-care)
    zrom: SyncRom<16, WA>,
    mul_ls2: Mul<WL, WS2, WLS2>,
    mul_s1: Mul<WS1, WS1, WSQ>,
    mul_zr: Mul<16, WR, WZR>,
    state: DFF<Bits<4>>,
    s1abs_r: DFF<Bits<WS1>>,
    zabs_r: DFF<Bits<16>>,
    zneg_r: DFF<bool>,
    p_ls2_r: DFF<Bits<WLS2>>,
    p_s1_r: DFF<Bits<WSQ>>,
    p_zr_r: DFF<Bits<WZR>>,
    nval_r: DFF<Bits<WM>>,
    step: DFF<Bits<8>>,
    vsh: DFF<Bits<WV>>,
    rem: DFF<Bits<WRQ>>,
    root: DFF<Bits<WR>>,
    nneg: DFF<bool>,
    nrem: DFF<Bits<WM>>,
    dsh: DFF<Bits<WM>>,
    quo: DFF<Bits<QB>>,
    t_r: DFF<Bits<WX>>,
    done_r: DFF<bool>,
    sign_s1: Constant<Bits<WS1>>,
    sign_z: Constant<Bits<16>>,
    s1_off: Constant<Bits<WM>>,
    zero_m: Constant<Bits<WM>>,
    sign_m: Constant<Bits<WM>>,
    fz: Constant<Bits<WM>>,
    qb_m1: Constant<Bits<WM>>,
    sqrt_steps: Constant<Bits<8>>,
    div_steps: Constant<Bits<8>>,
    wv_m2: Constant<Bits<WV>>,
    k_len: Constant<Bits<WL>>,
    t_zero: Constant<Bits<WX>>,
    t_mag_max: Constant<Bits<WX>>,
    st_idle: Constant<Bits<4>>,
    st_abs: Constant<Bits<4>>,
    st_mul1: Constant<Bits<4>>,
    st_mul2: Constant<Bits<4>>,
    st_sqrt: Constant<Bits<4>>,
    st_zmul: Constant<Bits<4>>,
    st_nsum: Constant<Bits<4>>,
    st_nabs: Constant<Bits<4>>,
    st_div: Constant<Bits<4>>,
    st_fin: Constant<Bits<4>>,
    s1abs: Signal<Local, Bits<WS1>>,
    zabs: Signal<Local, Bits<16>>,
    rem2: Signal<Local, Bits<WRQ>>,
    trial: Signal<Local, Bits<WRQ>>,
    n_s1: Signal<Local, Bits<WM>>,
    n_val: Signal<Local, Bits<WM>>,
    mag: Signal<Local, Bits<WX>>,
}

impl<
        const WI: usize,
        const WA: usize,
        const WL: usize,
        const WX: usize,
        const WS1: usize,
        const WS2: usize,
        const WXX: usize,
        const WLS2: usize,
        const WSQ: usize,
        const WV: usize,
        const WR: usize,
        const WRQ: usize,
        const WZR: usize,
        const WM: usize,
        const QB: usize,
    > Stat<WI, WA, WL, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WR, WRQ, WZR, WM, QB>
{
    pub fn new(p: &UnitParams) -> Self {
        use crate::params::sparse::Z_FRAC;
        let sp = p.sparse.as_ref().expect("sparse parameters");
        assert_eq!((WL, WX, WS1, WS2, WXX), (WA + 1, WI + 2, WI + WA, 2 * WI + WA - 1, 2 * WI));
        assert_eq!((WLS2, WSQ, WV, WR, WRQ, WZR), (WL + WS2, 2 * WS1, 2 * WS1, WS1, WS1 + 4, 16 + WS1));
        assert_eq!((WM, QB), (WI + WA + 17, WI + 1));
        let z: Vec<u64> = sp.z.iter().map(|&v| (v as u64) & 0xffff).collect();
        Self {
            clock: Default::default(),
            reset: Default::default(),
            s1: Default::default(),
            s2: Default::default(),
            len: Default::default(),
            start: Default::default(),
            t: Default::default(),
            done: Default::default(),
            zrom: SyncRom::new(&z[1..]),
            mul_ls2: Default::default(),
            mul_s1: Default::default(),
            mul_zr: Default::default(),
            state: Default::default(),
            s1abs_r: Default::default(),
            zabs_r: Default::default(),
            zneg_r: Default::default(),
            p_ls2_r: Default::default(),
            p_s1_r: Default::default(),
            p_zr_r: Default::default(),
            nval_r: Default::default(),
            step: Default::default(),
            vsh: Default::default(),
            rem: Default::default(),
            root: Default::default(),
            nneg: Default::default(),
            nrem: Default::default(),
            dsh: Default::default(),
            quo: Default::default(),
            t_r: Default::default(),
            done_r: Default::default(),
            sign_s1: konst(1 << (WS1 - 1)),
            sign_z: konst(1 << 15),
            s1_off: konst(1 << (WS1 - 1 + Z_FRAC as usize)),
            zero_m: konst(0),
            sign_m: konst(1 << (WM - 1)),
            fz: konst(Z_FRAC as u64),
            qb_m1: konst((QB - 1) as u64),
            sqrt_steps: konst((WR - 1) as u64),
            div_steps: konst((QB - 1) as u64),
            wv_m2: konst((WV - 2) as u64),
            k_len: konst(sp.k as u64),
            t_zero: konst(1 << (WX - 1)),
            t_mag_max: konst(1 << (WI - 1)),
            st_idle: konst(0),
            st_abs: konst(1),
            st_mul1: konst(2),
            st_mul2: konst(3),
            st_sqrt: konst(4),
            st_zmul: konst(5),
            st_nsum: konst(6),
            st_nabs: konst(7),
            st_div: konst(8),
            st_fin: konst(9),
            s1abs: Default::default(),
            zabs: Default::default(),
            rem2: Default::default(),
            trial: Default::default(),
            n_s1: Default::default(),
            n_val: Default::default(),
            mag: Default::default(),
        }
    }
}

impl<
        const WI: usize,
        const WA: usize,
        const WL: usize,
        const WX: usize,
        const WS1: usize,
        const WS2: usize,
        const WXX: usize,
        const WLS2: usize,
        const WSQ: usize,
        const WV: usize,
        const WR: usize,
        const WRQ: usize,
        const WZR: usize,
        const WM: usize,
        const QB: usize,
    > Logic for Stat<WI, WA, WL, WX, WS1, WS2, WXX, WLS2, WSQ, WV, WR, WRQ, WZR, WM, QB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, s1abs_r, zabs_r, zneg_r, p_ls2_r, p_s1_r, p_zr_r, nval_r, step, vsh, rem, root, nneg, nrem, dsh, quo, t_r, done_r);
        self.zrom.clock.next = self.clock.val();
        self.zrom.address.next = bit_cast::<WA, WL>(self.len.val() - 1);

        // |S1| and |z| (the ROM word is two's complement)
        if self.s1.val() >= self.sign_s1.val() {
            self.s1abs.next = self.sign_s1.val() - (self.s1.val() ^ self.sign_s1.val());
        } else {
            self.s1abs.next = self.s1.val();
        }
        if self.zrom.data.val() >= self.sign_z.val() {
            self.zabs.next = self.sign_z.val() - (self.zrom.data.val() ^ self.sign_z.val());
        } else {
            self.zabs.next = self.zrom.data.val();
        }
        // |z| and its sign, registered every cycle (the ROM address L is stable from the row's
        // last element until done)
        self.zabs_r.d.next = self.zabs.val();
        self.zneg_r.d.next = self.zrom.data.val() >= self.sign_z.val();
        self.mul_ls2.a.next = self.len.val();
        self.mul_ls2.b.next = self.s2.val();
        self.mul_s1.a.next = self.s1abs_r.q.val();
        self.mul_s1.b.next = self.s1abs_r.q.val();
        self.mul_zr.a.next = self.zabs_r.q.val();
        self.mul_zr.b.next = self.root.q.val();

        // square root step: bring down the next two bits of V
        self.rem2.next = (self.rem.q.val() << 2) | bit_cast::<WRQ, WV>(self.vsh.q.val() >> self.wv_m2.val());
        self.trial.next = (bit_cast::<WRQ, WR>(self.root.q.val()) << 2) | 1;
        // S1 * 2^FZ in WM-bit two's complement: ((S1 ^ sign) << FZ) - 2^(WS1-1+FZ)
        self.n_s1.next = (bit_cast::<WM, WS1>(self.s1.val() ^ self.sign_s1.val()) << self.fz.val()) - self.s1_off.val();
        if self.zneg_r.q.val() {
            self.n_val.next = self.n_s1.val() - bit_cast::<WM, WZR>(self.p_zr_r.q.val());
        } else {
            self.n_val.next = self.n_s1.val() + bit_cast::<WM, WZR>(self.p_zr_r.q.val());
        }
        // |t| before clamping: q + (rem != 0) for N >= 0, q for N < 0
        if !self.nneg.q.val() & (self.nrem.q.val() != 0) {
            self.mag.next = bit_cast::<WX, QB>(self.quo.q.val()) + 1;
        } else {
            self.mag.next = bit_cast::<WX, QB>(self.quo.q.val());
        }

        self.done_r.d.next = false;
        if self.state.q.val() == self.st_abs.val() {
            self.s1abs_r.d.next = self.s1abs.val();
            self.state.d.next = self.st_mul1.val();
        }
        if self.state.q.val() == self.st_mul1.val() {
            self.p_ls2_r.d.next = self.mul_ls2.p.val();
            self.p_s1_r.d.next = self.mul_s1.p.val();
            self.state.d.next = self.st_mul2.val();
        }
        if self.state.q.val() == self.st_mul2.val() {
            // V = L*S2 - S1^2 >= 0 fits WV bits
            self.vsh.d.next = bit_cast::<WV, WLS2>(self.p_ls2_r.q.val()) - bit_cast::<WV, WSQ>(self.p_s1_r.q.val());
            self.rem.d.next = 0.into();
            self.root.d.next = 0.into();
            self.step.d.next = 0.into();
            self.state.d.next = self.st_sqrt.val();
        }
        if self.state.q.val() == self.st_sqrt.val() {
            if self.rem2.val() >= self.trial.val() {
                self.rem.d.next = self.rem2.val() - self.trial.val();
                self.root.d.next = (self.root.q.val() << 1) | 1;
            } else {
                self.rem.d.next = self.rem2.val();
                self.root.d.next = self.root.q.val() << 1;
            }
            self.vsh.d.next = self.vsh.q.val() << 2;
            self.step.d.next = self.step.q.val() + 1;
            if self.step.q.val() == self.sqrt_steps.val() {
                self.state.d.next = self.st_zmul.val();
            }
        }
        if self.state.q.val() == self.st_zmul.val() {
            self.p_zr_r.d.next = self.mul_zr.p.val();
            self.state.d.next = self.st_nsum.val();
        }
        if self.state.q.val() == self.st_nsum.val() {
            self.nval_r.d.next = self.n_val.val();
            self.state.d.next = self.st_nabs.val();
        }
        if self.state.q.val() == self.st_nabs.val() {
            // N in WM-bit two's complement; keep |N| and its sign; divisor (L << FZ) << (QB-1)
            self.nneg.d.next = self.nval_r.q.val() >= self.sign_m.val();
            if self.nval_r.q.val() >= self.sign_m.val() {
                self.nrem.d.next = self.zero_m.val() - self.nval_r.q.val();
            } else {
                self.nrem.d.next = self.nval_r.q.val();
            }
            self.dsh.d.next = bit_cast::<WM, WL>(self.len.val()) << (self.fz.val() + self.qb_m1.val());
            self.quo.d.next = 0.into();
            self.step.d.next = 0.into();
            self.state.d.next = self.st_div.val();
        }
        if self.state.q.val() == self.st_div.val() {
            if self.nrem.q.val() >= self.dsh.q.val() {
                self.nrem.d.next = self.nrem.q.val() - self.dsh.q.val();
                self.quo.d.next = (self.quo.q.val() << 1) | 1;
            } else {
                self.quo.d.next = self.quo.q.val() << 1;
            }
            self.dsh.d.next = self.dsh.q.val() >> 1;
            self.step.d.next = self.step.q.val() + 1;
            if self.step.q.val() == self.div_steps.val() {
                self.state.d.next = self.st_fin.val();
            }
        }
        if self.state.q.val() == self.st_fin.val() {
            // clamp |t| to 2^(WI-1): t in [min code, max code + 1]
            if self.len.val() <= self.k_len.val() {
                self.t_r.d.next = 0.into();
            } else if self.nneg.q.val() {
                if self.mag.val() > self.t_mag_max.val() {
                    self.t_r.d.next = self.t_zero.val() - self.t_mag_max.val();
                } else {
                    self.t_r.d.next = self.t_zero.val() - self.mag.val();
                }
            } else if self.mag.val() > self.t_mag_max.val() {
                self.t_r.d.next = self.t_zero.val() + self.t_mag_max.val();
            } else {
                self.t_r.d.next = self.t_zero.val() + self.mag.val();
            }
            self.done_r.d.next = true;
            self.state.d.next = self.st_idle.val();
        }
        if self.start.val() {
            self.state.d.next = self.st_abs.val();
        }
        if self.reset.val() {
            self.state.d.next = self.st_idle.val();
            self.done_r.d.next = false;
        }
        self.t.next = self.t_r.q.val();
        self.done.next = self.done_r.q.val();
    }
}

/// Cycles from the start of the stat_topk threshold unit to its result: 8 + WR + QB, with
/// the root's WR = WI + WA and the quotient's QB = WI + 1 bits.
pub fn stat_cycles(p: &UnitParams) -> u32 {
    let (wi, wa) = (p.input.bits, p.wa);
    8 + (wi + wa) + (wi + 1)
}
