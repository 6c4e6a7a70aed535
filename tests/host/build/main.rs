//! Build script of httpserv-host-tests: generates the slot sweep from the httpserv-codegen
//! model, compiles the mock IIS (`cpp/`) and the sweep for the Microsoft x64 C++ ABI with
//! `clang++ -target x86_64-pc-windows-msvc-elf`, checks that the objects need nothing from
//! outside but the glibc functions `cpp/rt.h` declares `sysv_abi`, and links them statically.
//!
//! Environment: `HTTPSERV_CLANGXX` (default `clang++`), `HTTPSERV_AR` (default `ar`),
//! `HTTPSERV_NM` (default `nm`).

#[path = "sweep.rs"]
mod sweep;

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The only symbols the C++ objects may take from outside themselves (declared sysv_abi in
/// `cpp/rt.h`).
const ALLOWED_EXTERNAL: &[&str] = &[
    "malloc",
    "realloc",
    "free",
    "abort",
    "write",
    "sched_yield",
    "usleep",
    "clock_gettime",
];

const LIBRARY: &str = "httpserv_mock_iis";

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it"));
    let root = manifest.join("../..");
    let cpp_dir = manifest.join("cpp");
    let sdk = root.join("codegen/sdk");
    let bindings_path = root.join("generated/src/bindings.rs");

    println!("cargo::rustc-check-cfg=cfg(mock_iis)");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed=cpp");
    println!("cargo:rerun-if-changed={}", sdk.display());
    println!("cargo:rerun-if-changed={}", bindings_path.display());
    for var in ["HTTPSERV_CLANGXX", "HTTPSERV_AR", "HTTPSERV_NM"] {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if arch != "x86_64" || os == "windows" {
        // The harness links Microsoft-ABI objects into an x86_64 non-Windows binary; elsewhere
        // the tests compile to nothing (see src/lib.rs).
        println!(
            "cargo:warning=httpserv-host-tests: the MSVC-ABI host runs on x86_64 outside Windows only; skipped"
        );
        return;
    }
    println!("cargo:rustc-cfg=mock_iis");

    // 1. The sweep, from the model.
    let (api, layouts) = httpserv_codegen::analyze(&httpserv_codegen::Options::default())
        .unwrap_or_else(|e| {
            fail(&format!(
                "httpserv-codegen could not analyze the header:\n{e}"
            ))
        });
    let bindings_text = fs::read_to_string(&bindings_path)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", bindings_path.display())));
    let bindings = syn::parse_file(&bindings_text)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", bindings_path.display())));
    let generated = sweep::generate(&api, &layouts, &bindings)
        .unwrap_or_else(|e| fail(&format!("sweep generation: {e}")));
    let sweep_cpp = out.join("sweep_gen.cpp");
    write_if_changed(&sweep_cpp, &generated.cpp);
    write_if_changed(&out.join("sweep_gen.rs"), &generated.rust);

    // 2. Compile every translation unit (in parallel).
    let mut sources: Vec<PathBuf> = fs::read_dir(&cpp_dir)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", cpp_dir.display())))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cpp"))
        .collect();
    sources.sort();
    sources.push(sweep_cpp);
    let clangxx = env::var_os("HTTPSERV_CLANGXX").unwrap_or_else(|| "clang++".into());
    let obj_dir = out.join("obj");
    fs::create_dir_all(&obj_dir).unwrap_or_else(|e| fail(&format!("{}: {e}", obj_dir.display())));
    let mut jobs = Vec::new();
    let mut objects = Vec::new();
    for src in &sources {
        let obj = obj_dir.join(format!(
            "{}.o",
            src.file_stem().unwrap_or_default().to_string_lossy()
        ));
        let mut cmd = Command::new(&clangxx);
        cmd.args([
            "-target",
            "x86_64-pc-windows-msvc-elf",
            "-fms-extensions",
            "-fms-compatibility",
            "-fno-rtti",
            "-fno-exceptions",
            "-std=c++17",
            "-DWIN32",
            // clang < 17 rejects `__FUNCTION__ "literal"` in the header's default bodies.
            "-D__FUNCTION__=\"\"",
            // No implicit library calls, no stack probes (__chkstk), DWARF for valgrind.
            "-fno-builtin",
            "-mno-stack-arg-probe",
            "-O1",
            "-gdwarf-4",
            "-Wall",
            "-Wextra",
            "-Wno-unused-parameter",
        ]);
        cmd.arg("-I").arg(&cpp_dir);
        cmd.arg("-I").arg(sdk.join("shims"));
        cmd.arg("-I").arg(&sdk);
        cmd.arg("-c").arg(src).arg("-o").arg(&obj);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = cmd.spawn().unwrap_or_else(|e| {
            fail(&format!(
                "cannot run {} ({e}); install clang or set HTTPSERV_CLANGXX",
                clangxx.to_string_lossy()
            ))
        });
        jobs.push((src.clone(), child));
        objects.push(obj);
    }
    let mut errors = String::new();
    for (src, child) in jobs {
        let output = child.wait_with_output().expect("clang++ ran");
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            errors.push_str(&format!("--- {}\n{stderr}\n", src.display()));
        } else if !stderr.trim().is_empty() {
            for line in stderr.lines().filter(|l| l.contains("warning:")) {
                println!("cargo:warning={line}");
            }
        }
    }
    if !errors.is_empty() {
        fail(&format!("clang++ failed:\n{errors}"));
    }

    // 3. Nothing from outside but the sysv_abi glibc functions.
    check_symbols(&objects);

    // 4. Archive and link.
    let archive = out.join(format!("lib{LIBRARY}.a"));
    let _ = fs::remove_file(&archive);
    let ar = env::var_os("HTTPSERV_AR").unwrap_or_else(|| "ar".into());
    let status = Command::new(&ar)
        .arg("crs")
        .arg(&archive)
        .args(&objects)
        .status()
        .unwrap_or_else(|e| fail(&format!("cannot run {} ({e})", ar.to_string_lossy())));
    if !status.success() {
        fail("ar failed");
    }
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static={LIBRARY}");
}

/// Every undefined symbol of the objects must be defined by another of them or be one of
/// [`ALLOWED_EXTERNAL`].
fn check_symbols(objects: &[PathBuf]) {
    let nm = env::var_os("HTTPSERV_NM").unwrap_or_else(|| "nm".into());
    let output = Command::new(&nm)
        .arg("-P")
        .args(objects)
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run {} ({e})", nm.to_string_lossy())));
    if !output.status.success() {
        fail(&format!(
            "nm failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut defined = BTreeSet::new();
    let mut undefined = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        if name.ends_with(':') {
            continue; // "file.o:" headers
        }
        if kind == "U" {
            undefined.insert(name.to_string());
        } else {
            defined.insert(name.to_string());
        }
    }
    let missing: Vec<&String> = undefined
        .iter()
        .filter(|u| !defined.contains(*u) && !ALLOWED_EXTERNAL.contains(&u.as_str()))
        .collect();
    if !missing.is_empty() {
        fail(&format!(
            "the MSVC-ABI objects reference symbols nothing provides with the right ABI: {missing:?}\n\
             (an implicit memcpy/memset, __chkstk, TLS or a static initializer? see cpp/rt.h)"
        ));
    }
}

fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("httpserv-host-tests build: {message}");
    std::process::exit(1);
}
