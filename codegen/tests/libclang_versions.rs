//! The output must not depend on the libclang version: every libclang installed under
//! `/usr/lib/llvm-N/lib` (Debian's layout; CI installs 14 and 19, see `.ci/run`; the runtime
//! packages `libclang1-N` are enough to add more by hand) is loaded in turn through
//! `LIBCLANG_PATH`, and `generate` (bundled header) and `layout` (bundled and torture headers,
//! x86_64 and i686) must be byte-identical across them.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_httpserv-codegen");

/// `(version, folder)` of every Debian-installed libclang, lowest version first.
fn installed_libclangs() -> Vec<(u32, PathBuf)> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let version: u32 = name.strip_prefix("llvm-")?.parse().ok()?;
            let lib = e.path().join("lib");
            // The -dev package's `libclang.so` (a folder is enough for LIBCLANG_PATH), or only
            // the runtime package's `libclang.so.1` (then the file itself).
            if lib.join("libclang.so").exists() {
                Some((version, lib))
            } else {
                let file = lib.join("libclang.so.1");
                file.exists().then_some((version, file))
            }
        })
        .collect();
    found.sort();
    found
}

fn run(libclang: &Path, args: &[&str], cwd: &Path) -> Vec<u8> {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("LIBCLANG_PATH", libclang)
        .output()
        .expect("run httpserv-codegen");
    assert!(
        out.status.success(),
        "{} with LIBCLANG_PATH={}: {}",
        args.join(" "),
        libclang.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn output_is_identical_with_every_installed_libclang() {
    let versions = installed_libclangs();
    if versions.len() < 2 {
        let message = format!(
            "need two libclang versions under /usr/lib/llvm-N/lib, found {:?}; \
             `apt-get install libclang-14-dev libclang-19-dev`",
            versions.iter().map(|v| v.0).collect::<Vec<_>>()
        );
        // CI installs both (.ci/run); a developer machine may have one.
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("skipped: {message}");
        return;
    }
    let torture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/headers/torture.h");
    let torture = torture.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut reference: Option<(u32, Vec<Vec<u8>>)> = None;
    for (version, lib) in &versions {
        let out = dir.path().join(format!("out-{version}"));
        run(
            lib,
            &["generate", "--out", out.to_str().unwrap()],
            dir.path(),
        );
        let outputs = vec![
            std::fs::read(out.join(httpserv_codegen::BINDINGS_FILE)).unwrap(),
            run(lib, &["layout"], dir.path()),
            run(
                lib,
                &["layout", "--target", "i686-pc-windows-msvc"],
                dir.path(),
            ),
            run(lib, &["layout", "--header", torture], dir.path()),
        ];
        match &reference {
            None => reference = Some((*version, outputs)),
            Some((first, expected)) => {
                for (i, what) in ["bindings.rs", "layout", "layout i686", "layout torture.h"]
                    .iter()
                    .enumerate()
                {
                    assert!(
                        outputs[i] == expected[i],
                        "{what} differs between libclang {first} and libclang {version}"
                    );
                }
            }
        }
    }
    println!(
        "identical with libclang {:?}",
        versions.iter().map(|v| v.0).collect::<Vec<_>>()
    );
}
