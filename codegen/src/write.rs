//! Stage 4: format the tokens and put them on disk atomically, or compare for `check`.

use std::io::Write;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use crate::diag::Error;

/// One generated file: path relative to the output crate, and its full text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub relative_path: PathBuf,
    pub contents: String,
}

/// Formats a token stream as a Rust source file under a `@generated` header that names the
/// input by name and hash.
///
/// prettyplease turns tokens into a well-formed file in-process; rustfmt then gives it the exact
/// shape `cargo fmt --check` expects (prettyplease wraps at another width and orders `use` lines
/// differently). rustfmt guarantees stable output within a style edition, and it runs with our
/// own config file (never a `rustfmt.toml` found near the user's folders), so the result is the
/// same on every machine.
pub fn format_file(
    relative_path: &Path,
    tokens: TokenStream,
    header_lines: &[String],
) -> Result<GeneratedFile, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Format {
        file: relative_path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut contents = String::new();
    for line in header_lines {
        contents.push_str("// ");
        contents.push_str(line);
        contents.push('\n');
    }
    contents.push_str(&rustfmt(&prettyplease::unparse(&file), relative_path)?);
    Ok(GeneratedFile {
        relative_path: relative_path.to_path_buf(),
        contents,
    })
}

/// The rustfmt settings for generated code (pinned, independent of the user's environment).
fn rustfmt_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rustfmt-generated.toml")
}

/// Runs `rustfmt` (or `$RUSTFMT`) over `source` through stdin/stdout.
fn rustfmt(source: &str, relative_path: &Path) -> Result<String, Error> {
    use std::process::{Command, Stdio};
    let program = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let format_error = |message: String| Error::Format {
        file: relative_path.display().to_string(),
        message,
    };
    let mut child = Command::new(&program)
        .arg("--config-path")
        .arg(rustfmt_config())
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format_error(format!(
                "cannot run `{}` ({e}); install it with `rustup component add rustfmt` or set RUSTFMT",
                program.to_string_lossy()
            ))
        })?;
    // Write from another thread: rustfmt may fill its stdout pipe before reading all input.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format_error(format!("rustfmt failed: {e}")))?;
    let written = writer
        .join()
        .map_err(|_| format_error("rustfmt input thread panicked".into()))?;
    if !output.status.success() {
        return Err(format_error(format!(
            "rustfmt exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    written.map_err(|e| format_error(format!("writing to rustfmt: {e}")))?;
    String::from_utf8(output.stdout).map_err(|e| format_error(format!("rustfmt output: {e}")))
}

/// Writes every file under `out_dir`. Each file is written to a temporary file in its own
/// folder and renamed over the old one, so a failure (unwritable folder, full disk) leaves the
/// previous version intact. Nothing is renamed until every temporary file is complete.
pub fn write_files(out_dir: &Path, files: &[GeneratedFile]) -> Result<(), Error> {
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        let target = out_dir.join(&file.relative_path);
        let dir = target.parent().unwrap_or(out_dir);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut temp = tempfile::Builder::new()
            .prefix(".httpserv-codegen-")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        write_contents(temp.as_file_mut(), file.contents.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| Error::io(&target, e))?;
        staged.push((temp, target));
    }
    for (temp, target) in staged {
        temp.persist(&target)
            .map_err(|e| Error::io(&target, e.error))?;
    }
    Ok(())
}

/// Test-only fault injection: with `HTTPSERV_CODEGEN_FAIL_WRITE_AFTER=N` in the environment,
/// writing a generated file fails with "no space left on device" after its first N bytes, as on
/// a full disk. The hostile-input tests use it where a small tmpfs cannot be mounted.
pub const FAIL_WRITE_AFTER_ENV: &str = "HTTPSERV_CODEGEN_FAIL_WRITE_AFTER";

fn write_contents(file: &mut std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    let limit = std::env::var(FAIL_WRITE_AFTER_ENV)
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    match limit {
        Some(limit) if limit < bytes.len() => {
            file.write_all(&bytes[..limit])?;
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                format!("No space left on device (simulated by {FAIL_WRITE_AFTER_ENV}={limit})"),
            ))
        }
        _ => file.write_all(bytes),
    }
}

/// The files under `out_dir` that differ from (or lack) what would be generated.
pub fn stale_files(out_dir: &Path, files: &[GeneratedFile]) -> Vec<String> {
    files
        .iter()
        .filter(|file| {
            std::fs::read(out_dir.join(&file.relative_path))
                .map_or(true, |on_disk| on_disk != file.contents.as_bytes())
        })
        .map(|file| out_dir.join(&file.relative_path).display().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn sample() -> GeneratedFile {
        format_file(
            Path::new("src/x.rs"),
            quote!(
                pub const A: u32 = 1;
            ),
            &["@generated test".to_string()],
        )
        .unwrap()
    }

    #[test]
    fn formats_with_header() {
        let file = sample();
        assert_eq!(file.contents, "// @generated test\npub const A: u32 = 1;\n");
    }

    #[test]
    fn write_then_check_round_trips_and_detects_edits() {
        let dir = tempfile::tempdir().unwrap();
        let files = [sample()];
        assert_eq!(stale_files(dir.path(), &files).len(), 1);
        write_files(dir.path(), &files).unwrap();
        assert!(stale_files(dir.path(), &files).is_empty());
        std::fs::write(dir.path().join("src/x.rs"), "edited").unwrap();
        assert_eq!(stale_files(dir.path(), &files).len(), 1);
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("src"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x.rs"]);
    }

    #[cfg(unix)]
    #[test]
    fn unwritable_folder_leaves_old_file_untouched() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("x.rs"), "old").unwrap();
        std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o555)).unwrap();
        let result = write_files(dir.path(), &[sample()]);
        std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Root ignores permission bits; only assert the error where the OS enforces them.
        if let Err(e) = result {
            assert!(e.to_string().contains("src"), "{e}");
            assert_eq!(std::fs::read_to_string(src.join("x.rs")).unwrap(), "old");
        }
    }
}
