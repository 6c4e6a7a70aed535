//! The `httpserv-codegen` command line: `generate`, `check`, `layout`, `diff`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use httpserv_codegen::sdk::SdkVersion;
use httpserv_codegen::{Options, Target};

// Why: see the `mimalloc` dependency in Cargo.toml (faster small allocations for the token
// trees; libclang keeps the system allocator).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "httpserv-codegen",
    version,
    about = "Generate MSVC-exact Rust bindings from httpserv.h"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print the wall time of each pipeline stage (parse, validate, layout, wrap plan, emit,
    /// format, write) to stderr at the end.
    #[arg(long, global = true)]
    time_stages: bool,
}

/// Prints the stage timings when `main` returns, whichever way it does.
struct StageReport(std::time::Instant);

impl Drop for StageReport {
    fn drop(&mut self) {
        eprint!("{}", httpserv_codegen::timing::report(self.0.elapsed()));
    }
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the bindings (default: bundled header into this workspace's generated/).
    Generate {
        #[command(flatten)]
        input: Input,
        /// The generated crate's folder (the file written is DIR/src/bindings.rs).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        format: Format,
    },
    /// Exit non-zero, naming the differing file, when generated/ is not what `generate` writes.
    Check {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        format: Format,
    },
    /// Print every vtable slot: TYPE, SLOT, METHOD, SIGNATURE (tab-separated).
    Layout {
        #[command(flatten)]
        input: Input,
    },
    /// Report the API changes between two headers (e.g. two SDK releases): types, methods,
    /// slots, signatures, constants, enums. Exit status: 0 when no change breaks the ABI of an
    /// existing type, 3 when one does (an `ABI BREAK:` line says which), 1 on error (2 is a
    /// usage error).
    ///
    /// `diff OLD NEW` compares two headers; `diff --against DIR NEW` compares the generated
    /// crate in DIR (its src/bindings.rs) with what NEW generates.
    Diff {
        /// OLD NEW, or only NEW with --against.
        #[arg(value_name = "HEADER", num_args = 1..=2, required = true)]
        headers: Vec<PathBuf>,
        /// Compare with the generated crate in DIR instead of an older header.
        #[arg(long, value_name = "DIR")]
        against: Option<PathBuf>,
        /// Extra include folder for both headers (repeatable).
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// MSVC target triple to parse for.
        #[arg(long, default_value = "x86_64-pc-windows-msvc", value_parser = parse_target)]
        target: Target,
    },
}

/// `diff`'s exit status when an ABI break was found (1 is an error, 2 a usage error).
const EXIT_ABI_BREAK: u8 = 3;

#[derive(Args)]
struct Format {
    /// Format every item with rustfmt instead of laying out the shapes the generator knows
    /// itself (the output is the same; slower; the referee of the printer's tests).
    #[arg(long)]
    rustfmt: bool,
    /// Emit and lay out the text on one thread, even with several cores (the output is the
    /// same; the baseline of the two-thread path in benchmarks).
    #[arg(long)]
    single_thread: bool,
}

#[derive(Args)]
struct Input {
    /// The header to read (default: the bundled clean-room httpserv.h).
    #[arg(long, value_name = "FILE", conflicts_with = "sdk")]
    header: Option<PathBuf>,
    /// Read httpserv.h from an installed Windows SDK: `latest` or a version such as
    /// 10.0.26100.0 (kits root from WindowsSdkDir, the registry's KitsRoot10 or the standard
    /// path); its um/ and shared/ folders are searched before the bundled shims.
    #[arg(long, value_name = "VERSION", value_parser = parse_sdk)]
    sdk: Option<SdkVersion>,
    /// Extra include folder, searched before the bundled shims (repeatable).
    #[arg(short = 'I', value_name = "DIR")]
    include: Vec<PathBuf>,
    /// MSVC target triple to parse for.
    #[arg(long, default_value = "x86_64-pc-windows-msvc", value_parser = parse_target)]
    target: Target,
}

fn parse_target(triple: &str) -> Result<Target, String> {
    Target::from_triple(triple).ok_or_else(|| {
        let known: Vec<&str> = Target::ALL.iter().map(|t| t.triple()).collect();
        format!(
            "unsupported target `{triple}` (supported: {})",
            known.join(", ")
        )
    })
}

fn parse_sdk(text: &str) -> Result<SdkVersion, String> {
    SdkVersion::parse(text)
}

impl Input {
    fn options(self, out: Option<PathBuf>) -> Options {
        Options {
            header: self.header,
            include_dirs: self.include,
            target: self.target,
            out_dir: out,
            sdk: self.sdk,
            force_rustfmt: false,
            single_thread: false,
        }
    }
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let report = cli.time_stages.then(|| {
        httpserv_codegen::timing::enable();
        StageReport(started)
    });
    // The process ends when the command does: what it allocated goes back at exit.
    httpserv_codegen::free_memory_at_exit();
    httpserv_codegen::timing::stage("find libclang", || {
        // SAFETY: no other thread exists yet, and `run` calls libclang on this thread.
        unsafe {
            httpserv_codegen::libclang::set_libclang_path();
            httpserv_codegen::libclang::parse_on_main_thread();
        }
    });
    let code = run(cli.command);
    drop(report);
    exit(code)
}

/// Ends the process with `code`. On Unix, without the exit handlers of the loaded libraries:
/// libLLVM's static destructors, thousands of them, took about 4 ms of a 110 ms `generate`, and
/// nothing waits for them. What must outlive the process is done by then: files are synced
/// and renamed, child processes waited for, stderr is unbuffered and stdout is flushed here.
fn exit(code: u8) -> ExitCode {
    #[cfg(unix)]
    {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // SAFETY: `_exit` only ends the process; this thread holds no lock another needs.
        unsafe { libc::_exit(i32::from(code)) }
    }
    #[cfg(not(unix))]
    ExitCode::from(code)
}

/// The command's work; its exit status.
fn run(command: Command) -> u8 {
    use std::fmt::Write as _;
    use std::io::Write as _;
    let result = match command {
        Command::Generate { input, out, format } => {
            let opts = Options {
                force_rustfmt: format.rustfmt,
                single_thread: format.single_thread,
                ..input.options(out)
            };
            httpserv_codegen::generate(&opts).map(|api| {
                // One write for all the lines: stderr is unbuffered, and a header the table does
                // not cover yet (a new SDK) has a warning per method, thousands at 100 times the
                // bundled header, where a `write` each took 0.2 s.
                let mut report = String::new();
                for warning in &api.warnings {
                    let _ = writeln!(report, "warning: {warning}");
                }
                let _ = writeln!(
                    report,
                    "wrote {} ({} classes, {} constants)",
                    opts.out_path()
                        .join(httpserv_codegen::BINDINGS_FILE)
                        .display(),
                    api.classes.len(),
                    api.constants.len()
                );
                let _ = std::io::stderr().write_all(report.as_bytes());
                httpserv_codegen::release(api);
            })
        }
        Command::Check { input, out, format } => httpserv_codegen::check(&Options {
            force_rustfmt: format.rustfmt,
            single_thread: format.single_thread,
            ..input.options(out)
        }),
        Command::Layout { input } => {
            httpserv_codegen::layout_table(&input.options(None)).map(|table| print!("{table}"))
        }
        Command::Diff {
            headers,
            against,
            include,
            target,
        } => {
            let options = |header: &PathBuf| Options {
                header: Some(header.clone()),
                include_dirs: include.clone(),
                target,
                ..Options::default()
            };
            let report = match (&against, headers.as_slice()) {
                (None, [old, new]) => httpserv_codegen::diff_headers(&options(old), &options(new)),
                (Some(dir), [new]) => httpserv_codegen::diff_against(dir, &options(new)),
                (None, _) => {
                    eprintln!("error: `diff` takes OLD and NEW headers (or --against DIR NEW)");
                    return 2;
                }
                (Some(_), _) => {
                    eprintln!("error: `diff --against DIR` takes one header, the new one");
                    return 2;
                }
            };
            match report {
                Ok(report) => {
                    print!("{}", report.render());
                    if !report.abi_breaks.is_empty() {
                        eprintln!(
                            "error: {} ABI break(s): a vtable slot, base, uuid or struct layout \
                             of a type present in both headers changed (an SDK bug or a parse \
                             bug); see the `ABI BREAK:` lines",
                            report.abi_breaks.len()
                        );
                        return EXIT_ABI_BREAK;
                    }
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("{error}");
            1
        }
    }
}
