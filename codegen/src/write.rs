//! Stage 4: format the tokens (as rustfmt would: [`crate::style`], rustfmt itself for what it
//! declines) and put them on disk atomically, or compare for `check`.

use std::io::Write;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use crate::diag::Error;
use crate::emit::EmittedFile;

/// One generated file: path relative to the output crate, and its text.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    pub relative_path: PathBuf,
    /// The text in the pieces it was made of (the `// ` header lines, then each formatted unit),
    /// in order. Writing and comparing take them one after the other; joined into one string,
    /// the file was as much new memory again (32 MB at 100 times the bundled header's classes).
    pieces: Vec<String>,
    /// How many of the emitted units (the `use` head, each item stream) went through rustfmt
    /// rather than being laid out by [`crate::style`]: 0 for the bundled header.
    pub rustfmt_items: usize,
}

impl GeneratedFile {
    /// The whole text, joined (a copy).
    pub fn text(&self) -> String {
        self.pieces.concat()
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> usize {
        self.pieces.iter().map(String::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Two files are equal when their paths, texts and rustfmt counts are, however the texts are cut.
impl PartialEq for GeneratedFile {
    fn eq(&self, other: &Self) -> bool {
        self.relative_path == other.relative_path
            && self.rustfmt_items == other.rustfmt_items
            && self.len() == other.len()
            && self
                .pieces
                .iter()
                .flat_map(|p| p.bytes())
                .eq(other.pieces.iter().flat_map(|p| p.bytes()))
    }
}

impl Eq for GeneratedFile {}

/// How [`format_file`] gives the text its final layout.
pub enum Formatting {
    /// [`crate::style`] lays out every item it has rules for; rustfmt, started only when some
    /// item needs it, formats the others.
    Printer,
    /// Every item through rustfmt, as before [`crate::style`] existed (`generate --rustfmt`):
    /// the referee of the tests, with processes started beforehand.
    Rustfmt(Rustfmt),
}

/// Formats an emitted file as a Rust source file under a `@generated` header that names the
/// input by name and hash.
///
/// [`crate::style`] writes each item as rustfmt would, for the shapes it has rules for. An
/// item it declines is written as text by [`crate::print`] and given its layout by `rustfmt`,
/// which also parses it: emitted tokens that are no Rust are reported as an internal error.
/// rustfmt guarantees stable output within a style edition, and it runs with our own config
/// file (never a `rustfmt.toml` found near the user's folders), so the result is the same on
/// every machine.
///
/// rustfmt formats each item on its own (the generated file has no blank lines or comments
/// between items), so items can go through it apart from their neighbours: the declined items
/// are sent in runs separated by a marker comment, and the outputs put back in place. `use`
/// lines are only sorted within a run of them, so an item needs none beside it; the head
/// (inner attributes and every `use`) goes through rustfmt as a whole when declined. A large
/// amount of declined text is cut between items into pieces formatted in parallel, as the
/// whole file is with [`Formatting::Rustfmt`]; `tests` checks both against one rustfmt run.
pub fn format_file(
    relative_path: &Path,
    file: &EmittedFile,
    header_lines: &[String],
    formatting: Formatting,
) -> Result<GeneratedFile, Error> {
    match formatting {
        Formatting::Rustfmt(rustfmt) => {
            let pieces = crate::timing::stage("format: print", || {
                print_pieces(file, rustfmt.processes.len())
            });
            let formatted =
                crate::timing::stage("format: rustfmt", || rustfmt.format(pieces, relative_path))?;
            Ok(generated_file(
                relative_path,
                header_lines,
                vec![formatted],
                1 + file.items.len(),
            ))
        }
        Formatting::Printer => {
            let units = crate::timing::stage("format: print", || {
                std::iter::once(print_head(&file.inner_attrs, &file.uses))
                    .chain(file.items.iter().map(print_item))
                    .collect()
            });
            format_printed(relative_path, units, header_lines)
        }
    }
}

/// The `// ` header lines, then the `formatted` texts, as the file's pieces.
fn generated_file(
    relative_path: &Path,
    header_lines: &[String],
    formatted: Vec<String>,
    rustfmt_items: usize,
) -> GeneratedFile {
    let mut header = String::new();
    for line in header_lines {
        header.push_str("// ");
        header.push_str(line);
        header.push('\n');
    }
    let mut pieces = Vec::with_capacity(1 + formatted.len());
    pieces.push(header);
    pieces.extend(formatted);
    GeneratedFile {
        relative_path: relative_path.to_path_buf(),
        pieces,
        rustfmt_items,
    }
}

/// One emitted unit (the head: inner attributes and `use` lines; or an item stream) as the
/// printer leaves it: laid out by [`crate::style`] (`Ok`), or declined and printed as text for
/// rustfmt (`Err`).
pub type PrintedUnit = Result<String, String>;

/// The head of the file: inner attributes and every `use` line.
pub fn print_head(inner_attrs: &TokenStream, uses: &[TokenStream]) -> PrintedUnit {
    crate::style::head(inner_attrs, uses).ok_or_else(|| {
        let mut text = String::new();
        crate::print::items(inner_attrs, &mut text);
        for item in uses {
            crate::print::items(item, &mut text);
        }
        text
    })
}

/// One item stream.
pub fn print_item(item: &TokenStream) -> PrintedUnit {
    crate::style::item(item).ok_or_else(|| {
        let mut text = String::new();
        crate::print::items(item, &mut text);
        text
    })
}

/// [`Formatting::Printer`] once every unit is printed (`units`: the head, then the items, in
/// file order): rustfmt, started only now, formats the declined units.
pub fn format_printed(
    relative_path: &Path,
    units: Vec<PrintedUnit>,
    header_lines: &[String],
) -> Result<GeneratedFile, Error> {
    let declined: Vec<usize> = (0..units.len()).filter(|&k| units[k].is_err()).collect();
    let mut texts: Vec<String> = Vec::with_capacity(units.len());
    let mut pending = Vec::with_capacity(declined.len());
    for unit in units {
        match unit {
            Ok(text) => texts.push(text),
            Err(text) => {
                pending.push(text);
                texts.push(String::new());
            }
        }
    }
    if !declined.is_empty() {
        let formatted = crate::timing::stage("format: rustfmt", || {
            format_declined(&declined, pending, relative_path)
        })?;
        for (k, text) in declined.iter().zip(formatted) {
            texts[*k] = text;
        }
    }
    Ok(generated_file(
        relative_path,
        header_lines,
        texts,
        declined.len(),
    ))
}

/// A comment line between runs of declined items that are not neighbours in the file: rustfmt
/// keeps comments between items as they are, and its output is cut there (with a number that
/// makes it appear in no item's text).
const RUN_MARKER: &str = "//@httpserv-codegen: next run";

/// Formats the declined units (`indices`: their places in the file, `texts`: their printed
/// text) with rustfmt processes started now, as many as the text is worth and cores are idle.
/// Returns the formatted text of each unit, the whole text of a run of neighbours in its first
/// unit.
fn format_declined(
    indices: &[usize],
    texts: Vec<String>,
    relative_path: &Path,
) -> Result<Vec<String>, Error> {
    let total: usize = texts.iter().map(String::len).sum();
    let marker = (0..)
        .map(|n| format!("{RUN_MARKER} {n}\n"))
        .find(|marker| !texts.iter().any(|t| t.contains(marker.as_str())))
        .expect("some number is in no text");
    let count = (total / MIN_PIECE_BYTES).clamp(1, Rustfmt::wanted_after_load());
    let target = total.div_ceil(count);
    // (piece text, the unit starting each run in it).
    let mut pieces: Vec<(String, Vec<usize>)> = Vec::new();
    for (k, text) in texts.into_iter().enumerate() {
        let neighbour = k > 0 && indices[k] == indices[k - 1] + 1;
        let full = pieces.last().is_none_or(|(piece, _)| piece.len() >= target);
        if full && pieces.len() < count {
            pieces.push((text, vec![k]));
        } else {
            let (piece, runs) = pieces.last_mut().expect("never empty");
            if !neighbour {
                piece.push_str(&marker);
                runs.push(k);
            }
            piece.push_str(&text);
        }
    }
    let rustfmt = Rustfmt::spawn_n(pieces.len());
    let (texts, runs): (Vec<String>, Vec<Vec<usize>>) = pieces.into_iter().unzip();
    let outputs = rustfmt.format_each(texts, relative_path)?;
    let mut formatted = vec![String::new(); indices.len()];
    for (output, runs) in outputs.into_iter().zip(runs) {
        let parts: Vec<&str> = output.split(marker.as_str()).collect();
        if parts.len() != runs.len() {
            return Err(Error::Format {
                file: relative_path.display().to_string(),
                message: "internal error: rustfmt moved the markers between items".into(),
            });
        }
        for (part, first) in parts.into_iter().zip(runs) {
            formatted[first] = part.to_string();
        }
    }
    Ok(formatted)
}

/// The smallest piece worth a `rustfmt` process of its own (its start-up is hidden behind the
/// parse, but it still costs a core for a while).
const MIN_PIECE_BYTES: usize = 48 * 1024;

/// The text of `file` in at most `max` pieces of similar size, cut between items, the inner
/// attributes and every `use` item in the first one.
fn print_pieces(file: &EmittedFile, max: usize) -> Vec<String> {
    let mut head = String::new();
    crate::print::items(&file.inner_attrs, &mut head);
    for item in &file.uses {
        crate::print::items(item, &mut head);
    }
    let texts: Vec<String> = file
        .items
        .iter()
        .map(|item| {
            let mut text = String::new();
            crate::print::items(item, &mut text);
            text
        })
        .collect();
    let total = head.len() + texts.iter().map(String::len).sum::<usize>();
    let count = (total / MIN_PIECE_BYTES).clamp(1, max.max(1));
    let target = total.div_ceil(count);
    let mut pieces = vec![head];
    for text in texts {
        let full = pieces.last().is_some_and(|last| last.len() >= target);
        if full && pieces.len() < count {
            pieces.push(text);
        } else {
            pieces.last_mut().expect("never empty").push_str(&text);
        }
    }
    pieces
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The number of tasks running or ready to run right now, this one included (Linux: the
/// fourth field of `/proc/loadavg`, `running/total`); `None` elsewhere.
fn running_tasks() -> Option<usize> {
    let loadavg = std::fs::read_to_string("/proc/loadavg").ok()?;
    let field = loadavg.split_whitespace().nth(3)?;
    field.split('/').next()?.parse().ok()
}

/// `$RUSTFMT`; else the `rustfmt` beside the cargo running us (`cargo run` sets `CARGO` to the
/// toolchain's own binary: the rustup proxy would start that same toolchain's rustfmt, one
/// process start later); else `rustfmt` from `PATH`.
fn rustfmt_program() -> std::ffi::OsString {
    if let Some(program) = std::env::var_os("RUSTFMT") {
        return program;
    }
    if let Some(cargo) = std::env::var_os("CARGO") {
        let beside =
            Path::new(&cargo).with_file_name(format!("rustfmt{}", std::env::consts::EXE_SUFFIX));
        if beside.is_file() {
            return beside.into_os_string();
        }
    }
    "rustfmt".into()
}

/// The rustfmt settings for generated code (pinned, independent of the user's environment).
fn rustfmt_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rustfmt-generated.toml")
}

/// `rustfmt` (or `$RUSTFMT`) processes started before their input exists, reading stdin.
///
/// Starting rustfmt costs about as much as loading libclang (loading `librustc_driver`);
/// [`crate::generated_files`] starts them early so that happens on cores the generator leaves
/// idle. Up to one per core (at most [`Rustfmt::MAX_PROCESSES`], the later ones only on cores
/// that are idle, [`Rustfmt::wanted_after_load`]): large files are formatted in pieces in
/// parallel. Processes dropped unused (an error on the way, a small file) are killed and reaped.
pub struct Rustfmt {
    program: std::ffi::OsString,
    processes: Vec<std::io::Result<std::process::Child>>,
}

impl Rustfmt {
    pub const MAX_PROCESSES: usize = 4;

    /// One process per available core, up to [`Self::MAX_PROCESSES`].
    pub fn per_core() -> usize {
        cores().min(Self::MAX_PROCESSES)
    }

    /// How many processes to have once libclang is loaded: the one started first, and one per
    /// core that has nothing to run at this moment (up to [`Self::per_core`]). A process
    /// started while other work keeps the cores busy only takes time from the generator: on 2
    /// cores under load, two processes made `generate` 8 % slower than one; on an idle
    /// machine, 10 % faster (`benches/regen.py`).
    pub fn wanted_after_load() -> usize {
        let idle = match running_tasks() {
            Some(running) => cores().saturating_sub(running),
            None => cores() - 1,
        };
        (1 + idle).min(Self::per_core())
    }

    /// Starts [`Self::per_core`] processes.
    pub fn spawn() -> Rustfmt {
        Rustfmt::spawn_n(Self::per_core())
    }

    /// Starts `n` processes (at least one).
    pub fn spawn_n(n: usize) -> Rustfmt {
        let mut rustfmt = Rustfmt {
            program: rustfmt_program(),
            processes: Vec::new(),
        };
        rustfmt.top_up(n.max(1));
        rustfmt
    }

    /// Starts processes until there are `n`.
    pub fn top_up(&mut self, n: usize) {
        use std::process::{Command, Stdio};
        while self.processes.len() < n {
            let child = Command::new(&self.program)
                .arg("--config-path")
                .arg(rustfmt_config())
                .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn();
            self.processes.push(child);
        }
    }

    /// Formats each piece (stdin to stdout) with its own process and joins the outputs.
    fn format(self, pieces: Vec<String>, relative_path: &Path) -> Result<String, Error> {
        Ok(self.format_each(pieces, relative_path)?.concat())
    }

    /// Formats each piece (stdin to stdout) with its own process: the output of each.
    fn format_each(
        mut self,
        pieces: Vec<String>,
        relative_path: &Path,
    ) -> Result<Vec<String>, Error> {
        let format_error = |message: String| Error::Format {
            file: relative_path.display().to_string(),
            message,
        };
        // Processes beyond the number of pieces go back to `self`: its drop kills and reaps them.
        let mut spawned = std::mem::take(&mut self.processes).into_iter();
        let mut running = Vec::with_capacity(pieces.len());
        let mut failure = None;
        for piece in pieces {
            match spawned.next().expect("no more pieces than processes") {
                Ok(mut child) => {
                    // Write from another thread: rustfmt may fill its stdout pipe before
                    // reading all input.
                    let mut stdin = child.stdin.take().expect("stdin is piped");
                    let writer = std::thread::spawn(move || stdin.write_all(piece.as_bytes()));
                    running.push((child, writer));
                }
                Err(e) => {
                    failure = Some(format_error(format!(
                        "cannot run `{}` ({e}); install it with `rustup component add rustfmt` or set RUSTFMT",
                        self.program.to_string_lossy()
                    )));
                    break;
                }
            }
        }
        self.processes.extend(spawned);
        // Every started process is waited for, also after a failure.
        let mut formatted = Vec::new();
        for (child, writer) in running {
            let output = child
                .wait_with_output()
                .map_err(|e| format_error(format!("rustfmt failed: {e}")));
            let written = writer
                .join()
                .map_err(|_| format_error("rustfmt input thread panicked".into()));
            if failure.is_some() {
                continue;
            }
            let result = output.and_then(|output| {
                if !output.status.success() {
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    // A located error in its input: the emitted tokens are no Rust (rustfmt's
                    // parse is the only one they get).
                    let what = if stderr.contains("<stdin>:") {
                        "internal error: the emitted code does not parse (a bug of \
                         httpserv-codegen, please report it); "
                    } else {
                        ""
                    };
                    return Err(format_error(format!(
                        "{what}rustfmt exited with {}: {stderr}",
                        output.status,
                    )));
                }
                written?.map_err(|e| format_error(format!("writing to rustfmt: {e}")))?;
                String::from_utf8(output.stdout)
                    .map_err(|e| format_error(format!("rustfmt output: {e}")))
            });
            match result {
                Ok(text) => formatted.push(text),
                Err(error) => failure = Some(error),
            }
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(formatted),
        }
    }
}

impl Drop for Rustfmt {
    fn drop(&mut self) {
        for child in self.processes.iter_mut().flatten() {
            // Never given input: closing stdin alone would let it format an empty file.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Writes every file under `out_dir`. Each file is written to a temporary file in its own
/// folder and renamed over the old one, so a failure (unwritable folder, full disk) leaves the
/// previous version intact. Nothing is renamed until every temporary file is complete. A file
/// whose bytes are already those on disk is not rewritten, so its modification time stays and
/// cargo does not rebuild the generated crate after a regeneration that changed nothing.
pub fn write_files(out_dir: &Path, files: &[GeneratedFile]) -> Result<(), Error> {
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        let target = out_dir.join(&file.relative_path);
        if holds(&target, file) {
            continue;
        }
        let dir = target.parent().unwrap_or(out_dir);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".httpserv-codegen-");
        // tempfile creates its files readable by their owner only; the generated crate is read
        // by other accounts too (a build user, a container). A new file gets what any new file
        // gets (0666 less the umask), a replaced one keeps its mode.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut temp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
        let kept = std::fs::metadata(&target).map(|m| m.permissions());
        write_contents(temp.as_file_mut(), &file.pieces)
            .and_then(|()| match kept {
                Ok(permissions) => temp.as_file().set_permissions(permissions),
                Err(_) => Ok(()),
            })
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

fn write_contents(file: &mut std::fs::File, pieces: &[String]) -> std::io::Result<()> {
    let limit = std::env::var(FAIL_WRITE_AFTER_ENV)
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    // The pieces are small (a class each): buffered, they go out in 64 KiB writes.
    let mut out = std::io::BufWriter::with_capacity(64 << 10, file);
    let mut written = 0;
    for piece in pieces {
        let bytes = piece.as_bytes();
        if let Some(limit) = limit
            && written + bytes.len() > limit
        {
            out.write_all(&bytes[..limit - written])?;
            out.flush()?;
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                format!("No space left on device (simulated by {FAIL_WRITE_AFTER_ENV}={limit})"),
            ));
        }
        out.write_all(bytes)?;
        written += bytes.len();
    }
    out.flush()
}

/// The files under `out_dir` that differ from (or lack) what would be generated.
pub fn stale_files(out_dir: &Path, files: &[GeneratedFile]) -> Vec<String> {
    files
        .iter()
        .filter(|file| !holds(&out_dir.join(&file.relative_path), file))
        .map(|file| out_dir.join(&file.relative_path).display().to_string())
        .collect()
}

/// Whether the file at `path` holds exactly the text of `file`. It is compared block by block,
/// after its length: read whole, a file as large as the output (32 MB at 100 times the bundled
/// header's classes) cost as much new memory, page faults included, as making the output.
fn holds(path: &Path, file: &GeneratedFile) -> bool {
    use std::io::Read;
    let Ok(mut on_disk) = std::fs::File::open(path) else {
        return false;
    };
    if on_disk
        .metadata()
        .map_or(true, |m| m.len() != file.len() as u64)
    {
        return false;
    }
    let mut block = vec![0u8; 64 << 10];
    let mut expected = file.pieces.iter().map(String::as_bytes);
    // What is left of the piece being compared.
    let mut current: &[u8] = &[];
    loop {
        let mut read = match on_disk.read(&mut block) {
            Ok(0) => return current.is_empty() && expected.all(<[u8]>::is_empty),
            Ok(n) => &block[..n],
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        while !read.is_empty() {
            while current.is_empty() {
                match expected.next() {
                    Some(piece) => current = piece,
                    None => return false,
                }
            }
            let n = read.len().min(current.len());
            if read[..n] != current[..n] {
                return false;
            }
            read = &read[n..];
            current = &current[n..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn file(tokens: proc_macro2::TokenStream) -> EmittedFile {
        EmittedFile {
            items: vec![tokens],
            ..EmittedFile::default()
        }
    }

    fn sample() -> GeneratedFile {
        format_file(
            Path::new("src/x.rs"),
            &file(quote!(
                pub const A: u32 = 1;
            )),
            &["@generated test".to_string()],
            Formatting::Rustfmt(Rustfmt::spawn_n(1)),
        )
        .unwrap()
    }

    #[test]
    fn formats_with_header() {
        let file = sample();
        assert_eq!(file.text(), "// @generated test\npub const A: u32 = 1;\n");
    }

    #[test]
    fn formatting_in_pieces_is_formatting_at_once() {
        // Items of the shapes the generator emits, enough for several pieces, `use` lines out
        // of rustfmt's order; long lines so that rustfmt has to break them.
        let items = (0..400).map(|i| {
            let name = quote::format_ident!("IThing{i}_Vtbl");
            let doc = format!(" The vtable of thing number {i}, which is long enough to wrap.");
            quote! {
                #[doc = #doc]
                #[repr(C)]
                pub struct #name {
                    #[wrap(name = "get_thing", ret = iface_or_null, params(first = cstr, second = bytes(count)))]
                    pub GetThing: unsafe extern "system" fn(this: *mut c_void, first: *const u8, second: *const u8, count: u32) -> *mut c_void,
                    pub Other: unsafe extern "system" fn(this: *mut c_void) -> u32,
                }
                pub const #name: Option<&str> = Some("a constant whose value is long enough to need a line break");
            }
        });
        let file = EmittedFile {
            inner_attrs: quote! {
                #![doc = " Inner doc."]
                #![allow(non_snake_case)]
            },
            uses: vec![
                quote!(
                    use windows_sys::core::PCSTR;
                ),
                quote!(
                    use core::ffi::c_void;
                ),
                quote!(
                    use windows_sys::Win32::Foundation::HANDLE;
                ),
            ],
            items: items.collect(),
        };
        let header = ["@generated test".to_string()];
        let path = Path::new("src/x.rs");
        let whole = format_file(
            path,
            &file,
            &header,
            Formatting::Rustfmt(Rustfmt::spawn_n(1)),
        )
        .unwrap();
        assert!(print_pieces(&file, 3).len() == 3, "not cut");
        let pieces = format_file(
            path,
            &file,
            &header,
            Formatting::Rustfmt(Rustfmt::spawn_n(3)),
        )
        .unwrap();
        assert!(
            whole
                .text()
                .contains("use core::ffi::c_void;\nuse windows_sys::Win32")
        );
        assert_eq!(whole.text(), pieces.text());
    }

    #[test]
    fn printing_then_rustfmt_is_prettyplease_then_rustfmt() {
        // The shapes the emitter writes, with names up to print::LONG_WORD long, so that
        // rustfmt has lines it cannot fit and keeps the printed text: that text must be
        // prettyplease's.
        let items = (30..=48).step_by(6).map(|len| {
            let name = quote::format_ident!("I{}", "x".repeat(len - 1));
            let vtbl = quote::format_ident!("V{}", "y".repeat(len - 1));
            let long = "z".repeat(len);
            let text = format!("{long} and some more words to pass the width of one hundred");
            quote! {
                #[doc = " A constant."]
                pub const #name: &core::ffi::CStr = c"a string long enough to be kept as written by rustfmt, is it not?";
                pub const #vtbl: #name = #name(-1);
                pub type #name = Option<unsafe extern "system" fn(#name: *mut #vtbl, #vtbl: u32) -> #name>;
                #[repr(C)]
                pub struct #vtbl {
                    pub base__: #name,
                    #[wrap(name = #name, cpp = #text, params(#name = bytes(#vtbl), x = raw), defaults(x = -1))]
                    #[deprecated(note = #text)]
                    pub #name: unsafe extern "system" fn(this: *mut #name, #vtbl: *mut #name) -> *mut #vtbl,
                }
                impl core::fmt::Debug for #name {
                    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        write!(f, #text, core::ptr::from_ref(self))
                    }
                }
            }
        });
        let file = EmittedFile {
            items: items.collect(),
            ..EmittedFile::default()
        };
        let path = Path::new("src/x.rs");
        let printed =
            format_file(path, &file, &[], Formatting::Rustfmt(Rustfmt::spawn_n(1))).unwrap();
        let pretty = prettyplease::unparse(&syn::parse2(file.to_tokens()).unwrap());
        let expected = Rustfmt::spawn_n(1).format(vec![pretty], path).unwrap();
        assert_eq!(printed.text(), expected);
    }

    #[test]
    fn tokens_that_do_not_parse_are_an_internal_error() {
        // The printer declines what it does not recognise; that item goes to rustfmt, whose
        // parse reports it. Between items the printer lays out itself (before and after), so
        // that the declined one is sent alone, after a run marker.
        let file = EmittedFile {
            items: vec![
                quote!(
                    pub const A: u32 = 1;
                ),
                quote!(pub struct A { a: u32 b: u8 }),
                quote!(
                    pub const B: u32 = 2;
                ),
            ],
            ..EmittedFile::default()
        };
        assert!(crate::style::item(&file.items[0]).is_some());
        assert!(crate::style::item(&file.items[1]).is_none());
        for formatting in [
            Formatting::Printer,
            Formatting::Rustfmt(Rustfmt::spawn_n(1)),
        ] {
            let error = format_file(Path::new("src/x.rs"), &file, &[], formatting)
                .unwrap_err()
                .to_string();
            assert!(error.contains("src/x.rs"), "{error}");
            assert!(
                error.contains("internal error: the emitted code does not parse"),
                "{error}"
            );
            assert!(error.contains("b: u8"), "{error}");
        }
    }

    #[test]
    fn declined_items_are_formatted_in_place() {
        // Items the printer declines (a `static`, which it has no rule for) between items it
        // lays out: rustfmt formats them in runs, and they come back in their places.
        let laid_out = |i: usize| {
            let name = quote::format_ident!("A{i}");
            quote!(
                pub const #name: u32 = 1;
            )
        };
        let declined = |i: usize| {
            let name = quote::format_ident!("S{i}");
            // A doc with the first marker's text: the marker must take another number.
            let doc = format!(" {RUN_MARKER} 0");
            quote!(
                #[doc = #doc]
                pub static #name: u32 = 1;
            )
        };
        let file = EmittedFile {
            uses: vec![quote!(
                use core::ffi::c_void;
            )],
            items: vec![
                declined(0),
                declined(1),
                laid_out(2),
                declined(3),
                laid_out(4),
                laid_out(5),
                declined(6),
            ],
            ..EmittedFile::default()
        };
        let path = Path::new("src/x.rs");
        let printed = format_file(path, &file, &[], Formatting::Printer).unwrap();
        let formatted =
            format_file(path, &file, &[], Formatting::Rustfmt(Rustfmt::spawn_n(1))).unwrap();
        assert_eq!(printed.text(), formatted.text());
        assert_eq!(printed.rustfmt_items, 4);
    }

    /// Items of every shape the emitter writes, with names, literals and parameter lists
    /// whose lengths put each layout rule of `style.rs` on both sides of its limits.
    fn width_sweep_items() -> Vec<proc_macro2::TokenStream> {
        let mut items = Vec::new();
        for len in 1..=100usize {
            let id = |prefix: &str, n: usize| {
                quote::format_ident!("{prefix}{len}_{}", "x".repeat(n.min(120)))
            };
            let text = "t".repeat(len);
            let name = id("K", len % 50);
            let ty = id("T", (len * 7) % 60);
            let doc = format!(" Doc of {len}.");
            let param_names: Vec<_> = (0..len % 6)
                .map(|k| id("p", (len * (k + 3)) % 40))
                .collect();
            let params = param_names.iter().map(|p| quote!(#p: *mut #ty));
            let anon: Vec<_> = (0..len % 4).map(|_| quote!(*mut #ty)).collect();
            let ret = (len % 3 > 0).then(|| {
                let r = id("R", (len * 7) % 70);
                quote!(-> *mut #r)
            });
            let field = id("F", (len * 11) % 60);
            let note = "n".repeat((len * 13) % 110);
            let derive: Vec<_> = (0..len % 12).map(|k| id("D", k * 3)).collect();
            let allow: Vec<_> = (0..2).map(|k| id("a", (len * (k + 1)) % 40)).collect();
            let format = format!("{}({{:p}})", "I".repeat(len));
            let value = proc_macro2::Literal::u32_unsuffixed(len as u32);
            items.push(quote! {
                #[doc = #doc]
                pub const #name: u32 = 0x0000_0001;
                pub const #name: &str = #text;
                pub const #name: &core::ffi::CStr = c"abc";
                pub const #name: #ty = #ty(#value);
                pub const #name: #ty = #ty(-1);
                pub const #name: &widestring::U16CStr = widestring::u16cstr!(#text);
                pub const #name: Option<&str> = Some(#text);
                pub type #name = #ty;
                pub type #name = Option<unsafe extern "system" fn(#(#anon),*) #ret>;
                #[derive(#(#derive),*)]
                #[allow(#(#allow),*)]
                #[repr(C)]
                pub struct #ty {
                    #[deprecated(note = #note)]
                    pub #field: unsafe extern "system" fn(#(#params),*) #ret,
                    pub #name: #ty,
                    pub #field: Option<unsafe extern "C" fn(#(#anon),*) #ret>,
                }
                pub struct #name(pub i32);
                impl core::fmt::Debug for #ty {
                    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        write!(f, #format, core::ptr::from_ref(self))
                    }
                }
                impl core::ops::Deref for #ty {
                    type Target = #name;
                    #[inline]
                    fn deref(&self) -> &#name {
                        unsafe { &*(self as *const Self as *const #name) }
                    }
                }
                impl #ty {
                    pub const IID: GUID = GUID::from_u128(0x7c1f3a52_0d4b_4e8a_9b36_000000000015);
                    pub const fn contains(self, other: Self) -> bool {
                        self.0 & other.0 == other.0
                    }
                    fn bitor_assign(&mut self, other: Self) {
                        self.0 |= other.0;
                    }
                }
            });
        }
        items
    }

    #[test]
    fn printer_layout_is_rustfmt_layout_across_widths() {
        let uses = [
            "core::ffi::c_void",
            "windows_sys::core::GUID",
            "windows_sys::Win32::System::IO::OVERLAPPED",
            "windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT",
            "a::b_c::x2",
            "a::b_c::x10",
            "a::b_c::X_1",
            "a::b_c::x_1",
            "a::bc::x",
            "a::b::c",
            "a::B::c",
            "a::b",
        ];
        let file = EmittedFile {
            inner_attrs: quote! {
                #![doc = " Inner."]
                #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
            },
            uses: uses
                .iter()
                .map(|u| {
                    let path: syn::Path = syn::parse_str(u).unwrap();
                    quote!(use #path;)
                })
                .collect(),
            // One item per stream, so that a declined one does not hide the others.
            items: width_sweep_items()
                .into_iter()
                .flat_map(|stream| {
                    let file: syn::File = syn::parse2(stream).unwrap();
                    file.items
                        .into_iter()
                        .map(quote::ToTokens::into_token_stream)
                        .collect::<Vec<_>>()
                })
                .collect(),
        };
        let path = Path::new("src/x.rs");
        let printed = format_file(path, &file, &[], Formatting::Printer).unwrap();
        let formatted =
            format_file(path, &file, &[], Formatting::Rustfmt(Rustfmt::spawn_n(2))).unwrap();
        if printed.text() != formatted.text() {
            let line = printed
                .text()
                .lines()
                .zip(formatted.text().lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let show = |t: &str| {
                t.lines()
                    .skip(line.saturating_sub(4))
                    .take(12)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            panic!(
                "differs at line {}:\n--- printer\n{}\n--- rustfmt\n{}",
                line + 1,
                show(&printed.text()),
                show(&formatted.text())
            );
        }
        let total = file.items.len() + 1;
        eprintln!("{} of {total} items through rustfmt", printed.rustfmt_items);
        assert!(
            printed.rustfmt_items * 4 < total,
            "{} of {total}",
            printed.rustfmt_items
        );
    }

    #[test]
    fn write_then_check_round_trips_and_detects_edits() {
        let dir = tempfile::tempdir().unwrap();
        let files = [sample()];
        assert_eq!(stale_files(dir.path(), &files).len(), 1);
        write_files(dir.path(), &files).unwrap();
        assert!(stale_files(dir.path(), &files).is_empty());
        // Unchanged: not rewritten (same modification time).
        let modified = || {
            std::fs::metadata(dir.path().join("src/x.rs"))
                .unwrap()
                .modified()
                .unwrap()
        };
        let first = modified();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_files(dir.path(), &files).unwrap();
        assert_eq!(modified(), first);
        std::fs::write(dir.path().join("src/x.rs"), "edited").unwrap();
        assert_eq!(stale_files(dir.path(), &files).len(), 1);
        // Same length, one byte different: stale, and rewritten.
        for at in [0, files[0].len() - 1] {
            let mut bytes = files[0].text().into_bytes();
            bytes[at] ^= 0x20;
            std::fs::write(dir.path().join("src/x.rs"), &bytes).unwrap();
            assert_eq!(stale_files(dir.path(), &files).len(), 1, "byte {at}");
            write_files(dir.path(), &files).unwrap();
            assert!(stale_files(dir.path(), &files).is_empty(), "byte {at}");
        }
        // Longer than the output, the output as its start: stale.
        std::fs::write(dir.path().join("src/x.rs"), files[0].text() + "\n").unwrap();
        assert_eq!(stale_files(dir.path(), &files).len(), 1);
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("src"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x.rs"]);
    }

    /// `text` as a file cut into pieces of the given lengths, in turn, an empty piece after each.
    fn cut(text: &str, lengths: &[usize]) -> GeneratedFile {
        let mut pieces = Vec::new();
        let mut rest = text;
        for &n in lengths.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (piece, after) = rest.split_at(n.min(rest.len()));
            pieces.push(piece.to_string());
            pieces.push(String::new());
            rest = after;
        }
        GeneratedFile {
            relative_path: PathBuf::from("big.rs"),
            pieces,
            rustfmt_items: 0,
        }
    }

    #[test]
    fn holds_compares_every_block_and_the_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.rs");
        // Three and a half blocks of the comparison.
        let text: String = (0..(7 << 15))
            .map(|i| (b'a' + (i % 26) as u8) as char)
            .collect();
        std::fs::write(&path, &text).unwrap();
        // Pieces that end inside, at and across the blocks' ends.
        for lengths in [
            &[text.len()][..],
            &[1000],
            &[(64 << 10) - 1, 2],
            &[70_000, 1, 300],
        ] {
            assert!(holds(&path, &cut(&text, lengths)), "{lengths:?}");
            for at in [0, (64 << 10) - 1, 64 << 10, 150_000, text.len() - 1] {
                let mut other = text.clone().into_bytes();
                other[at] = b'#';
                let other = String::from_utf8(other).unwrap();
                assert!(
                    !holds(&path, &cut(&other, lengths)),
                    "byte {at}, {lengths:?}"
                );
            }
            let shorter = &text[..text.len() - 1];
            assert!(!holds(&path, &cut(shorter, lengths)), "{lengths:?}");
            let longer = format!("{text}x");
            assert!(!holds(&path, &cut(&longer, lengths)), "{lengths:?}");
        }
        assert!(!holds(&dir.path().join("missing.rs"), &cut("", &[1])));
    }

    /// This process's umask, from the kernel (setting it to read it would race other tests).
    #[cfg(target_os = "linux")]
    fn umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
        u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn new_files_get_the_umask_mode_replaced_files_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let written = dir.path().join("src/x.rs");
        write_files(dir.path(), &[sample()]).unwrap();
        assert_eq!(mode(&written), 0o666 & !umask());

        std::fs::write(&written, "old").unwrap();
        std::fs::set_permissions(&written, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_files(dir.path(), &[sample()]).unwrap();
        assert_ne!(std::fs::read_to_string(&written).unwrap(), "old");
        assert_eq!(mode(&written), 0o640);
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
