//! Rows of real-valued logits in CSV: one row per line, comma-separated. Blank lines and
//! lines starting with `#` are skipped. Values parse as f64 (`-inf` allowed, NaN rejected).

use crate::error::{Error, Result};
use std::path::Path;

pub fn read_rows(path: &Path) -> Result<Vec<Vec<f64>>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_rows(&text, &path.display().to_string())
}

pub fn parse_rows(text: &str, origin: &str) -> Result<Vec<Vec<f64>>> {
    let mut rows = vec![];
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut row = vec![];
        for (j, field) in line.split(',').enumerate() {
            let f = field.trim();
            match f.parse::<f64>() {
                Ok(v) if !v.is_nan() => row.push(v),
                _ => {
                    return Err(Error::Input(format!(
                        "{origin}:{}: field {} = {f:?} is not a number (allowed: a decimal real, or -inf)",
                        i + 1,
                        j + 1
                    )))
                }
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
