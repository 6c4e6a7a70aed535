//! `httpserv-codegen`: turns the IIS native-module header `httpserv.h` into Rust.
//!
//! The pipeline is a chain of small stages with typed values between them:
//!
//! ```text
//! parse   (libclang)  header ─▶ model::Api
//! validate (pure)     Api ─▶ ()                       what Rust cannot express (validate.rs)
//! layout  (pure)      Api ─▶ Vec<VtableLayout>          MSVC slot order
//! emit    (quote)     Api + layouts ─▶ EmittedFile (token streams: attributes, uses, items)
//! validate (tokens)   EmittedFile ─▶ ()                names defined twice
//! write   (rustfmt's layout: style.rs, else print + rustfmt; atomic rename)
//!                     ─▶ generated/src/bindings.rs
//! report  layouts ─▶ the `layout` table / the ABI table the clang referee tests read
//! ```
//!
//! With two cores, the stages run on two threads (`parallel.rs`): the model checks beside the
//! layouts and the wrap plan, then emit, the name checks and the printer's layout taking the
//! classes from both ends; the file and the errors are the same as on one thread.

pub mod diag;
pub mod diff;
pub mod emit;
pub mod external;
pub mod layout;
pub mod libclang;
pub mod model;
pub mod parallel;
pub mod parse;
pub mod print;
pub mod provenance;
pub mod report;
pub mod sdk;
pub mod style;
pub mod timing;
pub mod validate;
pub mod wrap;
pub mod write;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub use diag::{Diagnostic, Error};
pub use layout::VtableLayout;
pub use model::{Api, Target};
pub use write::GeneratedFile;

/// Where the generated crate keeps the file we write, relative to the crate folder.
pub const BINDINGS_FILE: &str = "src/bindings.rs";

/// What to read and where to write. `Default` is the bundled header, x86_64, `generated/`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The header to bind; `None` means the bundled clean-room `codegen/sdk/httpserv.h`.
    pub header: Option<PathBuf>,
    /// Extra include folders (searched before the bundled shims).
    pub include_dirs: Vec<PathBuf>,
    pub target: Target,
    /// The generated crate's folder; `None` means this workspace's `generated/`.
    pub out_dir: Option<PathBuf>,
    /// Take the header from an installed Windows SDK instead (`--sdk`); excludes `header`.
    pub sdk: Option<sdk::SdkVersion>,
    /// Format every item with rustfmt, as before the printer had layout rules (`--rustfmt`):
    /// the referee of the printer's tests, and the old path for benchmarks.
    pub force_rustfmt: bool,
    /// Emit and print on one thread (`--single-thread`), as [`parallel`] does on two when
    /// there are two cores: the referee of its tests, and its baseline in benchmarks.
    pub single_thread: bool,
}

impl Options {
    pub fn header_path(&self) -> PathBuf {
        self.header.clone().unwrap_or_else(bundled_header)
    }

    pub fn out_path(&self) -> PathBuf {
        self.out_dir.clone().unwrap_or_else(default_out_dir)
    }
}

/// The bundled clean-room header.
pub fn bundled_header() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk/httpserv.h")
}

/// Our stand-ins for windows.h, http.h, ahadmin.h and SAL, always last on the include path.
pub fn bundled_shims_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk/shims")
}

/// This workspace's generated crate.
pub fn default_out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated")
}

/// Stage 1: parse the header into the model.
pub fn parse_api(opts: &Options) -> Result<Api, Error> {
    parse_api_then(opts, &mut || {})
}

/// [`parse_api`], running `loaded` once libclang is loaded.
fn parse_api_then(opts: &Options, loaded: &mut dyn FnMut()) -> Result<Api, Error> {
    let mut include_dirs = opts.include_dirs.clone();
    let (header, sdk_version) = match &opts.sdk {
        Some(wanted) => {
            if opts.header.is_some() {
                return Err(Error::Sdk("--sdk and --header exclude each other".into()));
            }
            let found = sdk::discover(wanted).map_err(|e| Error::Sdk(e.0))?;
            include_dirs.extend(found.include_dirs);
            (found.header, Some(found.version))
        }
        None => (opts.header_path(), None),
    };
    let shims = bundled_shims_dir();
    let request = parse::ParseRequest {
        header: &header,
        include_dirs: &include_dirs,
        shims_dir: &shims,
        target: opts.target,
    };
    let mut api = parse::parse(&request, loaded)?;
    api.sdk_version = sdk_version;
    Ok(api)
}

