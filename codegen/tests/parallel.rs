//! The two-thread analysis, emitter and printer (`codegen/src/parallel.rs`) against the
//! one-thread pipeline, its referee: the same bytes wherever the threads meet in the list of
//! classes, and the same errors in the same order.

use std::path::{Path, PathBuf};

use httpserv_codegen::parallel::{self, Meet};
use httpserv_codegen::write::{self, Formatting};
use httpserv_codegen::{Error, Options, analyze, emit, generated_files, wrap};

const HEADER_LINES: &[&str] = &["@generated (test)"];

/// `bindings.rs` as one thread writes it, or its error.
fn one_thread(opts: &Options) -> Result<String, String> {
    let (api, layouts) = analyze(opts).expect("analyze");
    let (wraps, _) = wrap::plan_bundled(&layouts).expect("wrap plan");
    let header: Vec<String> = HEADER_LINES.iter().map(|l| l.to_string()).collect();
    emit::emit_bindings(&api, &layouts, &wraps, opts.target)
        .and_then(|file| {
            httpserv_codegen::validate::emitted(&api, &file)?;
            write::format_file(
                Path::new(httpserv_codegen::BINDINGS_FILE),
                &file,
                &header,
                Formatting::Printer,
            )
        })
        .map(|f| f.text())
        .map_err(|e| e.to_string())
}

/// `bindings.rs` with the threads meeting at each of `meets`, or the error.
fn two_threads(
    opts: &Options,
    meets: impl Fn(usize) -> Vec<Meet>,
) -> Vec<(Meet, Result<String, String>)> {
    let (api, layouts) = analyze(opts).expect("analyze");
    let (wraps, _) = wrap::plan_bundled(&layouts).expect("wrap plan");
    let header: Vec<String> = HEADER_LINES.iter().map(|l| l.to_string()).collect();
    meets(api.classes.len())
        .into_iter()
        .map(|meet| {
            let result = parallel::bindings_file(
                &api,
                &layouts,
                &wraps,
                opts.target,
                Path::new(httpserv_codegen::BINDINGS_FILE),
                &header,
                meet,
            );
            (
                meet,
                result.map(|f| f.text()).map_err(|e: Error| e.to_string()),
            )
        })
        .collect()
}

fn assert_same(what: &str, opts: &Options, meets: impl Fn(usize) -> Vec<Meet>) {
    let expected = one_thread(opts);
    for (meet, got) in two_threads(opts, meets) {
        assert!(
            got == expected,
            "{what}, threads meeting {meet:?}: differs from one thread\n\
             --- two threads\n{}\n--- one thread\n{}",
            first_difference(&got, &expected).0,
            first_difference(&got, &expected).1,
        );
    }
}

/// The lines around the first difference of two results.
fn first_difference(a: &Result<String, String>, b: &Result<String, String>) -> (String, String) {
    let text = |r: &Result<String, String>| match r {
        Ok(t) => t.clone(),
        Err(e) => format!("error: {e}"),
    };
    let (a, b) = (text(a), text(b));
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(0);
    let around = |t: &str| {
        t.lines()
            .skip(line.saturating_sub(2))
            .take(6)
            .collect::<Vec<_>>()
            .join("\n")
    };
    (around(&a), around(&b))
}

fn header(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/headers")
        .join(name)
}

/// Every meeting point in `0..=n`, and wherever the threads happen to meet, several times.
fn every_meet(n: usize) -> Vec<Meet> {
    (0..=n)
        .map(Meet::At)
        .chain(std::iter::repeat_n(Meet::Anywhere, 5))
        .collect()
}

#[test]
fn bundled_header_at_a_spread_of_meeting_points() {
    // Every point would take a minute in a debug build: both ends, the middle and every
    // seventh, and wherever the threads happen to meet.
    assert_same("bundled header", &Options::default(), |n| {
        let mut at: Vec<usize> = (0..=n).step_by(7).collect();
        at.extend([1, n / 2, n - 1, n]);
        at.sort_unstable();
        at.dedup();
        at.into_iter()
            .map(Meet::At)
            .chain(std::iter::repeat_n(Meet::Anywhere, 3))
            .collect()
    });
}

#[test]
fn torture_header_at_every_meeting_point() {
    let opts = Options {
        header: Some(header("torture.h")),
        ..Options::default()
    };
    assert_same("torture.h", &opts, every_meet);
}

#[test]
fn errors_are_the_same_and_in_the_same_order() {
    // A by-value use of a type of unknown layout in a class of each half: both errors, in
    // header order, wherever the cut.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("errors.h");
    std::fs::write(
        &path,
        r#"#include <windows.h>
struct OPAQUE_ONE;
struct OPAQUE_TWO;
class IFirst { public: virtual HRESULT Take(OPAQUE_ONE value) = 0; };
class ISecond : public IFirst { public: virtual void Other() = 0; };
class IThird { public: virtual HRESULT Give(OPAQUE_TWO value) = 0; };
class IFourth { public: virtual void Last() = 0; };
"#,
    )
    .unwrap();
    let opts = Options {
        header: Some(path),
        ..Options::default()
    };
    let expected = one_thread(&opts);
    let Err(message) = &expected else {
        panic!("the header must fail")
    };
    let (one, two) = (message.find("`OPAQUE_ONE`"), message.find("`OPAQUE_TWO`"));
    assert!(one.is_some() && one < two, "{message}");
    for (meet, got) in two_threads(&opts, every_meet) {
        assert_eq!(got, expected, "threads meeting {meet:?}");
    }
}

/// The whole of `generated_files` (analysis included) on two threads and on one, on every
/// header of the hostile-input catalogue: the same file or the same errors. The analysis checks
/// the model on the second thread while the first lays out and plans; whatever fails, the
/// error must be the one the stages report in their one-thread order.
#[test]
fn hostile_headers_fail_the_same_way_on_two_threads() {
    let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-input");
    let mut headers: Vec<PathBuf> = std::fs::read_dir(&catalogue)
        .expect("tests/bad-input")
        .map(|entry| entry.expect("catalogue entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "h"))
        .collect();
    headers.sort();
    assert!(headers.len() >= 40, "{} headers", headers.len());
    let run = |header: &Path, single_thread: bool| {
        let opts = Options {
            header: Some(header.to_path_buf()),
            single_thread,
            ..Options::default()
        };
        generated_files(&opts)
            .map(|(_, files)| files[0].text())
            .map_err(|e| e.to_string())
    };
    let mut failures = 0;
    for header in &headers {
        let one = run(header, true);
        failures += usize::from(one.is_err());
        assert_eq!(run(header, false), one, "{}", header.display());
    }
    // The catalogue is mostly headers that must fail: each error path is compared.
    assert!(failures * 2 > headers.len(), "{failures} failures");
}
