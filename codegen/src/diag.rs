//! Errors with the file, line and construct they are about, rendered like rustc's (the source
//! line and a caret), so a user of a new SDK header sees exactly what the generator refused.

use std::fmt;
use std::path::Path;

use crate::model::SourceLoc;

/// One located problem in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub loc: SourceLoc,
    /// The construct concerned, e.g. "class `IFoo`" or "method `IFoo::Bar`".
    pub construct: String,
    pub message: String,
    /// The text of the line at `loc`, when the file could be read.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// Builds a diagnostic and reads the offending line from disk (best effort: a missing file
    /// just means no snippet).
    pub fn new(loc: SourceLoc, construct: impl Into<String>, message: impl Into<String>) -> Self {
        let source_line = read_line(Path::new(&*loc.file), loc.line);
        Diagnostic {
            loc,
            construct: construct.into(),
            message: message.into(),
            source_line,
        }
    }
}

fn read_line(path: &Path, line: u32) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .nth(line.checked_sub(1)? as usize)
        // Control characters (binary input) would garble the terminal.
        .map(|l| {
            l.trim_end()
                .chars()
                .map(|c| {
                    if c.is_control() && c != '\t' {
                        '\u{fffd}'
                    } else {
                        c
                    }
                })
                .collect()
        })
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}: {}", self.construct, self.message)?;
        write!(f, "  --> {}", self.loc)?;
        if let Some(line) = &self.source_line {
            let number = self.loc.line.to_string();
            let pad = " ".repeat(number.len());
            // Keep tabs so the caret lines up under the same characters.
            let caret_pad: String = line
                .chars()
                .take(self.loc.column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} |\n{number} | {line}\n{pad} | {caret_pad}^")?;
        }
        Ok(())
    }
}

/// Everything that can stop a run. Every variant says what to do or where to look.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems found in the header; all of them, not just the first.
    #[error("{}", render(.0))]
    Input(Vec<Diagnostic>),
    #[error("header `{0}` not found")]
    HeaderNotFound(String),
    /// `--sdk` found no usable Windows SDK (the message lists where it looked).
    #[error("{0}")]
    Sdk(String),
    #[error(
        "cannot use libclang: {0}\nhint: install it (Debian/Ubuntu: `apt-get install libclang-dev`) or point LIBCLANG_PATH at the folder holding libclang.so / libclang.dll"
    )]
    Libclang(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot format the generated file {file}: {message}")]
    Format { file: String, message: String },
    #[error(
        "{dir} is not what `generate` would write; differing files:\n{}\nrun `cargo run -p httpserv-codegen -- generate` and commit the result",
        .files.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n")
    )]
    Stale { dir: String, files: Vec<String> },
}

fn render(diags: &[Diagnostic]) -> String {
    let mut out: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    if diags.len() > 1 {
        out.push(format!("{} errors", diags.len()));
    }
    out.join("\n\n")
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub fn input(loc: SourceLoc, construct: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input(vec![Diagnostic::new(loc, construct, message)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn renders_file_line_construct_and_caret() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "first\nclass Foo : public A, public B {{").unwrap();
        let loc = SourceLoc {
            file: file.path().display().to_string().into(),
            line: 2,
            column: 7,
        };
        let text = Diagnostic::new(loc, "class `Foo`", "multiple inheritance is not supported")
            .to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "error: class `Foo`: multiple inheritance is not supported"
        );
        assert!(lines[1].ends_with(":2:7"), "{text}");
        assert_eq!(lines[3], "2 | class Foo : public A, public B {");
        assert_eq!(lines[4], "  |       ^");
    }
}