/// Stages 1–2: the model and every class's vtable layout.
pub fn analyze(opts: &Options) -> Result<(Api, Vec<VtableLayout>), Error> {
    analyze_then(opts, &mut || {})
}

/// [`analyze`], running `loaded` once libclang is loaded.
fn analyze_then(
    opts: &Options,
    loaded: &mut dyn FnMut(),
) -> Result<(Api, Vec<VtableLayout>), Error> {
    let api = parse_api_then(opts, loaded)?;
    timing::stage("validate", || validate::model(&api))?;
    let layouts = timing::stage("layout", || layout::layout_api(&api))?;
    timing::stage("validate", || validate::layouts(&api, &layouts))?;
    Ok((api, layouts))
}

/// Whether [`release`] leaves memory to the end of the process ([`free_memory_at_exit`]).
static FREE_AT_EXIT: AtomicBool = AtomicBool::new(false);

/// For a command-line process about to exit: from now on, the token trees, layouts and model a
/// run is done with are left for the operating system to take back at exit instead of being
/// freed allocation by allocation (millions of small allocations: 3 ms of the 100 ms of a
/// bundled-header run, 0.6 s of the 5 s of a header with 100 times its classes).
pub fn free_memory_at_exit() {
    FREE_AT_EXIT.store(true, Ordering::Relaxed);
}

