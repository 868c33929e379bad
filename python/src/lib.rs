//! `softmax_hw._native`: the golden model of a configured unit on numpy arrays, in process
//! and on every core (rayon). The Python package `softmax_hw` wraps it (`python/softmax_hw`).
//! Everything is computed by the library's [`softmax_hw::golden`], the same code as
//! `softmax-hw golden`, so the results are bit-exact to the CLI and to the Verilog.

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use softmax_hw::config::Config;
use softmax_hw::golden::{self, Batch, BatchOut};
use softmax_hw::params::UnitParams;

fn value_error(e: softmax_hw::Error) -> PyErr {
    match e {
        softmax_hw::Error::Io { .. } => PyOSError::new_err(e.to_string()),
        e => PyValueError::new_err(e.to_string()),
    }
}

/// A configured softmax unit: its validated parameters, from a TOML configuration.
#[pyclass(frozen, module = "softmax_hw._native")]
struct Unit {
    p: UnitParams,
    origin: String,
}

/// The arrays of one run: codes, values, keep flags (rows x width), kept and saturated counts.
type RunOut<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
);

#[pymethods]
impl Unit {
    /// Unit(toml_text, origin="<string>"): a unit from the text of a configuration; errors
    /// (ValueError) are one line naming `origin`, the field, the value and what is allowed.
    #[new]
    #[pyo3(signature = (toml_text, origin = "<string>"))]
    fn new(toml_text: &str, origin: &str) -> PyResult<Self> {
        let cfg = Config::parse(toml_text, origin).map_err(value_error)?;
        let p = UnitParams::new(&cfg).map_err(|e| PyValueError::new_err(format!("{origin}: {e}")))?;
        Ok(Unit { p, origin: origin.to_string() })
    }

    /// Where the configuration came from (a path, or "<string>").
    #[getter]
    fn origin(&self) -> &str {
        &self.origin
    }

    /// The Verilog top module's name.
    #[getter]
    fn module_name(&self) -> String {
        self.p.module_name()
    }

    /// The configuration with every default filled in, as TOML.
    #[getter]
    fn resolved_toml(&self) -> String {
        self.p.resolved_toml()
    }

    /// 2 or "e".
    #[getter]
    fn base(&self) -> String {
        match self.p.base {
            softmax_hw::config::Base::Two => "2".into(),
            softmax_hw::config::Base::E => "e".into(),
        }
    }

    /// log2 e in front of the unit ("multiplier"), folded into the input ("upstream"), or None (base 2).
    #[getter]
    fn log2e(&self) -> Option<String> {
        self.p.log2e.map(|l| format!("{l:?}").to_lowercase())
    }

    #[getter]
    fn max_len(&self) -> u32 {
        self.p.max_len
    }

    #[getter]
    fn lanes(&self) -> u32 {
        self.p.lanes
    }

    /// (bits, frac) of the input, two's complement.
    #[getter]
    fn input_format(&self) -> (u32, u32) {
        (self.p.input.bits, self.p.input.frac)
    }

    /// (bits, frac) of the output, unsigned.
    #[getter]
    fn output_format(&self) -> (u32, u32) {
        (self.p.output.bits, self.p.output.frac)
    }

    /// Sparse mode ("threshold", "stat_topk", "topk") or None for a dense unit.
    #[getter]
    fn sparse_mode(&self) -> Option<String> {
        self.p.sparse.as_ref().map(|sp| softmax_hw::params::sparse::mode_name(sp.mode).to_string())
    }

    /// Sparse units: the theta register's reset value in input units.
    #[getter]
    fn theta(&self) -> Option<f64> {
        self.p.sparse.as_ref().map(|sp| sp.theta as f64 * self.p.input.lsb())
    }

    /// Sparse units: theta (input units) as the code of the `theta` port (input LSBs).
    fn theta_code(&self, theta: f64) -> PyResult<u64> {
        golden::theta_code(&self.p, theta, "theta").map_err(value_error)
    }

