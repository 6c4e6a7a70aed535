//! The printer's layout (`codegen/src/style.rs`) against rustfmt's, the referee: `generate`
//! with and without `force_rustfmt` (`generate --rustfmt`) must write the same bytes, on the
//! bundled header for every target, the torture header, the synthetic 10× header, and a
//! header whose names and texts take every length across the width limits of rustfmt's rules.
//! The bundled header must need no rustfmt at all (what the benchmark measures); elsewhere the
//! printer may decline items (they go through rustfmt), and the count is reported.

use std::path::{Path, PathBuf};

use httpserv_codegen::{Options, Target, generated_files};

/// (printer output, rustfmt output, items the printer declined, items in all).
fn both_ways(opts: &Options) -> (String, String, usize, usize) {
    let (_, printed) = generated_files(opts).expect("generate (printer)");
    let forced = Options {
        force_rustfmt: true,
        ..opts.clone()
    };
    let (_, formatted) = generated_files(&forced).expect("generate --rustfmt");
    (
        printed[0].text(),
        formatted[0].text(),
        printed[0].rustfmt_items,
        formatted[0].rustfmt_items,
    )
}

/// Asserts equal texts, showing the first differing lines.
fn assert_same(what: &str, printed: &str, formatted: &str) {
    if printed == formatted {
        return;
    }
    let line = printed
        .lines()
        .zip(formatted.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(0);
    let show = |text: &str| {
        text.lines()
            .skip(line.saturating_sub(3))
            .take(10)
            .collect::<Vec<_>>()
            .join("\n")
    };
    panic!(
        "{what}: the printer's layout differs from rustfmt's at line {}:\n--- printer\n{}\n--- rustfmt\n{}",
        line + 1,
        show(printed),
        show(formatted)
    );
}

#[test]
fn bundled_header_needs_no_rustfmt_on_any_target() {
    for target in Target::ALL {
        let opts = Options {
            target,
            ..Options::default()
        };
        let (printed, formatted, declined, _) = both_ways(&opts);
        assert_same(target.triple(), &printed, &formatted);
        assert_eq!(declined, 0, "{target}: items went through rustfmt");
    }
}

#[test]
fn torture_header() {
    let header = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/headers/torture.h");
    let opts = Options {
        header: Some(header),
        ..Options::default()
    };
    let (printed, formatted, declined, total) = both_ways(&opts);
    assert_same("torture.h", &printed, &formatted);
    eprintln!("torture.h: {declined} of {total} items through rustfmt");
}

#[test]
fn synthetic_10x_header() {
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/synthetic.py");
    let status = std::process::Command::new("python3")
        .arg(&script)
        .arg(dir.path())
        .arg("10")
        .status();
    // `.ci/run` installs python3 (benches/regen.py needs it too).
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("`python3 benches/synthetic.py` failed: {s}"),
        Err(e) => panic!("cannot run python3 for benches/synthetic.py ({e}); install python3"),
    }
    let opts = Options {
        header: Some(dir.path().join("synthetic-10x.h")),
        ..Options::default()
    };
    let (printed, formatted, declined, total) = both_ways(&opts);
    assert_same("synthetic 10x", &printed, &formatted);
    assert_eq!(
        declined, 0,
        "synthetic 10x: {declined} of {total} through rustfmt"
    );
}

/// `len` characters: `prefix` then `x`s (shorter than the prefix: the prefix and `len`).
fn name(prefix: &str, len: usize) -> String {
    if len < prefix.len() {
        return format!("{prefix}{len}");
    }
    format!("{prefix}{}", "x".repeat(len - prefix.len()))
}

/// A method name unique to class `class` (no override or hiding across the chain), about
/// `len` characters.
fn method_name(prefix: &str, class: usize, len: usize) -> String {
    name(&format!("{prefix}{class}_"), len)
}