/// Drops `value`, or forgets it after [`free_memory_at_exit`].
pub fn release<T>(value: T) {
    if FREE_AT_EXIT.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

/// Stages 1–3 and formatting: the files `generate` writes, in memory.
pub fn generated_files(opts: &Options) -> Result<(Api, Vec<GeneratedFile>), Error> {
    // With `force_rustfmt`, rustfmt processes start before they have input, so that their
    // start-up runs on cores the generator leaves idle: one first, beside libclang's loading,
    // the others once that is done, if cores are idle (started together, on 2 cores, they
    // slowed the loading from 25 to 40 ms). Otherwise none is started here: the printer lays
    // out every item of the bundled header itself, and a process started for nothing would
    // take a core from libclang's loading; rustfmt starts only for items the printer declines
    // (`write::format_file`).
    let mut rustfmt = opts.force_rustfmt.then(|| write::Rustfmt::spawn_n(1));
    let two_threads = rustfmt.is_none() && !opts.single_thread && parallel::two_cores();
    let (mut api, layouts, wraps) = if two_threads {
        parallel::analyze(|| parse_api(opts))?
    } else {
        let (api, layouts) = analyze_then(opts, &mut || {
            if let Some(rustfmt) = &mut rustfmt {
                rustfmt.top_up(write::Rustfmt::wanted_after_load());
            }
        })?;
        let wraps = timing::stage("wrap plan", || wrap::plan_bundled(&layouts))?;
        (api, layouts, wraps)
    };
    let (wraps, warnings) = wraps;
    api.warnings.extend(warnings);
    let header = vec![
        format!(
            "@generated by httpserv-codegen from {}{} (sha256 {}), parsed for {}.",
            api.header_name,
            api.sdk_version
                .as_ref()
                .map(|v| format!(" of Windows SDK {v}"))
                .unwrap_or_default(),
            api.header_sha256,
            opts.target
        ),
        "Do not edit: regenerate with `cargo run -p httpserv-codegen -- generate`.".to_string(),
    ];
    let path = Path::new(BINDINGS_FILE);
    let formatted = if two_threads && parallel::worth_it(&api) {
        let meet = parallel::Meet::Anywhere;
        parallel::bindings_file(&api, &layouts, &wraps, opts.target, path, &header, meet)?
    } else {
        let file = timing::stage("emit", || {
            emit::emit_bindings(&api, &layouts, &wraps, opts.target)
        })?;
        timing::stage("validate", || validate::emitted(&api, &file))?;
        let formatting = match rustfmt {
            Some(rustfmt) => write::Formatting::Rustfmt(rustfmt),
            None => write::Formatting::Printer,
        };
        let formatted = write::format_file(path, &file, &header, formatting)?;
        release(file);
        formatted
    };
    release(wraps);
    release(layouts);
    Ok((api, vec![formatted]))
}

/// Stage 3 for an analysed model: the checked tokens of `bindings.rs` and the warnings found on
/// the way. Also the entry point the fuzz tests (`tests/fuzz_layout.rs`) use, so they need no
/// change when the emitter's signature does.
pub fn emit_tokens(
    api: &Api,
    layouts: &[VtableLayout],
    target: Target,
) -> Result<(emit::EmittedFile, Vec<String>), Error> {
    let (wraps, warnings) = timing::stage("wrap plan", || wrap::plan_bundled(layouts))?;
    let file = timing::stage("emit", || emit::emit_bindings(api, layouts, &wraps, target))?;
    timing::stage("validate", || validate::emitted(api, &file))?;
    release(wraps);
    Ok((file, warnings))
}

/// `generate`: writes the bindings atomically; returns the model (for its warnings).
pub fn generate(opts: &Options) -> Result<Api, Error> {
    let (api, files) = generated_files(opts)?;
    timing::stage("write", || write::write_files(&opts.out_path(), &files))?;
    release(files);
    Ok(api)
}

/// `check`: fails with the differing files when the output folder is not what `generate`
/// would write.
pub fn check(opts: &Options) -> Result<(), Error> {
    let (_, files) = generated_files(opts)?;
    let out = opts.out_path();
    let stale = write::stale_files(&out, &files);
    if stale.is_empty() {
        Ok(())
    } else {
        Err(Error::Stale {
            dir: out.display().to_string(),
            files: stale,
        })
    }
}

/// `layout`: `TYPE\tSLOT\tMETHOD\tSIGNATURE` for every slot.
pub fn layout_table(opts: &Options) -> Result<String, Error> {
    let (_, layouts) = analyze(opts)?;
    Ok(report::layout_table(&layouts))
}

/// `TYPE\tSLOT\tMETHOD\tCONV\tRET\tPARAMS` for every slot: the machine-level signature the
/// generated Rust declares, for comparison with clang's LLVM IR.
pub fn abi_table(opts: &Options) -> Result<String, Error> {
    let (api, layouts) = analyze(opts)?;
    Ok(report::abi_table(&api, &layouts, opts.target))
}

/// `diff --against DIR`: the API changes from what the generated crate in `crate_dir` declares
/// (its `src/bindings.rs`) to what the header `new` describes, compared as generated Rust.
pub fn diff_against(crate_dir: &Path, new: &Options) -> Result<diff::Report, Error> {
    let path = crate_dir.join(BINDINGS_FILE);
    let old = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let (_, files) = generated_files(new)?;
    diff::against(&old, &files[0].text()).map_err(|message| Error::Format {
        file: path.display().to_string(),
        message,
    })
}

/// `diff`: the API changes from the header `old` describes to the one `new` describes.
pub fn diff_headers(old: &Options, new: &Options) -> Result<diff::Report, Error> {
    let (old_api, old_layouts) = analyze(old)?;
    let (new_api, new_layouts) = analyze(new)?;
    Ok(diff::diff(
        diff::Side {
            api: &old_api,
            layouts: &old_layouts,
        },
        diff::Side {
            api: &new_api,
            layouts: &new_layouts,
        },
    ))
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    #[test]
    fn release_drops_until_the_process_is_told_it_exits() {
        // Whether the value is still alive shows in its reference count.
        let value = Rc::new(());
        super::release(Rc::clone(&value));
        assert_eq!(Rc::strong_count(&value), 1, "dropped");
        // From here on, every test of this binary leaves what it releases to the exit.
        super::free_memory_at_exit();
        super::release(Rc::clone(&value));
        assert_eq!(Rc::strong_count(&value), 2, "left to the exit");
    }
}