    /// Input codes of logits (natural-log units; -inf: masked, returned as None).
    fn quantize(&self, logits: Vec<f64>) -> PyResult<Vec<Option<i64>>> {
        if let Some(v) = logits.iter().find(|v| v.is_nan() || **v == f64::INFINITY) {
            return Err(PyValueError::new_err(format!("logit = {v}: allowed a finite real, or -inf (masked)")));
        }
        Ok(logits.iter().map(|&v| Some(self.p.quantize_logit(v)).filter(|&c| c != softmax_hw::fixfmt::MASKED)).collect())
    }

    /// run(scores, lengths=None, theta=None) -> (codes, values, keep, kept, saturated).
    /// scores: float32 (rows, width), natural-log logits, -inf masked; lengths: int64 per
    /// row (default width); theta: float64 per row in input units (sparse units).
    #[pyo3(signature = (scores, lengths = None, theta = None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        scores: PyReadonlyArray2<'py, f32>,
        lengths: Option<PyReadonlyArray1<'py, i64>>,
        theta: Option<PyReadonlyArray1<'py, f64>>,
    ) -> PyResult<RunOut<'py>> {
        let [rows, width] = [scores.shape()[0], scores.shape()[1]];
        let logits = scores.as_slice().map_err(|_| PyValueError::new_err("scores: allowed a C-contiguous float32 array"))?;
        let lengths: Option<Vec<usize>> = match &lengths {
            None => None,
            Some(l) => Some(
                l.as_array()
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| usize::try_from(n).map_err(|_| PyValueError::new_err(format!("lengths[{i}] = {n}: allowed 0..={width} (the row width)"))))
                    .collect::<PyResult<_>>()?,
            ),
        };
        let theta: Option<Vec<u64>> = match &theta {
            None => None,
            Some(t) => Some(
                t.as_array()
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| golden::theta_code(&self.p, v, &format!("theta[{i}]")).map_err(value_error))
                    .collect::<PyResult<_>>()?,
            ),
        };
        let batch = Batch { logits, width, lengths: lengths.as_deref(), theta: theta.as_deref() };
        batch.check(&self.p).map_err(value_error)?;
        let n = rows * width;
        let (mut codes, mut values, mut keep) = (vec![0u32; n], vec![0f32; n], vec![false; n]);
        let (mut kept, mut saturated) = (vec![0u32; rows], vec![0u32; rows]);
        let p = &self.p;
        py.detach(|| {
            let out = BatchOut { codes: &mut codes, values: &mut values, keep: &mut keep, kept: &mut kept, saturated: &mut saturated };
            golden::run_batch(p, &batch, out)
        });
        Ok((
            PyArray1::from_vec(py, codes).reshape([rows, width])?.into_any(),
            PyArray1::from_vec(py, values).reshape([rows, width])?.into_any(),
            PyArray1::from_vec(py, keep).reshape([rows, width])?.into_any(),
            PyArray1::from_vec(py, kept),
            PyArray1::from_vec(py, saturated),
        ))
    }
}

/// A random valid configuration (the `fuzz` command's sampler) as TOML text.
#[pyfunction]
#[pyo3(signature = (seed, max_len_cap = 2048))]
fn random_config(seed: u64, max_len_cap: u32) -> String {
    softmax_hw::fuzz::random_config(seed, max_len_cap)
}

/// The text of a built-in example configuration (`configs/<name>.toml`), or None.
#[pyfunction]
fn example_config(name: &str) -> Option<String> {
    softmax_hw::config::example_text(name).map(str::to_string)
}

/// The names of the built-in example configurations (`configs/*.toml`).
#[pyfunction]
fn examples() -> Vec<&'static str> {
    softmax_hw::config::EXAMPLES.iter().map(|(n, _)| *n).collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Unit>()?;
    m.add_function(wrap_pyfunction!(random_config, m)?)?;
    m.add_function(wrap_pyfunction!(example_config, m)?)?;
    m.add_function(wrap_pyfunction!(examples, m)?)?;
    m.add("DEFAULT_CONFIG", softmax_hw::config::DEFAULT_CONFIG)?;
    Ok(())
}
