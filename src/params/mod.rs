//! The parameter layer: resolved parameters of the softmax unit, validated once, every
//! derived width and table computed here and shared by the golden model (`unit::model`),
//! the rust-hdl blocks (`*/block.rs`) and the manifest.

pub mod sparse;

use crate::config::{Base, Config, ExpCfg, ExpMethod, FormatCfg, InternalCfg, Log2e, RecipCfg, RecipMethod};
use crate::error::{Error, Result};
use crate::fixfmt::FixFmt;
use crate::lpw::LpwTable;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// log2(e) as the 16-bit constant of the input multiplier: round(log2(e) * 2^15).
pub const LOG2E_FRAC: u32 = 15;
pub const LOG2E_BITS: u32 = 16;
pub fn log2e_const() -> u64 {
    (std::f64::consts::LOG2_E * (1u64 << LOG2E_FRAC) as f64).round() as u64
}
/// Shift amounts inside the datapath saturate here; every shifted value is narrower, so a
/// saturated shift gives 0 exactly as the unsaturated one would.
pub const SHIFT_SAT: u64 = 63;

/// Input multiplier for `log2e = "multiplier"`: t = round_half_up(x * C / 2^shift).
/// Computed on the offset-binary input xb = x + 2^(WI-1) as tb = (xb*C + k) >> shift, where
/// tb = t + 2^(WT-1) is t in offset binary; `k` folds the rounding half and both offsets.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scale {
    pub c: u64,
    pub shift: u32,
    pub k: u64,
}

/// Every width of the datapath. The rust-hdl block is generic over these (const generics);
/// The instance table lists the sets compiled in; others are built on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Widths {
    /// input code
    pub wi: usize,
    /// exponent argument t (offset binary), WT bits with FT fraction bits
    pub wt: usize,
    pub ft: usize,
    /// segment-index bits of the 2^-f table
    pub esb: usize,
    /// 2^-f values: 1 integer + FU fraction bits
    pub we: usize,
    /// running sum: (WA+1) integer + FD fraction bits
    pub wd: usize,
    /// row-buffer address bits
    pub wa: usize,
    /// reciprocal table input bits and segment bits
    pub rn: usize,
    pub rsb: usize,
    /// reciprocal mantissa: 1 integer + FR fraction bits
    pub wr: usize,
    /// output code
    pub wo: usize,
    /// log2 of the lanes (elements per beat)
    pub lp: usize,
}

