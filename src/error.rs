//! One error type for the library and the CLI. Every message is a single line that names
//! what was wrong (the field, the value, what is allowed); `main` prints it and exits 1.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration field has a value outside what is allowed.
    #[error("config: `{field}` = {value}: {allowed}")]
    Field { field: String, value: String, allowed: String },
    /// A command-line flag has a value outside what is allowed.
    #[error("`{flag}` = {value}: {allowed}")]
    Flag { flag: String, value: String, allowed: String },
    /// The configuration file could not be parsed (syntax, unknown key, wrong type).
    #[error("{0}")]
    Parse(String),
    /// Bad user data (CSV rows, lengths).
    #[error("{0}")]
    Input(String),
    /// A file could not be read or written.
    #[error("{path}: {err}")]
    Io { path: String, err: std::io::Error },
    /// An external tool (Verilator, Yosys, the C++ compiler) is missing or failed.
    #[error("{0}")]
    Tool(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn field(field: &str, value: impl std::fmt::Display, allowed: impl Into<String>) -> Self {
        Error::Field { field: field.into(), value: value.to_string(), allowed: allowed.into() }
    }
    pub fn flag(flag: &str, value: impl std::fmt::Display, allowed: impl Into<String>) -> Self {
        Error::Flag { flag: flag.into(), value: value.to_string(), allowed: allowed.into() }
    }
    pub fn io(path: impl AsRef<std::path::Path>, err: std::io::Error) -> Self {
        Error::Io { path: path.as_ref().display().to_string(), err }
    }
}

/// A real as error messages show it: as typed for ordinary values (`0.5`, `NaN`, `inf`), in
/// exponent form when the plain form would be long (`1e300`, not 301 digits).
pub fn real(v: f64) -> String {
    let s = v.to_string();
    if s.len() > 20 {
        format!("{v:e}")
    } else {
        s
    }
}

/// Another tool's or library's message as one line: lines trimmed and joined, the lines that
/// only draw (`|`, `^---`) dropped.
pub fn one_line(msg: &str) -> String {
    let parts: Vec<&str> = msg
        .lines()
        .map(str::trim)
        // a source line quoted as `1 | text`
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.starts_with('^') && l.split_once(" |").is_none_or(|(n, _)| n.trim().parse::<u64>().is_err()))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_and_tool_messages_print_on_one_short_line() {
        assert_eq!(real(-0.5), "-0.5");
        assert_eq!(real(f64::NAN), "NaN");
        assert_eq!(real(1e12), "1000000000000");
        assert_eq!(real(1e300), "1e300");
        assert_eq!(real(1e-300), "1e-300");
        let npyz = "could not parse Python expression: syntax error:  --> 1:35\n  |\n1 | {'descr': '<f4', 'fortran_order': Maybe}\n  |                                   ^---\n  |\n  = expected value";
        assert_eq!(one_line(npyz), "could not parse Python expression: syntax error:  --> 1:35 = expected value");
    }
}
