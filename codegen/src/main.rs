//! The `httpserv-codegen` command line: `generate`, `check`, `layout`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use httpserv_codegen::sdk::SdkVersion;
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
