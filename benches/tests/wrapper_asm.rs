//! The safe wrappers compile to the raw vtable call plus the conversions they document, and
//! nothing else (issue 7, item 3). Instruction counts, never timings.
//!
//! The probes of `src/probes.rs` (a wrapper call and the raw call through the vtable field, side
//! by side, each its own non-inlined function) are compiled as the `httpserv-benches` library in
//! release with `--emit asm` (`cargo rustc`, in a target folder of its own under
//! `target/tmp/`, so the outer `cargo test` holds no lock on it); the instructions of each
//! function are counted and
//!
//!   wrapper instructions <= raw instructions + the allowance of each conversion it makes,
//!
//! with these allowances (x86_64 Linux; every instruction of the function counts, cold blocks
//! too):
//!
//! | conversion (`#[wrap]` kind) | allowance | what it is |
//! |---|---:|---|
//! | `iface` return | 6 | `test` + `jcc` of the returned pointer; the cold block calling the out-of-line NULL panic (`lea`, `lea`, `mov`, `call`) |
//! | `bytes(L)` parameter of an `hresult` method | 6 | `cmp` + `jcc` of the slice length against the count type; the early `Err(E_INVALIDARG)` (`mov`, `mov`, `ret`); one register move |
//! | `bool` parameter | 1 | the `movzx` widening `bool` to `BOOL` |
//! | `hresult` return | 4 | `Result<(), Error>` in two registers: the sign bit of the `HRESULT` (`shr`) and the code (`mov`s) |
//! | `bytes(L)` return, `cstr` parameter, `len_out` | 0 | `Option<&[u8]>` has NULL as `None`; `&CStr` is a pointer |
//!
//! and a wrapper makes no call the raw function does not, except the cold NULL panic of `iface`.
//! Elsewhere than x86_64 Linux (where CI runs) the test only reports that it does not apply.

use std::path::Path;
use std::process::Command;

/// Allowances, named after the conversion (see the table above).
const IFACE_RETURN: usize = 6;
const SLICE_LENGTH_CHECK: usize = 6;
const BOOL_PARAM: usize = 1;
const HRESULT_RETURN: usize = 4;
const NULL_AS_NONE: usize = 0;

/// Probe name, the allowance for its conversions, and calls it may add.
const PROBES: &[(&str, usize, usize)] = &[
    ("get_response", IFACE_RETURN, 1),
    ("get_header", NULL_AS_NONE, 0),
    (
        "set_header",
        SLICE_LENGTH_CHECK + BOOL_PARAM + HRESULT_RETURN,
        0,
    ),
    ("post_completion", HRESULT_RETURN, 0),
];

/// The instructions of function `name` in `asm` (AT&T syntax, as rustc emits it).
fn instructions<'a>(asm: &'a str, name: &str) -> Vec<&'a str> {
    let start = format!("{name}:");
    let mut lines = asm.lines().skip_while(|l| *l != start);
    assert!(
        lines.next().is_some(),
        "no function `{name}` in the assembly"
    );
    lines
        .take_while(|l| !l.starts_with(".Lfunc_end"))
        .filter(|l| {
            l.strip_prefix('\t')
                .is_some_and(|i| i.starts_with(|c: char| c.is_ascii_lowercase()))
        })
        .map(str::trim)
        .collect()
}

fn calls(instructions: &[&str]) -> usize {
    instructions
        .iter()
        .filter(|i| i.starts_with("call"))
        .count()
}

#[test]
fn wrappers_add_only_the_documented_conversions() {
    if !cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        eprintln!(
            "wrapper_asm: the allowances are for x86_64 Linux (ELF assembly, the Win64 slots \
                   of the MSVC-ABI host); nothing checked on this target"
        );
        return;
    }
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("asm-check");
    // A new file name each run: the flags change, so cargo always rebuilds the (small) library
    // and writes it, even when an earlier run left the folder up to date.
    let asm_path = target_dir.join(format!("probes-{}.s", std::process::id()));
    let output = Command::new(env!("CARGO"))
        .args(["rustc", "--quiet", "--release", "--lib", "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .arg("--")
        .arg(format!("--emit=asm={}", asm_path.display()))
        .args(["-C", "codegen-units=1"])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo rustc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let asm = std::fs::read_to_string(&asm_path).expect("the assembly was written");
    let _ = std::fs::remove_file(&asm_path);

    let mut failures = Vec::new();
    eprintln!("probe            raw  wrapper  extra  allowed");
    for &(probe, allowed, extra_calls) in PROBES {
        let raw = instructions(&asm, &format!("raw_{probe}"));
        let wrapper = instructions(&asm, &format!("wrapper_{probe}"));
        let extra = wrapper.len() as isize - raw.len() as isize;
        eprintln!(
            "{probe:<16} {:>3}  {:>7}  {extra:>+5}  {allowed:>7}",
            raw.len(),
            wrapper.len()
        );
        if wrapper.len() > raw.len() + allowed {
            failures.push(format!(
                "{probe}: the wrapper has {} instructions, the raw call {}, allowed {allowed} \
                 more\nraw:\n  {}\nwrapper:\n  {}",
                wrapper.len(),
                raw.len(),
                raw.join("\n  "),
                wrapper.join("\n  ")
            ));
        }
        if calls(&wrapper) > calls(&raw) + extra_calls {
            failures.push(format!(
                "{probe}: the wrapper makes {} calls, the raw function {} (allowed {extra_calls} \
                 more):\n  {}",
                calls(&wrapper),
                calls(&raw),
                wrapper.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
