"""softmax-hw's golden model in Python: a configured softmax unit on numpy arrays.

    import numpy as np, softmax_hw
    unit = softmax_hw.Unit.from_file("configs/exact8.toml")   # or Unit(toml_text), Unit.example("exact8")
    out = unit.run(scores)            # float32 [..., L] natural-log logits, -inf = masked
    out.values, out.codes, out.keep, out.kept

Bit-exact to `softmax-hw golden` (the same Rust code, in process, on every core), and so
to the Verilog the tool generates. `softmax_hw.torch` puts a unit inside a Hugging Face
model; `python -m softmax_hw evaluate|calibrate` measure what it does to the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import numpy as np

from . import _native

__all__ = ["Unit", "Result", "random_config", "example_config", "EXAMPLES"]

#: The example configurations built into the tool (`configs/*.toml`).
EXAMPLES = list(_native.examples())


def random_config(seed: int, max_len_cap: int = 2048) -> str:
    """A random valid configuration (the sampler of `softmax-hw fuzz`) as TOML text."""
    return _native.random_config(seed, max_len_cap)


def example_config(name: str) -> str:
    """The TOML text of a built-in example (`configs/<name>.toml`)."""
    text = _native.example_config(name)
    if text is None:
        raise ValueError(f"example {name!r}: allowed one of {', '.join(EXAMPLES)}")
    return text


@dataclass
class Result:
    """What the unit outputs for a batch of rows; arrays have the shape of the scores."""

    #: output probabilities: codes times the output LSB (float32, 0 where masked, dropped or past a row's length)
    values: np.ndarray
    #: raw output codes (uint32), what `m_axis_tdata` carries
    codes: np.ndarray
    #: sparse units: keep flags (bool), `m_axis_tuser`; dense units: None
    keep: Optional[np.ndarray]
    #: sparse units: kept elements per row (int64, shape [...]), `m_axis_kept` with tlast; dense units: None
    kept: Optional[np.ndarray]
    #: finite inputs that saturated to the input format's range, per row (int64, shape [...])
    saturated: np.ndarray


class Unit:
    """A softmax unit of a configuration. `run` is its golden model."""

    def __init__(self, toml_text: str, origin: str = "<string>"):
        self._u = _native.Unit(toml_text, origin)

    @classmethod
    def from_file(cls, path: Union[str, Path]) -> "Unit":
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as e:
            raise OSError(f"{path}: {e.strerror or e}") from None
        return cls(text, str(path))

    @classmethod
    def example(cls, name: str) -> "Unit":
        return cls(example_config(name), f"configs/{name}.toml")

    def __repr__(self) -> str:
        return f"softmax_hw.Unit({self.module_name}, from {self.origin})"

    # what the configuration resolves to
    origin = property(lambda self: self._u.origin, doc="where the configuration came from")
    module_name = property(lambda self: self._u.module_name, doc="the Verilog top module's name")
    resolved_toml = property(lambda self: self._u.resolved_toml, doc="the configuration with every default filled in")
    base = property(lambda self: self._u.base, doc='"2" or "e"')
    log2e = property(lambda self: self._u.log2e, doc='"multiplier", "upstream" or None')
    max_len = property(lambda self: self._u.max_len)
    lanes = property(lambda self: self._u.lanes)
    input_format = property(lambda self: self._u.input_format, doc="(bits, frac), two's complement")
    output_format = property(lambda self: self._u.output_format, doc="(bits, frac), unsigned")
    sparse_mode = property(lambda self: self._u.sparse_mode, doc='"threshold", "stat_topk", "topk" or None')
    theta = property(lambda self: self._u.theta, doc="sparse units: the theta register's reset value, input units")

    @property
    def input_lsb(self) -> float:
        return 2.0 ** -self.input_format[1]

    @property
    def output_lsb(self) -> float:
        return 2.0 ** -self.output_format[1]

    def theta_code(self, theta: float) -> int:
        """theta (input units) as the `theta` port's code (input LSBs)."""
        return self._u.theta_code(float(theta))

    def run(self, scores, lengths=None, theta=None) -> Result:
        """Runs every row of `scores` (float, shape [..., L]: rows of natural-log logits,
        `-inf` for a masked element) through the unit.

        lengths: per-row element counts (shape [...]; default L): elements past a row's
        length are not part of it and output 0. theta: sparse units, the theta register
        per row in input units (a scalar or shape [...]; default the configuration's).
        Rows run in parallel on every core (RAYON_NUM_THREADS sets how many).
        """
        x = np.asarray(scores)
        if x.ndim == 0:
            raise ValueError("scores: allowed an array of shape [..., L], got a scalar")
        lead, width = x.shape[:-1], x.shape[-1]
        rows = int(np.prod(lead, dtype=np.int64)) if lead else 1
        x2 = np.ascontiguousarray(x.reshape(rows, width), dtype=np.float32)
        ln = None
        if lengths is not None:
            ln = np.broadcast_to(np.asarray(lengths), lead).reshape(rows)
            if not np.issubdtype(ln.dtype, np.integer):
                raise ValueError(f"lengths: allowed integers, got dtype {ln.dtype}")
            ln = np.ascontiguousarray(ln, dtype=np.int64)
        th = None
        if theta is not None:
            th = np.ascontiguousarray(np.broadcast_to(np.asarray(theta, dtype=np.float64), lead).reshape(rows))
        if rows == 0 or width == 0:
            z = np.zeros(x.shape, dtype=np.uint32)
            sparse = self.sparse_mode is not None
            return Result(z.astype(np.float32), z, z.astype(bool) if sparse else None,
                          np.zeros(lead, np.int64) if sparse else None, np.zeros(lead, np.int64))
        codes, values, keep, kept, sat = self._u.run(x2, ln, th)
        sparse = self.sparse_mode is not None
        return Result(
            values=values.reshape(x.shape),
            codes=codes.reshape(x.shape),
            keep=keep.reshape(x.shape) if sparse else None,
            kept=kept.astype(np.int64).reshape(lead) if sparse else None,
            saturated=sat.astype(np.int64).reshape(lead),
        )

    def __call__(self, scores, lengths=None, theta=None) -> np.ndarray:
        """The output probabilities only (`run(...).values`)."""
        return self.run(scores, lengths, theta).values

    def quantize(self, logits) -> list:
        """Input codes of logits (None for -inf, a masked element)."""
        return self._u.quantize([float(v) for v in np.asarray(logits, dtype=np.float64).ravel()])
