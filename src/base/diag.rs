//! Diagnostics: every problem met while importing or analysing, with a severity and a place, never a panic.

use serde::Serialize;

/// How bad a problem is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, nothing was lost (e.g. "log starts inside a packet, fragment skipped" is a warning, not info).
    Info,
    /// Something could not be read completely; what could be read is still shown.
    Warning,
    /// Input that could not be used at all (unsupported format, binary junk).
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem, located in a file (by index into `Analysis::files`) and a 1-based line when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Index into the analysis' file list.
    pub file: Option<u32>,
    /// 1-based line number in that file.
    pub line: Option<u32>,
    /// Index of the message this diagnostic is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg: Option<u32>,
}

impl Diagnostic {
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            file: None,
            line: None,
            msg: None,
        }
    }
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }
    pub fn info(message: impl Into<String>) -> Self {
        Self::new(Severity::Info, message)
    }
    pub fn at(mut self, file: u32, line: u32) -> Self {
        self.file = Some(file);
        self.line = Some(line);
        self
    }
    pub fn in_file(mut self, file: u32) -> Self {
        self.file = Some(file);
        self
    }
    pub fn about(mut self, msg: u32) -> Self {
        self.msg = Some(msg);
        self
    }
}