impl Widths {
    /// The widths with their names, in the order the instance macros take them (`unit_instance!`).
    pub fn named(&self) -> [(&'static str, usize); 12] {
        [
            ("wi", self.wi),
            ("wt", self.wt),
            ("ft", self.ft),
            ("esb", self.esb),
            ("we", self.we),
            ("wd", self.wd),
            ("wa", self.wa),
            ("rn", self.rn),
            ("rsb", self.rsb),
            ("wr", self.wr),
            ("wo", self.wo),
            ("lp", self.lp),
        ]
    }

    /// The widths in the order the instance macros take them (`unit_instance!`).
    pub fn to_vec(&self) -> Vec<usize> {
        self.named().iter().map(|&(_, w)| w).collect()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct UnitParams {
    /// The configuration with every default filled in (round-trips through `Config`).
    pub resolved: Config,
    pub prefix: String,
    pub base: Base,
    pub log2e: Option<Log2e>,
    pub max_len: u32,
    /// elements per beat (P) and its log2; the row buffer holds max_len / P beats per bank
    pub lanes: u32,
    pub lp: u32,
    pub input: FixFmt,
    pub output: FixFmt,
    pub scale: Option<Scale>,
    /// fraction bits of t, of 2^-f, of the sum, of the reciprocal
    pub ft: u32,
    pub fu: u32,
    pub fd: u32,
    pub fr: u32,
    pub wt: u32,
    pub wa: u32,
    pub wd: u32,
    pub exp_table: LpwTable,
    pub recip_method: RecipMethod,
    pub recip_table: LpwTable,
    /// Newton-Raphson: fraction bits of the mantissa used in the iteration (FR + 2).
    pub newton_mh: u32,
    /// Sparse selection (`[sparse]`), absent for the dense unit.
    pub sparse: Option<sparse::SparseParams>,
}

/// Most lanes of the exact top-k (`sparse::select`: its row-end merge compares every lane's
/// head in one cycle).
pub const MAX_TOPK_LANES: u32 = 4;

fn check_range(field: &str, v: u32, lo: u32, hi: u32) -> Result<u32> {
    if v < lo || v > hi {
        Err(Error::field(field, v, format!("allowed {lo}..={hi}")))
    } else {
        Ok(v)
    }
}

fn log2_pow2(field: &str, v: u32, lo: u32, hi: u32) -> Result<u32> {
    if !v.is_power_of_two() || v < lo || v > hi {
        Err(Error::field(field, v, format!("allowed a power of two in {lo}..={hi}")))
    } else {
        Ok(v.trailing_zeros())
    }
}

fn ceil_log2(v: u32) -> u32 {
    32 - (v.max(2) - 1).leading_zeros()
}

impl UnitParams {
    pub fn new(cfg: &Config) -> Result<UnitParams> {
        let prefix = cfg.prefix.clone().unwrap_or_else(|| "smx".into());
        let ok_prefix = prefix.len() <= 16
            && prefix.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok_prefix {
            return Err(Error::field("prefix", format!("{prefix:?}"), "allowed 1-16 characters of [a-z0-9_] starting with a letter"));
        }
        let base = cfg.base.unwrap_or(Base::Two);
        let log2e = match (base, cfg.log2e) {
            (Base::Two, None) => None,
            (Base::Two, Some(l)) => {
                return Err(Error::field("log2e", format!("{l:?}").to_lowercase(), "allowed only with base = \"e\""))
            }
            (Base::E, None) => {
                return Err(Error::field("log2e", "(missing)", "required with base = \"e\": \"upstream\" or \"multiplier\""))
            }
            (Base::E, Some(l)) => Some(l),
        };
        let max_len = cfg.max_len.unwrap_or(1024);
        check_range("max_len", max_len, 1, 65536)?;
        let wa = ceil_log2(max_len).max(1);
        let lanes = cfg.lanes.unwrap_or(1);
        let lp = log2_pow2("lanes", lanes, 1, 32)?;
        if max_len % lanes != 0 {
            return Err(Error::field("lanes", lanes, format!("allowed a divisor of max_len = {max_len} (a row ends at max_len elements, on a full beat)")));
        }
        if lanes > 1 && 1u32 << wa < 2 * lanes {
            return Err(Error::field("lanes", lanes, format!("allowed at most max_len / 2 = {} lanes (max_len = {max_len}, rounded up to a power of two)", (1u32 << wa) / 2)));
        }
        if let Some(sc) = cfg.sparse.as_ref().filter(|_| lanes > 1) {
            use crate::config::{Renorm, SparseMode};
            if sc.renorm == Some(Renorm::Survivors) {
                return Err(Error::field("lanes", lanes, "allowed only 1 with renorm = \"survivors\" (the survivors' sweep at several lanes is not built yet)"));
            }
            if sc.mode == SparseMode::Topk && lanes > MAX_TOPK_LANES {
                return Err(Error::field("lanes", lanes, format!("allowed at most {MAX_TOPK_LANES} with mode = \"topk\" (the exact top-k merges the lanes' lists at the row's end; more lanes are not built yet)")));
            }
        }

        let wi = check_range("input.bits", cfg.input.bits, 4, 16)?;
        let fi = check_range("input.frac", cfg.input.frac, 0, wi - 1)?;
        let wo = check_range("output.bits", cfg.output.bits, 4, 16)?;
        if cfg.output.frac != wo && cfg.output.frac + 1 != wo {
            return Err(Error::field(
                "output.frac",
                cfg.output.frac,
                format!("allowed {} (1.0 representable) or {} (1.0 saturates to the top code) for output.bits = {wo}", wo - 1, wo),
            ));
        }
        let fo = cfg.output.frac;
        let with_mul = log2e == Some(Log2e::Multiplier);

        let it = &cfg.internal;
        let recip_method = cfg.recip.method.unwrap_or(RecipMethod::Lpw);
        // recip.method = "log": pass 2 adds log2 of the sum's mantissa to t at FT fraction
        // bits, so FT >= FO + 2 keeps that rounding within an eighth of an output LSB
        let log = recip_method == RecipMethod::Log;
        let log_lo = if log { fo + 2 } else { 0 };
        let with_log = |e: Error| match e {
            Error::Field { field, value, allowed } if log => Error::Field { field, value, allowed: format!("{allowed} with recip.method = \"log\" (at least output.frac + 2 = {log_lo})") },
            e => e,
        };
        let t_hi = if with_mul { (fi + LOG2E_FRAC).min(16) } else { 16 };
        if log_lo > t_hi {
            return Err(Error::field("recip.method", "\"log\"", format!("allowed only with output.frac <= {} (it needs internal.t_frac >= output.frac + 2, at most {t_hi}); output.frac = {fo}", t_hi - 2)));
        }
        let ft = match with_mul {
            false => {
                let lo = fi.max(2).max(log_lo);
                check_range("internal.t_frac", it.t_frac.unwrap_or(lo), lo, 16).map_err(with_log)?
            }
            true => {
                let hi = t_hi;
                let lo = 2.max(log_lo);
                check_range("internal.t_frac", it.t_frac.unwrap_or((fo + 2).clamp(lo, hi)), lo, hi).map_err(with_log)?
            }
        };
        // t in offset binary: WT bits (the multiplier adds one integer bit for log2 e > 1)
        let wt = wi + ft - fi + with_mul as u32;
        let scale = with_mul.then(|| {
            let c = log2e_const();
            let shift = fi + LOG2E_FRAC - ft;
            let half = if shift > 0 { 1u64 << (shift - 1) } else { 0 };
            let k = (1u64 << (wt - 1 + shift)) + half - (1u64 << (wi - 1)) * c;
            Scale { c, shift, k }
        });

        // log: 2^-f is the output before its shift, so it needs a guard bit beside rounding
        let fu = match log {
            true => check_range("internal.exp_frac", it.exp_frac.unwrap_or(fo + 3), fo + 2, 24)
                .map_err(|_| Error::field("internal.exp_frac", it.exp_frac.unwrap_or(0), format!("allowed {}..=24 with recip.method = \"log\" (output.frac + 2 at least)", fo + 2)))?,
            false => check_range("internal.exp_frac", it.exp_frac.unwrap_or(fo + 3), fo + 1, 24)?,
        };
        let exp_method = cfg.exp.method.unwrap_or(ExpMethod::Lut);
        let exp_target = move |g: u64| (-(g as f64) / (1u64 << ft) as f64).exp2() * (1u64 << fu) as f64;
        let exp_table = match exp_method {
            ExpMethod::Lut => {
                if let Some(n) = cfg.exp.segments {
                    return Err(Error::field("exp.segments", n, "allowed only with exp.method = \"lpw\""));
                }
                if ft > 12 {
                    return Err(Error::field("internal.t_frac", ft, "allowed 2..=12 with exp.method = \"lut\" (2^t_frac entries); use \"lpw\""));
                }
                LpwTable::lut(ft, fu + 1, exp_target)
            }
            ExpMethod::Lpw => {
                let n = cfg.exp.segments.unwrap_or(8);
                // at most 2^(t_frac - 1) segments: say so, the limit (and the default 8) moves with it
                let sb = log2_pow2("exp.segments", n, 2, 1 << (ft - 1)).map_err(|e| match e {
                    Error::Field { field, value, allowed } => {
                        let default = if cfg.exp.segments.is_none() { " (the default)" } else { "" };
                        Error::Field { field, value: format!("{value}{default}"), allowed: format!("{allowed} (2^(internal.t_frac - 1) with t_frac = {ft})") }
                    }
                    e => e,
                })?;
                LpwTable::lpw(ft, sb, fu + 1, exp_target)
            }
        };

        let fd_default = (fo + wa + 4).max(fu);
        let fd = check_range("internal.sum_frac", it.sum_frac.unwrap_or(fd_default), fu, 40)?;
        let wd = wa + 1 + fd;
        if wd > 56 {
            return Err(Error::field("internal.sum_frac", fd, format!("sum width {wd} bits exceeds 56; lower sum_frac or max_len")));
        }

        let fr = match log {
            // the log2 table has t's fraction bits: it is added to t's fraction in pass 2
            true => check_range("internal.recip_frac", it.recip_frac.unwrap_or(ft), ft, ft)
                .map_err(|_| Error::field("internal.recip_frac", it.recip_frac.unwrap_or(0), format!("allowed only {ft} (= internal.t_frac) with recip.method = \"log\": the log2 table has t's fraction bits")))?,
            false => check_range("internal.recip_frac", it.recip_frac.unwrap_or(fo + 3), fo + 1, 24)?,
        };
        let (recip_table, rn) = match recip_method {
            RecipMethod::Lut => {
                if let Some(n) = cfg.recip.segments {
                    return Err(Error::field("recip.segments", n, "allowed only with recip.method = \"lpw\" or \"newton\""));
                }
                if let Some(n) = it.recip_in_bits {
                    return Err(Error::field("internal.recip_in_bits", n, "not used with recip.method = \"lut\" (set recip.index_bits)"));
                }
                let rn = check_range("recip.index_bits", cfg.recip.index_bits.unwrap_or((fo + 2).min(12)), 2, 12)?;
                (LpwTable::lut(rn, fr + 1, recip_target(rn, fr)), rn)
            }
            RecipMethod::Lpw | RecipMethod::Newton | RecipMethod::Log => {
                if let Some(n) = cfg.recip.index_bits {
                    return Err(Error::field("recip.index_bits", n, "allowed only with recip.method = \"lut\""));
                }
                let n = cfg.recip.segments.unwrap_or(if log { 16 } else { 8 });
                let sb = log2_pow2("recip.segments", n, 2, 256)?;
                let rn_default = match recip_method {
                    RecipMethod::Newton => (sb + 6).min(16),
                    _ => (fr + 1).clamp(sb + 1, 16),
                };
                let rn = check_range("internal.recip_in_bits", it.recip_in_bits.unwrap_or(rn_default), sb + 1, 16)?;
                let table = match log {
                    true => LpwTable::lpw(rn, sb, fr + 1, log_target(rn, fr)),
                    false => LpwTable::lpw(rn, sb, fr + 1, recip_target(rn, fr)),
                };
                (table, rn)
            }
        };

        let (sparse, sparse_resolved) = match &cfg.sparse {
            None => (None, None),
            Some(c) => {
                let (sp, r) = sparse::SparseParams::new(c, FixFmt::signed(wi, fi), max_len, wa)?;
                (Some(sp), Some(r))
            }
        };
        let resolved = Config {
            prefix: Some(prefix.clone()),
            base: Some(base),
            log2e,
            max_len: Some(max_len),
            lanes: (lanes > 1).then_some(lanes),
            input: FormatCfg { bits: wi, frac: fi },
            output: FormatCfg { bits: wo, frac: fo },
            exp: ExpCfg { method: Some(exp_method), segments: (exp_method == ExpMethod::Lpw).then_some(exp_table.entries() as u32) },
            recip: RecipCfg {
                method: Some(recip_method),
                segments: (recip_method != RecipMethod::Lut).then_some(recip_table.entries() as u32),
                index_bits: (recip_method == RecipMethod::Lut).then_some(rn),
            },
            internal: InternalCfg {
                t_frac: Some(ft),
                exp_frac: Some(fu),
                sum_frac: Some(fd),
                recip_frac: Some(fr),
                recip_in_bits: (recip_method != RecipMethod::Lut).then_some(rn),
            },
            sparse: sparse_resolved,
        };
        Ok(UnitParams {
            resolved,
            prefix,
            base,
            log2e,
            max_len,
            lanes,
            lp,
            input: FixFmt::signed(wi, fi),
            output: FixFmt::unsigned(wo, fo),
            scale,
            ft,
            fu,
            fd,
            fr,
            wt,
            wa,
            wd,
            exp_table,
            recip_method,
            recip_table,
            newton_mh: fr + 2,
            sparse,
        })
    }

    pub fn widths(&self) -> Widths {
        Widths {
            wi: self.input.bits as usize,
            wt: self.wt as usize,
            ft: self.ft as usize,
            esb: self.exp_table.seg_bits as usize,
            we: (self.fu + 1) as usize,
            wd: self.wd as usize,
            wa: self.wa as usize,
            rn: self.recip_table.in_bits as usize,
            rsb: self.recip_table.seg_bits as usize,
            wr: (self.fr + 1) as usize,
            wo: self.output.bits as usize,
            lp: self.lp as usize,
        }
    }

    /// Largest output code: 1.0 when representable, else all ones.
    pub fn y_max(&self) -> u64 {
        if self.output.frac < self.output.bits {
            1u64 << self.output.frac
        } else {
            self.output.mask()
        }
    }

    /// Constant part of the output shift: s = (k - k_min) + eb + s0, with s0 = FU + FR - FO - 1
    /// (the product E * r has FU + FR fraction bits), or FU - FO - 1 with recip.method = "log"
    /// (no product: E has FU).
    pub fn out_shift0(&self) -> u32 {
        match self.log_norm() {
            true => self.fu - self.output.frac - 1,
            false => self.fu + self.fr - self.output.frac - 1,
        }
    }

    /// recip.method = "log": the row-end block gives log2 of the sum's mantissa, which pass 2
    /// adds to t (no multiply per element).
    pub fn log_norm(&self) -> bool {
        self.recip_method == RecipMethod::Log
    }

    /// The resolved configuration as TOML (written beside the Verilog and in its header).
    pub fn resolved_toml(&self) -> String {
        toml::to_string(&self.resolved).expect("resolved config serializes")
    }

    /// Short content hash of the resolved configuration.
    pub fn config_hash(&self) -> String {
        let h = Sha256::digest(self.resolved_toml().as_bytes());
        h.iter().take(3).map(|b| format!("{b:02x}")).collect()
    }

    /// Derived module name: prefix, base, formats, row length and a hash of the internals.
    pub fn module_name(&self) -> String {
        let base = match self.log2e {
            None => "b2".to_string(),
            Some(Log2e::Upstream) => "be_up".to_string(),
            Some(Log2e::Multiplier) => "be_mul".to_string(),
        };
        let sparse = self.sparse.as_ref().map(|s| format!("_{}", s.tag())).unwrap_or_default();
        let lanes = if self.lanes > 1 { format!("_p{}", self.lanes) } else { String::new() };
        format!(
            "{}_{}_i{}f{}_o{}f{}_n{}{}{}_{}",
            self.prefix,
            base,
            self.input.bits,
            self.input.frac,
            self.output.bits,
            self.output.frac,
            self.max_len,
            lanes,
            sparse,
            self.config_hash()
        )
    }

    /// The real input value that the unit's exponent sees for an input code, in log2 units.
    pub fn t_real(&self, x: i64) -> f64 {
        let v = self.input.to_real(x);
        match self.log2e {
            Some(Log2e::Multiplier) => v * std::f64::consts::LOG2_E,
            _ => v,
        }
    }

    /// Quantize a natural-log logit (as produced by Q.K^T/sqrt(d)) to the input format:
    /// base 2 and base e with the in-unit multiplier take it as is; base e with log2 e folded
    /// upstream takes logit * log2(e). Round to nearest (ties to even), saturate.
    pub fn quantize_logit(&self, logit: f64) -> i64 {
        self.input.quantize(self.input_value(logit))
    }

    /// The input code of a finite logit before saturation, as a real (rounded, unclamped):
    /// outside `input.min_code()..=input.max_code()` the input saturates.
    pub fn quantize_unclamped(&self, logit: f64) -> f64 {
        (self.input_value(logit) * (self.input.frac as f64).exp2()).round_ties_even()
    }

    /// The real value the input format holds for a natural-log logit (see `quantize_logit`).
    fn input_value(&self, logit: f64) -> f64 {
        match self.log2e {
            Some(Log2e::Upstream) => logit * std::f64::consts::LOG2_E,
            _ => logit,
        }
    }
}

/// Float64 reference: the exact softmax of the quantized input codes, in the configured
/// base (README: Error contract). Masked elements are 0; a row with every element masked is
/// 0 everywhere.
pub fn reference(p: &UnitParams, xs: &[i64]) -> Vec<f64> {
    let t: Vec<f64> = xs.iter().map(|&x| if x == crate::fixfmt::MASKED { f64::NEG_INFINITY } else { p.t_real(x) }).collect();
    softmax2(&t)
}

/// Softmax in base 2 of reals where -inf is a masked element (0); all -inf: all 0.
pub fn softmax2(t: &[f64]) -> Vec<f64> {
    let m = t.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return vec![0.0; t.len()];
    }
    let w: Vec<f64> = t.iter().map(|&v| (v - m).exp2()).collect();
    let s: f64 = w.iter().sum();
    w.iter().map(|v| v / s).collect()
}

/// The reference rounded to the output format (the best any unit can output).
pub fn reference_codes(p: &UnitParams, xs: &[i64]) -> Vec<i64> {
    reference(p, xs).iter().map(|&v| p.output.quantize(v)).collect()
}

/// Emits the Verilog body of one design for one width set with the given top-module name
/// (the instance macros `unit_instance!` and `baseline_instance!` make one).
pub type EmitFn = fn(&UnitParams, &str) -> Result<String>;

/// Target of the reciprocal table: 1/m at the centre of the interval of mantissas
/// m = 1 + (i + [0,1)) / 2^rn that share the table input i, in units of 2^-fr.
pub fn recip_target(rn: u32, fr: u32) -> impl Fn(u64) -> f64 {
    move |i: u64| (1u64 << fr) as f64 / (1.0 + (i as f64 + 0.5) / (1u64 << rn) as f64)
}

/// Target of the log2 table (`recip.method = "log"`): log2(m) at the centre of the interval
/// of mantissas that share the table input, in units of 2^-fq. The input is the complement
/// of the mantissa's top rn fraction bits (i = 2^rn - 1 - those bits), so that the table
/// falls with i like every LPW table: m = 1 + (2^rn - 1 - i + [0,1)) / 2^rn.
pub fn log_target(rn: u32, fq: u32) -> impl Fn(u64) -> f64 {
    // in f64: the table's construction evaluates i = 2^rn, one past the last input
    let n = (1u64 << rn) as f64;
    move |i: u64| (1u64 << fq) as f64 * (1.0 + (n - 0.5 - i as f64) / n).log2()
}

/// The example configurations, for tests of every datapath.
#[cfg(test)]
pub mod examples {
    use super::UnitParams;
    use crate::config::Config;

    /// The dense examples: both normalizations (the `_log` ones: recip.method = "log").
    pub const EXAMPLES: [&str; 5] = ["softermax", "exact8", "precise16", "exact8_log", "softermax_log"];

    pub fn example(name: &str) -> UnitParams {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs").join(format!("{name}.toml"));
        UnitParams::new(&Config::load(Some(&path)).unwrap()).unwrap()
    }

    /// An example at `lanes` lanes.
    pub fn with_lanes(p: &UnitParams, lanes: u32) -> UnitParams {
        UnitParams::new(&Config { lanes: Some(lanes), ..p.resolved.clone() }).unwrap()
    }
}
