//! Parsers of the tools' machine-readable outputs: Yosys `stat -json` (with or without
//! `-tech cmos`), nextpnr `--report` JSON, Yosys `ltp` output, and the port list of a Verilog
//! module header. Public so that they can be tested on fixed snippets.

use crate::error::{Error, Result};
use serde_json::Value;
use std::collections::BTreeMap;

/// What Yosys `stat -json` says about one module.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stat {
    pub cells: u64,
    pub cells_by_type: BTreeMap<String, u64>,
    /// `estimated_num_transistors` (only with `-tech cmos`). Yosys appends `+` when some cell
    /// types have no estimate; the number is then a lower bound.
    pub transistors: Option<u64>,
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f.round() as u64)),
        // "131018+" (a lower bound) or "1234"
        Value::String(s) => {
            let digits: String = s.trim().chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        }
        _ => None,
    }
}

/// Parses `stat -json` output for module `top`: `modules["\\top"]`, else `modules["top"]`,
/// else the only module, else the `design` summary. `$scopeinfo` cells are left out.
pub fn yosys_stat(json: &str, top: &str) -> Result<Stat> {
    let v: Value = serde_json::from_str(json).map_err(|e| Error::Tool(format!("yosys stat JSON: {e}")))?;
    let modules = v.get("modules").and_then(Value::as_object);
    let m = modules
        .and_then(|ms| ms.get(&format!("\\{top}")).or_else(|| ms.get(top)).or_else(|| if ms.len() == 1 { ms.values().next() } else { None }))
        .or_else(|| v.get("design"))
        .ok_or_else(|| Error::Tool(format!("yosys stat JSON: no statistics for module `{top}`")))?;
    let mut cells_by_type: BTreeMap<String, u64> = m
        .get("num_cells_by_type")
        .and_then(Value::as_object)
        .map(|o| o.iter().filter_map(|(k, n)| as_u64(n).map(|n| (k.trim_start_matches('\\').to_string(), n))).collect())
        .unwrap_or_default();
    let mut cells = m.get("num_cells").and_then(as_u64).unwrap_or_else(|| cells_by_type.values().sum());
    // newer Yosys (0.40+) keeps `$scopeinfo` marker cells after flattening: not hardware
    if let Some(n) = cells_by_type.remove("$scopeinfo") {
        cells = cells.saturating_sub(n);
    }
    let transistors = m.get("estimated_num_transistors").and_then(as_u64);
    Ok(Stat { cells, cells_by_type, transistors })
}

/// What nextpnr's `--report` JSON says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PnrReport {
    /// Minimum over clocks of `fmax[clock].achieved` (MHz); None when no clock was analysed.
    pub fmax_mhz: Option<f64>,
    /// `utilization[bel type]` as (used, available).
    pub utilization: BTreeMap<String, (u64, u64)>,
}

pub fn nextpnr_report(json: &str) -> Result<PnrReport> {
    let v: Value = serde_json::from_str(json).map_err(|e| Error::Tool(format!("nextpnr report JSON: {e}")))?;
    let fmax_mhz = v
        .get("fmax")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|o| o.values())
        .filter_map(|c| c.get("achieved").and_then(Value::as_f64))
        .filter(|f| f.is_finite())
        .fold(None, |acc: Option<f64>, f| Some(acc.map_or(f, |a| a.min(f))));
    let utilization = v
        .get("utilization")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, u)| Some((k.clone(), (u.get("used").and_then(as_u64)?, u.get("available").and_then(as_u64)?))))
                .collect()
        })
        .unwrap_or_default();
    Ok(PnrReport { fmax_mhz, utilization })
}

