//! The two-thread emitter and printer (`codegen/src/parallel.rs`) against the one-thread
//! pipeline, its referee: the same bytes at every split point of the classes, and the same
//! errors in the same order.

use std::path::{Path, PathBuf};

use httpserv_codegen::write::{self, Formatting};
use httpserv_codegen::{Error, Options, analyze, emit, parallel, wrap};

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
        .map(|f| f.contents)
        .map_err(|e| e.to_string())
}

/// `bindings.rs` with the classes from each of `splits` on a second thread, or the error.
fn two_threads(
    opts: &Options,
    splits: impl Fn(usize) -> Vec<usize>,
) -> Vec<(usize, Result<String, String>)> {
    let (api, layouts) = analyze(opts).expect("analyze");
    let (wraps, _) = wrap::plan_bundled(&layouts).expect("wrap plan");
    let header: Vec<String> = HEADER_LINES.iter().map(|l| l.to_string()).collect();
    splits(api.classes.len())
        .into_iter()
        .map(|split| {
            let result = parallel::bindings_file(
                &api,
                &layouts,
                &wraps,
                opts.target,
                Path::new(httpserv_codegen::BINDINGS_FILE),
                &header,
                split,
            );
            (
                split,
                result.map(|f| f.contents).map_err(|e: Error| e.to_string()),
            )
        })
        .collect()
}

fn assert_same_at_every_split(what: &str, opts: &Options, splits: impl Fn(usize) -> Vec<usize>) {
    let expected = one_thread(opts);
    for (split, got) in two_threads(opts, splits) {
        assert!(
            got == expected,
            "{what}, classes from {split} on the second thread: differs from one thread\n\
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

#[test]
fn bundled_header_at_a_spread_of_splits() {
    // Every split would take a minute in a debug build: both ends, the middle, the split the
    // generator picks, and every seventh.
    let opts = Options::default();
    let (api, layouts) = analyze(&opts).expect("analyze");
    let chosen = parallel::split_point(&api, &layouts);
    assert_same_at_every_split("bundled header", &opts, |n| {
        let mut splits: Vec<usize> = (0..=n).step_by(7).collect();
        splits.extend([1, n / 2, n - 1, n]);
        splits.extend(chosen);
        splits.sort_unstable();
        splits.dedup();
        splits
    });
}

#[test]
fn torture_header_at_every_split() {
    let opts = Options {
        header: Some(header("torture.h")),
        ..Options::default()
    };
    assert_same_at_every_split("torture.h", &opts, |n| (0..=n).collect());
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
    for (split, got) in two_threads(&opts, |n| (0..=n).collect()) {
        assert_eq!(got, expected, "classes from {split} on the second thread");
    }
}

#[test]
fn split_point_shares_the_classes() {
    let (api, layouts) = analyze(&Options::default()).expect("analyze");
    let Some(split) = parallel::split_point(&api, &layouts) else {
        // One core: nothing is shared, which `generate` then does on one thread.
        assert_eq!(
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            1
        );
        return;
    };
    let n = api.classes.len();
    assert!(0 < split && split < n, "split {split} of {n}");
    // Neither side gets less than a quarter of the slots.
    let slots = |ls: &[httpserv_codegen::VtableLayout]| -> usize {
        ls.iter().map(|l| l.own_slots().len()).sum()
    };
    let (first, second) = (slots(&layouts[..split]), slots(&layouts[split..]));
    assert!(
        4 * first >= first + second && 4 * second >= first + second,
        "{first} / {second}"
    );
}
