//! Module DLLs loaded the way IIS loads them: the example crates (`examples/`) built as
//! cdylibs, opened with `dlopen` (`LoadLibrary` in IIS) and entered through the
//! `RegisterModule` export found with `dlsym` (`GetProcAddress`), called through
//! `PFN_REGISTERMODULE` by the C++ host.
//!
//! The cdylibs are built at test time by a nested `cargo build --lib -p httpserv-hello -p
//! httpserv-rewrite -p httpserv-async`, with the cargo that runs the tests, the workspace's
//! `Cargo.lock` and a target directory of its own under `CARGO_TARGET_TMPDIR` (the outer
//! `cargo test` holds the lock of the main one). Cargo rebuilds only what changed; the file of
//! each library is read from cargo's JSON messages, never guessed. Once per test process.
//! Libraries stay loaded until the process exits, as module DLLs stay loaded in `w3wp.exe`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use httpserv::PFN_REGISTERMODULE;

/// A module DLL and its `RegisterModule` export.
pub struct ModuleDll {
    /// Cargo package name, e.g. `httpserv-hello`.
    pub package: &'static str,
    /// The loaded file.
    pub path: PathBuf,
    /// `dlsym(handle, "RegisterModule")`, typed as IIS types it.
    pub register_module: PFN_REGISTERMODULE,
    _library: libloading::Library,
}

/// The three example modules.
pub struct Examples {
    pub hello: ModuleDll,
    pub rewrite: ModuleDll,
    pub asynchronous: ModuleDll,
}

const PACKAGES: [&str; 3] = ["httpserv-hello", "httpserv-rewrite", "httpserv-async"];

static EXAMPLES: OnceLock<Examples> = OnceLock::new();

/// The example modules, built (first call in the process) and loaded. Pass
/// `env!("CARGO_TARGET_TMPDIR")` of the integration test; the [`examples!`](crate::examples)
/// macro does.
///
/// Panics with cargo's output if the build fails.
pub fn examples(target_tmpdir: &str) -> &'static Examples {
    EXAMPLES.get_or_init(|| {
        let target_dir = Path::new(target_tmpdir).join("httpserv-example-modules");
        let mut built = build(&target_dir, &PACKAGES);
        let mut take = |package: &'static str| {
            let index = built
                .iter()
                .position(|(p, _)| *p == package)
                .unwrap_or_else(|| panic!("cargo built no cdylib for {package}"));
            let (_, path) = built.swap_remove(index);
            load(package, path)
        };
        Examples {
            hello: take("httpserv-hello"),
            rewrite: take("httpserv-rewrite"),
            asynchronous: take("httpserv-async"),
        }
    })
}

/// [`examples`] with the calling integration test's `CARGO_TARGET_TMPDIR`.
#[macro_export]
macro_rules! examples {
    () => {
        $crate::dylib::examples(env!("CARGO_TARGET_TMPDIR"))
    };
}

/// The cargo running the tests (`CARGO` at run time), else the one that compiled this crate.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into())
}

/// `cargo build --lib` of `packages` into `target_dir`; the cdylib file of each package.
fn build(target_dir: &Path, packages: &[&'static str]) -> Vec<(&'static str, PathBuf)> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let mut cmd = Command::new(cargo());
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .args(["--lib", "--message-format=json-render-diagnostics"]);
    for package in packages {
        cmd.args(["-p", package]);
    }
    // Variables `cargo test` sets for the test process that describe *this* crate's build.
    for var in [
        "CARGO_TARGET_DIR",
        "OUT_DIR",
        "CARGO_MANIFEST_DIR",
        "CARGO_PKG_NAME",
    ] {
        cmd.env_remove(var);
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cargo()));
    if !output.status.success() {
        panic!(
            "building the example modules failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let suffix = std::env::consts::DLL_SUFFIX;
    let mut built = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact"
            || !message["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "cdylib"))
        {
            continue;
        }
        let Some(package) = packages
            .iter()
            .find(|p| message["target"]["name"] == p.replace('-', "_"))
        else {
            continue;
        };
        let files = message["filenames"].as_array().into_iter().flatten();
        for file in files.filter_map(|f| f.as_str()) {
            if file.ends_with(suffix) {
                built.push((*package, PathBuf::from(file)));
            }
        }
    }
    built
}

/// `dlopen` + `dlsym(handle, "RegisterModule")`.
fn load(package: &'static str, path: PathBuf) -> ModuleDll {
    // SAFETY: our own example crates; their initialisers are Rust std's. The library stays
    // loaded (a static owns it) while anything from it can run.
    let library = unsafe { libloading::Library::new(&path) }
        .unwrap_or_else(|e| panic!("dlopen {}: {e}", path.display()));
    // SAFETY: `RegisterModule` is exported by `register_module!` with exactly the signature
    // and calling convention of `PFN_REGISTERMODULE` (what IIS assumes of every module DLL).
    let register_module = unsafe { library.get::<PFN_REGISTERMODULE>(b"RegisterModule\0") }
        .map(|symbol| *symbol)
        .unwrap_or_else(|e| panic!("dlsym RegisterModule in {}: {e}", path.display()));
    assert!(register_module.is_some(), "RegisterModule is NULL");
    ModuleDll {
        package,
        path,
        register_module,
        _library: library,
    }
}
