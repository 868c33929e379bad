//! Rows of real-valued logits in CSV: one row per line, comma-separated. Blank lines and
//! lines starting with `#` are skipped, and so is a UTF-8 byte-order mark at the start. A value is a finite real or `-inf` ([`parse_value`]);
//! NaN, +inf and out-of-range reals are rejected with the file, line, field and value.

use crate::error::{Error, Result};
use std::path::Path;

/// What a field may hold, as error messages say it.
pub const ALLOWED: &str = "a finite decimal real (|x| < 1.8e308), or -inf";

/// A field's value: a finite real, or -inf spelled as such (`-inf`, `-infinity`, any case).
/// NaN, +inf and reals too large for f64 (`1e400`, `-1e400`) are refused rather than
/// saturated.
pub fn parse_value(f: &str) -> Option<f64> {
    let v = f.parse::<f64>().ok()?;
    let neg_inf = matches!(f.to_ascii_lowercase().as_str(), "-inf" | "-infinity");
    (v.is_finite() || neg_inf).then_some(v)
}

pub fn read_rows(path: &Path) -> Result<Vec<Vec<f64>>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_rows(&text, &path.display().to_string())
}

pub fn parse_rows(text: &str, origin: &str) -> Result<Vec<Vec<f64>>> {
    // a byte-order mark (spreadsheet exports) is not part of the first value
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = vec![];
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut row = vec![];
        for (j, field) in line.split(',').enumerate() {
            let f = field.trim();
            match parse_value(f) {
                Some(v) => row.push(v),
                None => return Err(Error::Input(format!("{origin}:{}: field {} = {f:?}: allowed {ALLOWED}", i + 1, j + 1))),
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::Input(format!("{origin}: no rows (allowed: one row of comma-separated logits per line)")));
    }
    Ok(rows)
}

/// Checks row lengths against the unit and quantizes every logit to the input format.
pub fn quantize_rows(p: &crate::params::UnitParams, rows: &[Vec<f64>], origin: &str) -> Result<Vec<Vec<i64>>> {
    if let Some(i) = rows.iter().position(|r| r.len() > p.max_len as usize) {
        return Err(Error::Input(format!(
            "{origin}: row {} has {} elements: allowed 1..={} (max_len of the configuration)",
            i + 1,
            rows[i].len(),
            p.max_len
        )));
    }
    Ok(rows.iter().map(|r| r.iter().map(|&v| p.quantize_logit(v)).collect()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_finite_reals_and_minus_inf_are_values() {
        for ok in ["0", "-1.5", "1e300", "-1e-400", "+2", "-inf", "-Infinity", "-INF"] {
            assert!(parse_value(ok).is_some(), "{ok}");
        }
        for bad in ["", "x", "nan", "NaN", "inf", "+inf", "infinity", "1e400", "-1e400", "1,2"] {
            assert_eq!(parse_value(bad), None, "{bad}");
        }
        assert_eq!(parse_rows("\u{feff}1,2\n", "r.csv").unwrap(), vec![vec![1.0, 2.0]], "a byte-order mark is skipped");
        let e = parse_rows("1,2\n3,+inf\n", "r.csv").unwrap_err().to_string();
        assert_eq!(e, "r.csv:2: field 2 = \"+inf\": allowed a finite decimal real (|x| < 1.8e308), or -inf");
    }
}
