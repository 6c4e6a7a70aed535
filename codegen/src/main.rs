//! The `httpserv-codegen` command line: `generate`, `check`, `layout`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use httpserv_codegen::{Options, Target};

#[derive(Parser)]
#[command(
    name = "httpserv-codegen",
    version,
    about = "Generate MSVC-exact Rust bindings from httpserv.h"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    },
    /// Exit non-zero, naming the differing file, when generated/ is not what `generate` writes.
    Check {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print every vtable slot: TYPE, SLOT, METHOD, SIGNATURE (tab-separated).
    Layout {
        #[command(flatten)]
        input: Input,
    },
}

#[derive(Args)]
struct Input {
    /// The header to read (default: the bundled clean-room httpserv.h).
    #[arg(long, value_name = "FILE")]
    header: Option<PathBuf>,
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

impl Input {
    fn options(self, out: Option<PathBuf>) -> Options {
        Options {
            header: self.header,
            include_dirs: self.include,
            target: self.target,
            out_dir: out,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate { input, out } => {
            let opts = input.options(out);
            httpserv_codegen::generate(&opts).map(|api| {
                for warning in &api.warnings {
                    eprintln!("warning: {warning}");
                }
                eprintln!(
                    "wrote {} ({} classes, {} constants)",
                    opts.out_path()
                        .join(httpserv_codegen::BINDINGS_FILE)
                        .display(),
                    api.classes.len(),
                    api.constants.len()
                );
            })
        }
        Command::Check { input, out } => httpserv_codegen::check(&input.options(out)),
        Command::Layout { input } => {
            httpserv_codegen::layout_table(&input.options(None)).map(|table| print!("{table}"))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
