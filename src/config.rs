//! The user-facing configuration (a TOML file) and its parsing.
//!
//! Every field is documented in README.md ("Configuration"). Parsing rejects unknown keys and
//! wrong types with a one-line message that carries the file, line and column; value checks
//! happen in [`crate::params::UnitParams::new`], which turns a `Config` into the fully
//! resolved parameters (every default filled in) that the model and the hardware share.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Base {
    /// Softermax semantics: y_i = 2^x_i / sum_j 2^x_j.
    #[serde(rename = "2")]
    Two,
    /// Exact softmax: y_i = e^x_i / sum_j e^x_j.
    #[serde(rename = "e")]
    E,
}

/// `base` is the string "2" or "e"; the integer 2 is taken as "2" (it is written back as "2").
impl<'de> Deserialize<'de> for Base {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Base, D::Error> {
        use serde::de::Unexpected;
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Base;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"2\" (or 2) or \"e\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Base, E> {
                match v {
                    "2" => Ok(Base::Two),
                    "e" => Ok(Base::E),
                    _ => Err(E::unknown_variant(v, &["2", "e"])),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Base, E> {
                if v == 2 {
                    Ok(Base::Two)
                } else {
                    Err(E::invalid_value(Unexpected::Signed(v), &self))
                }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Base, E> {
                if v == 2 {
                    Ok(Base::Two)
                } else {
                    Err(E::invalid_value(Unexpected::Unsigned(v), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Log2e {
    /// log2(e) is folded into the input scale upstream: the unit computes base 2 on its input.
    Upstream,
    /// The unit multiplies its input by a 16-bit constant log2(e) (15 fraction bits).
    Multiplier,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpMethod {
    Lut,
    Lpw,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecipMethod {
    Lut,
    Lpw,
    Newton,
    /// log2 of the sum's mantissa (LPW table) instead of its reciprocal: pass 2 adds it to
    /// the exponent, so there is no multiply per element
    Log,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatCfg {
    pub bits: u32,
    pub frac: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ExpCfg {
    pub method: Option<ExpMethod>,
    pub segments: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RecipCfg {
    pub method: Option<RecipMethod>,
    pub segments: Option<u32>,
    pub index_bits: Option<u32>,
}

/// Internal widths. Every one is derived from the formats when absent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct InternalCfg {
    /// Fraction bits of the exponent argument t (input times log2 e, or the padded input).
    pub t_frac: Option<u32>,
    /// Fraction bits of the 2^-f values.
    pub exp_frac: Option<u32>,
    /// Fraction bits of the running sum.
    pub sum_frac: Option<u32>,
    /// Fraction bits of the reciprocal mantissa.
    pub recip_frac: Option<u32>,
    /// Mantissa fraction bits that index the reciprocal table (LPW and Newton seed).
    pub recip_in_bits: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SparseMode {
    /// Keep x_i >= max - theta (a learned max-relative threshold, SparseLight-style).
    Threshold,
    /// Spark Transformer's statistical top-k: keep x_i >= mean + std * PhiInv(1 - k/L).
    StatTopk,
    /// Exact top-k, ties broken by the lowest index.
    Topk,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Renorm {
    /// Survivors keep their dense probability (normalized over the whole row); the outputs
    /// sum to 1 minus the dropped mass.
    All,
    /// Survivors are renormalized among themselves (a softmax over the kept elements); costs
    /// a second read of the row (a row takes about 2L cycles).
    Survivors,
}

/// Sparse selection (README, "Sparse selection"). Absent: the dense unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SparseCfg {
    pub mode: SparseMode,
    /// Max-relative threshold in input units: keep only x_i >= max - theta. Required for
    /// `threshold`; an optional extra floor for the other modes. Reset value of the run-time
    /// `theta` register.
    pub theta: Option<f64>,
    /// Target kept count (stat_topk) or exact kept count (topk).
    pub k: Option<u32>,
    /// Hard cap on the kept count (threshold, stat_topk): survivors in index order until k_max
    /// are kept, one place reserved for the row max (always kept).
    pub k_max: Option<u32>,
    pub renorm: Option<Renorm>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Prefix of every emitted Verilog module name.
    pub prefix: Option<String>,
    pub base: Option<Base>,
    pub log2e: Option<Log2e>,
    pub max_len: Option<u32>,
    /// Elements per beat of both streams (P): 1, 2, 4, 8, 16 or 32. Written only when > 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lanes: Option<u32>,
    pub input: FormatCfg,
    pub output: FormatCfg,
    #[serde(default)]
    pub exp: ExpCfg,
    #[serde(default)]
    pub recip: RecipCfg,
    #[serde(default)]
    pub internal: InternalCfg,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparse: Option<SparseCfg>,
}

/// The built-in default configuration (used when `--config` is absent): the drop-in exact
/// softmax with 8-bit output, identical to `configs/exact8.toml`.
pub const DEFAULT_CONFIG: &str = include_str!("../configs/exact8.toml");

/// Every example configuration in `configs/`, by name (the file's stem) and text, in
/// name order. A test checks it against the folder, so it cannot drift.
pub const EXAMPLES: &[(&str, &str)] = &[
    ("exact8", include_str!("../configs/exact8.toml")),
    ("exact8_log", include_str!("../configs/exact8_log.toml")),
    ("precise16", include_str!("../configs/precise16.toml")),
    ("softermax", include_str!("../configs/softermax.toml")),
    ("softermax_log", include_str!("../configs/softermax_log.toml")),
    ("softermax_p16", include_str!("../configs/softermax_p16.toml")),
    ("softermax_p4", include_str!("../configs/softermax_p4.toml")),
    ("sparse_stat", include_str!("../configs/sparse_stat.toml")),
    ("sparse_stat4096", include_str!("../configs/sparse_stat4096.toml")),
    ("sparse_stat_p16", include_str!("../configs/sparse_stat_p16.toml")),
    ("sparse_stat_p4", include_str!("../configs/sparse_stat_p4.toml")),
    ("sparse_threshold", include_str!("../configs/sparse_threshold.toml")),
    ("sparse_threshold_p16", include_str!("../configs/sparse_threshold_p16.toml")),
    ("sparse_threshold_p4", include_str!("../configs/sparse_threshold_p4.toml")),
    ("sparse_topk", include_str!("../configs/sparse_topk.toml")),
    ("sparse_topk_p4", include_str!("../configs/sparse_topk_p4.toml")),
    ("sparse_topk_surv", include_str!("../configs/sparse_topk_surv.toml")),
];

/// The text of the example `configs/<name>.toml`.
pub fn example_text(name: &str) -> Option<&'static str> {
    EXAMPLES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

impl Config {
    /// Parses a configuration. An error is one line: `origin:line: message`, and the message
    /// names the field (as a dotted path) when the parser's own message does not.
    pub fn parse(text: &str, origin: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            // `[[sparse]]` (an array of tables) gives toml's "wanted exactly 1 element, more
            // than 1 element" or an unrelated "unknown variant": name the header instead
            let tables = ["input", "output", "exp", "recip", "internal", "sparse"];
            let mut at = 0;
            for (i, line) in text.split('\n').enumerate() {
                if let Some((t, true)) = header_at(text, at).filter(|(t, _)| tables.contains(&t.as_str())) {
                    return Error::Parse(format!("{origin}:{}: `{t}`: [[{t}]] is an array of tables; allowed one table [{t}]", i + 1));
                }
                at += line.len() + 1;
            }
            let mut msg = e.message().trim().replace('\n', " ");
            match e.span() {
                Some(span) => {
                    let start = span.start.min(text.len());
                    let line = text[..start].matches('\n').count() + 1;
                    // a missing field's span is its table (a header, an inline table's key, or
                    // the whole document for `input` and `output`): name the table
                    let missing = msg.starts_with("missing field");
                    let header = header_at(text, start);
                    if missing && !["input", "output"].iter().any(|f| msg == format!("missing field `{f}`")) {
                        if let Some(table) = header.as_ref().map(|(t, _)| t.clone()).or_else(|| key_at(text, start)) {
                            msg = format!("`{table}`: {msg}");
                        }
                    }
                    if let Some(key) = key_at(text, start).filter(|k| !missing && !msg.contains(&format!("`{}`", k.rsplit('.').next().unwrap_or(k)))) {
                        let value = text.get(span.clone()).unwrap_or("").trim();
                        msg = if msg == "wanted string or table" {
                            // a unit enum given a non-string: say which strings are allowed
                            format!("`{key}` = {value}: allowed {}", enum_values(text, span).unwrap_or_else(|| "a string".into()))
                        } else {
                            format!("`{key}`: {msg}")
                        };
                    }
                    Error::Parse(format!("{origin}:{line}: {msg}"))
                }
                None => Error::Parse(format!("{origin}: {msg}")),
            }
        })
    }

    pub fn load(path: Option<&Path>) -> Result<Config> {
        match path {
            None => Config::parse(DEFAULT_CONFIG, "built-in default config"),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
                Config::parse(&text, &p.display().to_string())
            }
        }
    }
}

/// The dotted key (`table.key`) of the `key = value` line holding byte `pos`, if any.
fn key_at(text: &str, pos: usize) -> Option<String> {
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let table = text[..line_start].lines().rev().map(str::trim).find(|l| l.starts_with('[')).map(|l| l.trim_matches(|c| c == '[' || c == ']').trim());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// The table named by the `[table]` or `[[table]]` header on the line holding byte `pos`, and
/// whether it is an array-of-tables header.
fn header_at(text: &str, pos: usize) -> Option<(String, bool)> {
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let line = line.split('#').next().unwrap_or("").trim();
    let array = line.starts_with("[[");
    let name = line.strip_prefix('[')?.trim_start_matches('[').split(']').next()?.trim();
    (!name.is_empty()).then(|| (name.to_string(), array))
}

/// The strings an enum field accepts, from the parser itself: the same text with the value at
/// `span` replaced by a string no enum has gives "unknown variant ..., expected ...".
fn enum_values(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let probe = format!("{}\"?\"{}", text.get(..span.start)?, text.get(span.end..)?);
    let msg = toml::from_str::<Config>(&probe).err()?.message().to_string();
    Some(msg.split_once("expected ")?.1.trim().replace('`', "\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_one_line_with_location() {
        let text = "[input]\nbits = 8\nfrac = 2\nfoo = 1\n[output]\nbits = 8\nfrac = 7\n";
        let e = Config::parse(text, "x.toml").unwrap_err().to_string();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.starts_with("x.toml:4: unknown field `foo`"), "{e}");
    }

    #[test]
    fn bad_enum_value_is_rejected() {
        let text = "base = \"10\"\n[input]\nbits = 8\nfrac = 2\n[output]\nbits = 8\nfrac = 7\n";
        let e = Config::parse(text, "x.toml").unwrap_err().to_string();
        assert!(e.starts_with("x.toml:1: `base`: unknown variant `10`, expected `2` or `e`"), "{e}");
    }

    /// A wrong type names the field (issue 10: `base = 2` got "wanted string or table").
    #[test]
    fn wrong_types_name_the_field() {
        let fmt = "[input]\nbits = 8\nfrac = 2\n[output]\nbits = 8\nfrac = 7\n";
        let err = |head: &str| Config::parse(&format!("{head}\n{fmt}"), "x.toml").unwrap_err().to_string();
        assert_eq!(err("base = 3"), "x.toml:1: `base`: invalid value: integer `3`, expected \"2\" (or 2) or \"e\"");
        assert_eq!(err("log2e = 1"), "x.toml:1: `log2e` = 1: allowed \"upstream\" or \"multiplier\"");
        assert_eq!(err("[exp]\nmethod = true"), "x.toml:2: `exp.method` = true: allowed \"lut\" or \"lpw\"");
        assert_eq!(err("max_len = \"long\""), "x.toml:1: `max_len`: invalid type: string \"long\", expected u32");
        assert_eq!(err("prefix = 3"), "x.toml:1: `prefix`: invalid type: integer `3`, expected a string");
        let e = Config::parse(&format!("{fmt}[sparse]\nmode = 1\n"), "x.toml").unwrap_err().to_string();
        assert_eq!(e, "x.toml:8: `sparse.mode` = 1: allowed one of \"threshold\", \"stat_topk\", \"topk\"");
    }

    /// A table's missing field and `[[table]]` name the table (issue 10, second pass: `[[sparse]]`
    /// gave "wanted exactly 1 element, more than 1 element", `[[exp]]` an unrelated "unknown
    /// variant `method`", and an empty `[sparse]` only "missing field `mode`").
    #[test]
    fn tables_are_named_in_errors() {
        let fmt = "[input]\nbits = 8\nfrac = 2\n[output]\nbits = 8\nfrac = 7\n";
        let err = |tail: &str| Config::parse(&format!("{fmt}{tail}"), "x.toml").unwrap_err().to_string();
        assert_eq!(err("[sparse]\n"), "x.toml:7: `sparse`: missing field `mode`");
        assert_eq!(err("[[sparse]]\nmode = \"topk\"\n"), "x.toml:7: `sparse`: [[sparse]] is an array of tables; allowed one table [sparse]");
        assert_eq!(err("[[exp]]\nmethod = \"lpw\"\n"), "x.toml:7: `exp`: [[exp]] is an array of tables; allowed one table [exp]");
        assert_eq!(err("[[foo]]\n"), "x.toml:7: unknown field `foo`, expected one of `prefix`, `base`, `log2e`, `max_len`, `lanes`, `input`, `output`, `exp`, `recip`, `internal`, `sparse`");
        let e = Config::parse("input = { bits = 8 }\n[output]\nbits = 8\nfrac = 7\n", "x.toml").unwrap_err().to_string();
        assert_eq!(e, "x.toml:1: `input`: missing field `frac`");
        // a missing top-level table stays as it was: the document lacks it, not [input]
        assert_eq!(Config::parse("[input]\nbits = 8\nfrac = 2\n", "x.toml").unwrap_err().to_string(), "x.toml:1: missing field `output`");
    }

    /// `base = 2` (an integer) is read as "2" and written back as the string.
    #[test]
    fn base_accepts_the_integer_2() {
        let fmt = "[input]\nbits = 8\nfrac = 2\n[output]\nbits = 8\nfrac = 7\n";
        let c = Config::parse(&format!("base = 2\n{fmt}"), "x.toml").unwrap();
        assert_eq!(c.base, Some(Base::Two));
        assert_eq!(c, Config::parse(&format!("base = \"2\"\n{fmt}"), "x.toml").unwrap());
        assert!(toml::to_string(&c).unwrap().contains("base = \"2\""));
    }

    #[test]
    fn default_config_parses() {
        Config::load(None).unwrap();
    }

    /// `EXAMPLES` is every file of `configs/`, each parses, and the default is `exact8`.
    #[test]
    fn examples_are_the_configs_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|f| f.strip_suffix(".toml").map(str::to_string))
            .collect();
        files.sort();
        let names: Vec<&str> = EXAMPLES.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, files, "src/config.rs EXAMPLES must list configs/*.toml");
        for (n, text) in EXAMPLES {
            assert_eq!(*text, std::fs::read_to_string(dir.join(format!("{n}.toml"))).unwrap());
            Config::parse(text, n).unwrap();
        }
        assert_eq!(example_text("exact8"), Some(DEFAULT_CONFIG));
    }
}