/// A header whose constant, enum, typedef, class, method and parameter names, string constants
/// and deprecation notes take lengths from 1 to 110 characters, in combinations that put the
/// lines of every rule on both sides of their limits (the whole line, the right side of `=` or
/// `:` on the next line, parameters one per line, `-> R` on its own line, `write!` past
/// `fn_call_width`, `unsafe { ... }` past the line).
fn sweep_header() -> String {
    let mut h = String::from("#include <windows.h>\n\n");
    let mut previous: Option<String> = None;
    for len in 1..=110usize {
        // Constants: name length `len`, values and strings around the limits.
        let k = name("K", len);
        h += &format!("#define {k} 0x{:08X}\n", len);
        let s = method_name("S", len, 10 + len % 30);
        h += &format!("#define {s} \"{}\"\n", "t".repeat(len));
        let w = method_name("W", len, len % 20 + 1);
        h += &format!("#define {w} L\"{}\"\n", "u".repeat(110 - len));
        // An enum: type and variant names.
        let e = method_name("E", len, (len * 3) % 70 + 1);
        let v = method_name("V", len, (len * 37) % 50 + 1);
        h += &format!("typedef enum _{e} {{ {v} = -{len}, {v}_B = {len} }} {e};\n");
        // Function-pointer typedefs: names and parameter types of many lengths.
        let pfn = name("PFN", len);
        let params: Vec<String> = (0..(len % 5))
            .map(|k| {
                if k % 2 == 0 {
                    format!("{} * p{k}", e)
                } else {
                    "DWORD".to_string()
                }
            })
            .collect();
        let ret = if len % 3 == 0 {
            e.clone()
        } else {
            "HRESULT".into()
        };
        h += &format!(
            "typedef {ret} (WINAPI * {pfn})({});\n",
            if params.is_empty() {
                "VOID".to_string()
            } else {
                params.join(", ")
            }
        );
        // A class deriving from the previous one (`Deref` to a long name).
        let class = name("I", len);
        let base = previous
            .as_ref()
            .map(|b| format!(" : public {b}"))
            .unwrap_or_default();
        h += &format!(
            "class __declspec(uuid(\"7c1f3a52-0d4b-4e8a-9b36-{len:012x}\")) {class}{base}\n{{\npublic:\n"
        );
        let method = method_name("M", len, (len * 7) % 60 + 1);
        let param = name("p", (len * 13) % 70 + 1);
        h += &format!("    virtual HRESULT {method}(IN DWORD {param}, IN PCWSTR psz) = 0;\n");
        h += &format!(
            "    virtual {class} * {}(VOID) = 0;\n",
            method_name("G", len, len % 60 + 1)
        );
        h += &format!(
            "    virtual {e} {}({} * p{}, IN DWORD a, IN DWORD b = 0) const = 0;\n",
            method_name("R", len, 60 - len % 60),
            class,
            "q".repeat(len % 40)
        );
        h += &format!(
            "    __declspec(deprecated(\"{}\"))\n    virtual VOID {}(VOID) = 0;\n",
            "n".repeat(len),
            method_name("D", len, len % 50 + 1)
        );
        h += &format!(
            "    virtual {pfn} {}(IN {pfn} pfn) = 0;\n",
            method_name("F", len, len % 70 + 1)
        );
        h += "};\n\n";
        previous = Some(class);
    }
    h
}

#[test]
fn width_sweep_header() {
    let dir = tempfile::tempdir().unwrap();
    let header: PathBuf = dir.path().join("sweep.h");
    std::fs::write(&header, sweep_header()).unwrap();
    // For a look at the declined items: `SWEEP_HEADER_COPY=/tmp/sweep.h cargo test ...`, then
    // `httpserv-codegen generate --header /tmp/sweep.h`.
    if let Some(copy) = std::env::var_os("SWEEP_HEADER_COPY") {
        std::fs::write(copy, sweep_header()).unwrap();
    }
    let opts = Options {
        header: Some(header),
        ..Options::default()
    };
    let (printed, formatted, declined, total) = both_ways(&opts);
    assert_same("width sweep", &printed, &formatted);
    // Declining is allowed here (wrong layout is not); most items must still be laid out, or
    // the comparison would only test rustfmt against itself.
    eprintln!("width sweep: {declined} of {total} items through rustfmt");
    assert!(declined * 2 < total, "{declined} of {total} declined");
}