/// The longest path from Yosys `ltp` output: the largest `length=N` over the
/// `Longest topological path in M (length=N):` lines. None when there is none (for example
/// when ltp found a combinational loop).
pub fn ltp_depth(text: &str) -> Option<u64> {
    text.lines()
        .filter(|l| l.contains("Longest topological path"))
        .filter_map(|l| {
            let rest = &l[l.find("length=")? + "length=".len()..];
            rest.chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().ok()
        })
        .max()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Input,
    Output,
    Inout,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub dir: Dir,
    pub width: u32,
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'/' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'*' {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else {
            let ch = s[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The text inside the parenthesis that opens at byte `open` (which must be `(`), and the
/// index just past its closing parenthesis.
fn balanced(s: &str, open: usize) -> Option<(&str, usize)> {
    let mut depth = 0usize;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&s[open + 1..open + i], open + i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// Parses one declaration `input wire signed [7:0] a, b` (direction given or inherited).
fn declaration(decl: &str, inherited: Option<Dir>) -> Result<(Option<Dir>, u32, Vec<String>)> {
    let mut rest = decl.trim();
    let mut dir = inherited;
    let mut explicit = None;
    for (kw, d) in [("input", Dir::Input), ("output", Dir::Output), ("inout", Dir::Inout)] {
        if rest.starts_with(kw) && !rest[kw.len()..].starts_with(is_ident) {
            dir = Some(d);
            explicit = Some(d);
            rest = rest[kw.len()..].trim_start();
        }
    }
    let mut width = 1u32;
    loop {
        let word: String = rest.chars().take_while(|c| is_ident(*c)).collect();
        if ["wire", "reg", "logic", "signed", "unsigned", "var", "tri"].contains(&word.as_str()) {
            rest = rest[word.len()..].trim_start();
            continue;
        }
        if rest.starts_with('[') {
            let close = rest.find(']').ok_or_else(|| Error::Input(format!("synth: bad range in `{decl}`")))?;
            let range = &rest[1..close];
            let (msb, lsb) = range.split_once(':').ok_or_else(|| Error::Input(format!("synth: bad range in `{decl}`")))?;
            let num = |t: &str| {
                t.trim().parse::<i64>().map_err(|_| {
                    Error::Input(format!("synth: port range `[{range}]` is not numeric (only literal widths are supported)"))
                })
            };
            width = ((num(msb)? - num(lsb)?).unsigned_abs() + 1) as u32;
            rest = rest[close + 1..].trim_start();
            continue;
        }
        break;
    }
    let names = rest.split(',').map(|n| n.trim().trim_end_matches(|c: char| !is_ident(c)).to_string()).filter(|n| !n.is_empty()).collect();
    Ok((explicit.or(dir), width, names))
}

/// The ports of module `top` in a Verilog source, in header order, with their widths: the
/// non-ANSI form that rust-hdl emits (`module T(a,b); input wire [7:0] a; ...`) and the ANSI
/// form (`module T(input wire [7:0] a, ...)`). Widths must be literal ranges.
pub fn verilog_ports(verilog: &str, top: &str) -> Result<Vec<Port>> {
    let src = strip_comments(verilog);
    let not_found = || Error::Input(format!("synth: module `{top}` not found in the Verilog"));
    // find `module <top>` followed by a non-identifier character
    let mut at = None;
    let mut search = 0;
    while let Some(i) = src[search..].find("module") {
        let i = search + i;
        search = i + 6;
        let before_ok = i == 0 || !src[..i].ends_with(is_ident);
        let after = &src[i + 6..];
        let name_start = after.len() - after.trim_start().len();
        let after_name = &after[name_start..];
        if before_ok && after_name.starts_with(top) && !after_name[top.len()..].starts_with(is_ident) && name_start > 0 {
            at = Some(i + 6 + name_start + top.len());
            break;
        }
    }
    let mut pos = at.ok_or_else(not_found)?;
    let skip_ws = |p: usize| p + (src[p..].len() - src[p..].trim_start().len());
    pos = skip_ws(pos);
    if src[pos..].starts_with('#') {
        pos = skip_ws(pos + 1);
        let (_, end) = balanced(&src, pos).ok_or_else(not_found)?;
        pos = skip_ws(end);
    }
    if !src[pos..].starts_with('(') {
        return Ok(vec![]); // `module T;`
    }
    let (list, end) = balanced(&src, pos).ok_or_else(not_found)?;
    let body_end = src[end..].find("endmodule").map(|e| end + e).unwrap_or(src.len());
    let body = &src[end..body_end];
    let ansi = list.split(|c: char| !is_ident(c)).any(|w| w == "input" || w == "output" || w == "inout");
    let mut ports = vec![];
    if ansi {
        let (mut dir, mut width) = (None, 1);
        for item in list.split(',') {
            let (d, w, names) = declaration(item, dir)?;
            let has_dir = item.split(|c: char| !is_ident(c)).any(|x| x == "input" || x == "output" || x == "inout");
            if has_dir || item.contains('[') {
                width = w;
            }
            dir = d;
            for name in names {
                let dir = dir.ok_or_else(|| Error::Input(format!("synth: port `{name}` of `{top}` has no direction")))?;
                ports.push(Port { name, dir, width });
            }
        }
    } else {
        let order: Vec<String> = list.split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        let mut decls = BTreeMap::new();
        for stmt in body.split(';') {
            let s = stmt.trim();
            if s.starts_with("input") || s.starts_with("output") || s.starts_with("inout") {
                let (d, w, names) = declaration(s, None)?;
                for n in names {
                    decls.insert(n, (d.unwrap(), w));
                }
            }
        }
        for name in order {
            let (dir, width) = *decls
                .get(&name)
                .ok_or_else(|| Error::Input(format!("synth: port `{name}` of `{top}` has no input/output declaration")))?;
            ports.push(Port { name, dir, width });
        }
    }
    Ok(ports)
}
