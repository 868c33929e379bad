//! Real attention logits: `<prefix>_logits.npy` (float32, rows x max_len, padded with -inf),
//! `<prefix>_lengths.npy` (int32) and `<prefix>_index.npy` (int32, rows x 4), read with `npyz`.
//!
//! Where they come from: the repository ships a sample of the three dev sets in
//! `data/attention/` (README there: models, sampling, license); the tests read it. The full
//! sets are optional larger data: `$SOFTMAX_HW_DATA` names a folder of the same layout
//! (e.g. `../shared/data/attention`), used by `sweep` and by the tests that run on "the"
//! attention data without counting rows.
//!
//! Every reader checks what it reads and returns one-line errors naming the file: the dtype,
//! the shape (2-D, at least one row and one column), the length of the data against the
//! header, lengths in 1..=max_len, and the values of every valid element (a finite real or
//! -inf; NaN and +inf are rejected). Fortran-order arrays (`fortran_order: True`) are read
//! correctly (transposed into rows).

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

fn input(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Input(format!("{}: {what}", path.display()))
}

/// An .npy array of element type `T` (`dtype` names it in errors): its shape and its elements
/// in C order (row-major), whatever the file's order.
fn read_npy<T: npyz::Deserialize + Copy>(path: &Path, dtype: &str) -> Result<(Vec<usize>, Vec<T>)> {
    use std::io::Seek;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let file_len = f.metadata().map_err(|e| Error::io(path, e))?.len();
    // npyz reports a header it cannot parse over several lines (a caret under the text)
    let header = npyz::NpyHeader::from_reader(&mut f).map_err(|e| input(path, format!("not a readable .npy file ({})", crate::error::one_line(&e.to_string()))))?;
    let data_len = file_len.saturating_sub(f.stream_position().map_err(|e| Error::io(path, e))?);
    let npy = npyz::NpyFile::with_header(header, std::io::BufReader::new(f));
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let order = npy.order();
    // the element count from the shape itself: npyz's own product wraps past 2^64
    // (shape (2^62, 4) gave 0 elements, then a capacity-overflow panic)
    let count = npy.shape().iter().try_fold(1u64, |a, &d| a.checked_mul(d));
    let descr = npy.dtype().descr();
    let reader = npy.data::<T>().map_err(|_| input(path, format!("dtype {descr}: allowed {dtype}")))?;
    // a header that declares more data than the file holds (a truncated file, or a huge
    // shape) is refused before anything is allocated
    let Some((n, need)) = count.and_then(|n| Some((n, n.checked_mul(std::mem::size_of::<T>() as u64)?))) else {
        return Err(input(path, format!("shape {shape:?} needs more than 2^64 bytes of {dtype}, the file holds {data_len} (a corrupt header?)")));
    };
    if need > data_len {
        return Err(input(path, format!("shape {shape:?} needs {n} elements of {dtype} ({need} bytes), the file holds {data_len} (truncated?)")));
    }
    let mut v = Vec::with_capacity(n as usize);
    for x in reader {
        v.push(x.map_err(|e| input(path, format!("shape {shape:?}: reading element {} of {n}: {e} (truncated?)", v.len())))?);
    }
    if order == npyz::Order::Fortran && shape.len() == 2 {
        // column-major: element (i, j) is stored at j * rows + i
        let (r, c) = (shape[0], shape[1]);
        let mut t = Vec::with_capacity(v.len());
        for i in 0..r {
            for j in 0..c {
                t.push(v[j * r + i]);
            }
        }
        v = t;
    }
    Ok((shape, v))
}

/// Rows of logits (natural-log units), each cut to its length: the `lengths` file's entry,
/// or without one up to the row's first -inf.
pub fn load_rows(logits: &Path, lengths: Option<&Path>) -> Result<Vec<Vec<f64>>> {
    let (shape, data) = read_npy::<f32>(logits, "float32")?;
    if shape.len() != 2 {
        return Err(input(logits, format!("shape {shape:?}: allowed a 2-D array (rows x max_len)")));
    }
    let (rows, cols) = (shape[0], shape[1]);
    if rows == 0 || cols == 0 {
        return Err(input(logits, format!("shape {shape:?}: allowed at least 1 row and 1 column (rows x max_len)")));
    }
    let lens: Vec<usize> = match lengths {
        Some(l) => {
            let (lshape, v) = read_npy::<i32>(l, "int32")?;
            if lshape.len() != 1 || lshape[0] != rows {
                return Err(input(l, format!("shape {lshape:?}: allowed ({rows},), one length per row of {}", logits.display())));
            }
            if let Some(i) = v.iter().position(|&n| n < 1 || n as usize > cols) {
                return Err(input(l, format!("[{i}] = {}: allowed 1..={cols} (the row width of {})", v[i], logits.display())));
            }
            v.into_iter().map(|x| x as usize).collect()
        }
        // without lengths: a row ends at its first -inf
        None => data.chunks(cols).map(|r| r.iter().position(|v| *v == f32::NEG_INFINITY).unwrap_or(cols)).collect(),
    };
    let mut out = Vec::with_capacity(rows);
    for (i, (r, n)) in data.chunks(cols).zip(lens).enumerate() {
        if let Some(j) = r[..n].iter().position(|v| v.is_nan() || *v == f32::INFINITY) {
            return Err(input(logits, format!("[{i}, {j}] = {}: allowed a finite real or -inf", r[j])));
        }
        out.push(r[..n].iter().map(|&v| v as f64).collect());
    }
    Ok(out)
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
    let (shape, v) = read_npy::<i32>(path, "int32")?;
    if shape.len() != 2 || shape[1] != 4 {
        return Err(input(path, format!("shape {shape:?}: allowed (rows, 4) int32 (text_id, layer, head, query_pos)")));
    }
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
