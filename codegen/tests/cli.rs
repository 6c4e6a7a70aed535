//! The command-line contract: exit codes, messages, atomic output, determinism.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_httpserv-codegen");

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run httpserv-codegen")
}

fn bundled_header() -> PathBuf {
    httpserv_codegen::bundled_header()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn bindings(out_dir: &Path) -> Vec<u8> {
    std::fs::read(out_dir.join(httpserv_codegen::BINDINGS_FILE)).expect("bindings written")
}

#[test]
fn layout_prints_one_tab_separated_line_per_slot() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["layout"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // 767 slots over 67 types: the totals of ../shared/abi/notes.md for SDK 10.0.26100.
    assert_eq!(lines.len(), 767);
    let types: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(types.len(), 67);
    assert!(lines.iter().all(|l| l.split('\t').count() == 4));
    assert!(lines.contains(&"CHttpModule\t30\t~CHttpModule\t()"));
    assert!(lines.contains(&"IHttpUser\t1\tGetUserName\tPCWSTR ()"));
}

#[test]
fn output_is_identical_whatever_the_header_path_cwd_and_locale() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let header_a = a.path().join("sdk/um/httpserv.h");
    let header_b = b.path().join("elsewhere/deeper/httpserv.h");
    for h in [&header_a, &header_b] {
        std::fs::create_dir_all(h.parent().unwrap()).unwrap();
        std::fs::copy(bundled_header(), h).unwrap();
    }
    let out_a = a.path().join("out");
    let out_b = b.path().join("out");
    let first = run(
        &["generate", "--header", "sdk/um/httpserv.h", "--out", "out"],
        a.path(),
    );
    assert!(first.status.success(), "{}", stderr(&first));
    // Another environment: locale, time zone, clang's include-path variables pointing at
    // headers that must not be picked up, a reproducible-build epoch, another HOME and TMPDIR.
    let bogus = b.path().join("bogus-includes");
    std::fs::create_dir_all(&bogus).unwrap();
    for name in ["windows.h", "http.h", "ahadmin.h", "sal.h", "httpserv.h"] {
        std::fs::write(bogus.join(name), "#error picked up from the environment\n").unwrap();
    }
    let tmp_b = b.path().join("tmp");
    std::fs::create_dir_all(&tmp_b).unwrap();
    let other_env = |command: &mut Command| {
        command
            .current_dir(b.path().join("elsewhere"))
            .env("LC_ALL", "de_DE.UTF-8")
            .env("LANG", "tr_TR.UTF-8")
            .env("TZ", "Pacific/Chatham")
            .env("CPATH", &bogus)
            .env("CPLUS_INCLUDE_PATH", &bogus)
            .env("C_INCLUDE_PATH", &bogus)
            .env("SOURCE_DATE_EPOCH", "1")
            .env("HOME", b.path())
            .env("TMPDIR", &tmp_b);
    };
    let mut command = Command::new(BIN);
    command
        .args(["generate", "--header"])
        .arg(&header_b)
        .arg("--out")
        .arg(&out_b);
    other_env(&mut command);
    let second = command.output().unwrap();
    assert!(second.status.success(), "{}", stderr(&second));
    let (bytes_a, bytes_b) = (bindings(&out_a), bindings(&out_b));
    assert!(
        bytes_a == bytes_b,
        "output depends on path, cwd, locale or environment"
    );
    // The `layout` report too.
    let layout_a = run(&["layout", "--header", "sdk/um/httpserv.h"], a.path());
    let mut command = Command::new(BIN);
    command.arg("layout").arg("--header").arg(&header_b);
    other_env(&mut command);
    let layout_b = command.output().unwrap();
    assert!(layout_a.status.success() && layout_b.status.success());
    assert!(
        layout_a.stdout == layout_b.stdout,
        "layout depends on path, cwd, locale or environment"
    );
    // And it is what is committed (same header bytes, same target).
    let committed =
        std::fs::read(httpserv_codegen::default_out_dir().join(httpserv_codegen::BINDINGS_FILE))
            .unwrap();
    assert!(bytes_a == committed, "generated/ is stale: run `generate`");
    let text = String::from_utf8(bytes_a).unwrap();
    assert!(!text.contains(a.path().to_str().unwrap()));
    assert!(!text.contains(env!("CARGO_MANIFEST_DIR")));
}

#[test]
fn check_names_the_stale_file_and_generate_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("crate");
    let missing = run(&["check", "--out", out.to_str().unwrap()], dir.path());
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("bindings.rs"),
        "{}",
        stderr(&missing)
    );
    assert!(
        run(&["generate", "--out", out.to_str().unwrap()], dir.path())
            .status
            .success()
    );
    assert!(
        run(&["check", "--out", out.to_str().unwrap()], dir.path())
            .status
            .success()
    );
    let file = out.join(httpserv_codegen::BINDINGS_FILE);
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("// local edit\n");
    std::fs::write(&file, text).unwrap();
    let stale = run(&["check", "--out", out.to_str().unwrap()], dir.path());
    assert_eq!(stale.status.code(), Some(1));
    assert!(stderr(&stale).contains("bindings.rs"));
}

