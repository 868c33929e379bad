//! Real attention logits: `<prefix>_logits.npy` (float32, rows x max_len, padded with -inf)
//! and `<prefix>_lengths.npy` (int32), read with `npyz`.
//!
//! Where they come from: the repository ships a sample of the three dev sets in
//! `data/attention/` (README there: models, sampling, license); the tests read it. The full
//! sets are optional larger data: `$SOFTMAX_HW_DATA` names a folder of the same layout
//! (e.g. `../shared/data/attention`), used by `sweep` and by the tests that run on "the"
//! attention data without counting rows.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The sample shipped in the repository: `data/attention` under the crate root.
pub fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/attention")
}

/// The directory of the attention data: `$SOFTMAX_HW_DATA` when set (the full sets, or any
/// folder of the same layout), else the in-repo sample ([`sample_dir`]).
pub fn attention_dir() -> PathBuf {
    std::env::var_os("SOFTMAX_HW_DATA").map(PathBuf::from).unwrap_or_else(sample_dir)
}

fn open(path: &Path) -> Result<npyz::NpyFile<std::io::BufReader<std::fs::File>>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    npyz::NpyFile::new(std::io::BufReader::new(f)).map_err(|e| Error::io(path, e))
}

/// Rows of logits (natural-log units), each cut to its length.
pub fn load_rows(logits: &Path, lengths: Option<&Path>) -> Result<Vec<Vec<f64>>> {
    let npy = open(logits)?;
    let shape = npy.shape().to_vec();
    if shape.len() != 2 {
        return Err(Error::Input(format!("{}: shape {shape:?}: allowed a 2-D array (rows x max_len)", logits.display())));
    }
    let cols = shape[1] as usize;
    let data: Vec<f32> = npy.into_vec().map_err(|e| Error::Input(format!("{}: {e} (allowed float32)", logits.display())))?;
    let lens: Vec<usize> = match lengths {
        Some(l) => {
            let v: Vec<i32> = open(l)?.into_vec().map_err(|e| Error::Input(format!("{}: {e} (allowed int32)", l.display())))?;
            if v.len() != shape[0] as usize {
                return Err(Error::Input(format!("{}: {} lengths for {} rows", l.display(), v.len(), shape[0])));
            }
            v.into_iter().map(|x| x as usize).collect()
        }
        // without lengths: a row ends at its first -inf
        None => data.chunks(cols).map(|r| r.iter().position(|v| *v == f32::NEG_INFINITY).unwrap_or(cols)).collect(),
    };
    Ok(data
        .chunks(cols)
        .zip(lens)
        .map(|(r, n)| r[..n.min(cols)].iter().map(|&v| v as f64).collect())
        .collect())
}

/// The prefixes of the attention sets in `dir` (files `<prefix>_logits.npy`).
pub fn prefixes(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix("_logits.npy").map(String::from)).collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Loads one attention set by prefix.
pub fn load_set(dir: &Path, prefix: &str) -> Result<Vec<Vec<f64>>> {
    load_rows(&dir.join(format!("{prefix}_logits.npy")), Some(&dir.join(format!("{prefix}_lengths.npy"))))
}

/// `<prefix>_index.npy`: int32 (rows, 4) holding text_id, layer, head, query_pos.
pub fn load_index(path: &Path) -> Result<Vec<[i32; 4]>> {
    let npy = open(path)?;
    let shape = npy.shape().to_vec();
    if shape.len() != 2 || shape[1] != 4 {
        return Err(Error::Input(format!("{}: shape {shape:?}: allowed (rows, 4) int32 (text_id, layer, head, query_pos)", path.display())));
    }
    let v: Vec<i32> = npy.into_vec().map_err(|e| Error::Input(format!("{}: {e} (allowed int32)", path.display())))?;
    Ok(v.chunks(4).map(|c| [c[0], c[1], c[2], c[3]]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The in-repo sample is there and complete: the tests of a fresh clone rely on it.
    #[test]
    fn the_sample_ships_three_sets() {
        let dir = sample_dir();
        assert_eq!(prefixes(&dir), ["minilm_l6_dev", "smollm2_135m_dev", "smollm2_135m_long_dev"]);
        for (set, rows, longest) in [("minilm_l6_dev", 311, 256), ("smollm2_135m_dev", 303, 283), ("smollm2_135m_long_dev", 180, 958)] {
            let r = load_set(&dir, set).unwrap();
            assert_eq!(r.len(), rows, "{set}");
            assert_eq!(r.iter().map(|r| r.len()).max(), Some(longest), "{set}");
            assert!(r.iter().flatten().all(|v| v.is_finite()), "{set}: every valid element finite");
            assert_eq!(load_index(&dir.join(format!("{set}_index.npy"))).unwrap().len(), rows, "{set}");
        }
    }
}