#[test]
fn rustfmt_flag_writes_the_same_file_and_times_rustfmt() {
    // `--rustfmt` formats every item with rustfmt; without it, the bundled header needs none
    // (`--time-stages` shows the rustfmt stage only when it ran).
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let printer = run(
        &["generate", "--out", a.to_str().unwrap(), "--time-stages"],
        dir.path(),
    );
    assert!(printer.status.success(), "{}", stderr(&printer));
    assert!(stderr(&printer).contains("format: print"));
    assert!(!stderr(&printer).contains("format: rustfmt"));
    let forced = run(
        &[
            "generate",
            "--rustfmt",
            "--out",
            b.to_str().unwrap(),
            "--time-stages",
        ],
        dir.path(),
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(stderr(&forced).contains("format: rustfmt"));
    assert_eq!(bindings(&a), bindings(&b));
    let check = run(
        &["check", "--rustfmt", "--out", a.to_str().unwrap()],
        dir.path(),
    );
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn single_thread_writes_the_same_file_and_two_threads_share_the_work() {
    // With two cores, the second thread's stages show in `--time-stages` (the model checks,
    // the classes); `--single-thread` has no second thread, and writes the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let shared = run(
        &["generate", "--out", a.to_str().unwrap(), "--time-stages"],
        dir.path(),
    );
    assert!(shared.status.success(), "{}", stderr(&shared));
    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2);
    for stage in [
        "thread 2: validate model",
        "thread 2: emit",
        "wait for thread 2",
    ] {
        assert_eq!(stderr(&shared).contains(stage), two_cores, "{stage}");
    }
    let single = run(
        &[
            "generate",
            "--single-thread",
            "--out",
            b.to_str().unwrap(),
            "--time-stages",
        ],
        dir.path(),
    );
    assert!(single.status.success(), "{}", stderr(&single));
    assert!(!stderr(&single).contains("thread 2"));
    assert_eq!(bindings(&a), bindings(&b));
    let check = run(
        &["check", "--single-thread", "--out", a.to_str().unwrap()],
        dir.path(),
    );
    assert!(check.status.success(), "{}", stderr(&check));
}

/// Runs `generate` on a bad header into an output folder that already holds bindings, and
/// returns stderr after checking the run failed cleanly and left the old file untouched.
fn generate_fails(header_text: Option<&[u8]>, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("crate");
    let old = b"// previous bindings\n";
    std::fs::create_dir_all(out.join("src")).unwrap();
    std::fs::write(out.join(httpserv_codegen::BINDINGS_FILE), old).unwrap();
    let header = dir.path().join("bad.h");
    if let Some(text) = header_text {
        std::fs::write(&header, text).unwrap();
    }
    let mut args = vec!["generate", "--header", "bad.h", "--out", "crate"];
    args.extend_from_slice(extra);
    let result = run(&args, dir.path());
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(bindings(&out), old, "previous output changed");
    err
}

#[test]
fn missing_header_is_a_clear_error() {
    let err = generate_fails(None, &[]);
    assert!(err.contains("header `bad.h` not found"), "{err}");
}

#[test]
fn syntax_error_names_file_line_and_shows_it() {
    let err = generate_fails(
        Some(b"class IFoo {\npublic:\n  virtual int F( = 0;\n};\n"),
        &[],
    );
    assert!(err.contains("bad.h:3:"), "{err}");
    assert!(err.contains("3 |   virtual int F( = 0;"), "{err}");
}

#[test]
fn multiple_inheritance_is_refused_with_the_construct() {
    let header = b"class A { public: virtual void a() = 0; };\n\
                   class B { public: virtual void b() = 0; };\n\
                   class C : public A, public B { public: virtual void c() = 0; };\n";
    let err = generate_fails(Some(header), &[]);
    assert!(err.contains("class `C`"), "{err}");
    assert!(err.contains("multiple inheritance"), "{err}");
    assert!(err.contains("bad.h:3:"), "{err}");
}

#[test]
fn header_without_classes_is_refused() {
    let err = generate_fails(Some(b""), &[]);
    assert!(
        err.contains("declares no class with virtual methods"),
        "{err}"
    );
}

#[test]
fn unwritable_output_leaves_previous_bindings() {
    // A file where the output's `src` folder should be: creating the temp file fails.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("src"), "not a folder").unwrap();
    let result = run(&["generate", "--out", "."], dir.path());
    assert_eq!(result.status.code(), Some(1));
    assert!(stderr(&result).contains("src"), "{}", stderr(&result));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src")).unwrap(),
        "not a folder"
    );
}

#[test]
fn unknown_target_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let result = run(
        &["layout", "--target", "x86_64-unknown-linux-gnu"],
        dir.path(),
    );
    assert!(!result.status.success());
    assert!(stderr(&result).contains("unsupported target"));
}
