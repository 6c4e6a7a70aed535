//! The hostile-input catalogue (`tests/bad-input/`, format in its README.md): every case runs
//! the real `httpserv-codegen` binary on its header, into an output folder that already holds a
//! previous generated crate, and must exit with the expected status, without a panic, with the
//! expected lines in its message (file, line, construct, source line) and, when it fails, with
//! the previous output byte-identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_httpserv-codegen");

/// A header above this size is the "10 MB header" case.
const BIG_HEADER_BYTES: usize = 10 * 1024 * 1024;
/// Padding line of the big header (64 bytes with the newline).
const PADDING_LINE: &str = "// padding padding padding padding padding padding padding padd\n";
/// No case may take longer than this (the 10 MB one included).
const CASE_TIMEOUT: Duration = Duration::from_secs(120);

fn catalogue_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-input")
}

#[derive(Debug, Default)]
struct Case {
    name: String,
    setup: Vec<String>,
    env: Vec<(String, String)>,
    exit: i32,
    /// Substrings of stderr.
    stderr: Vec<String>,
    /// Substrings of the generated bindings.rs (success cases).
    output: Vec<String>,
}

fn parse_expected(name: &str, text: &str) -> Case {
    let mut case = Case {
        name: name.to_string(),
        exit: 1,
        ..Case::default()
    };
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("@setup ") {
            case.setup.push(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("@env ") {
            let (k, v) = rest.trim().split_once('=').expect("@env NAME=VALUE");
            case.env.push((k.to_string(), v.to_string()));
        } else if let Some(rest) = line.strip_prefix("@exit ") {
            case.exit = rest.trim().parse().expect("@exit N");
        } else if let Some(rest) = line.strip_prefix("@output ") {
            case.output.push(rest.to_string());
        } else if line.starts_with('@') {
            panic!("{name}.expected: unknown directive `{line}`");
        } else {
            case.stderr.push(line.to_string());
        }
    }
    case
}

/// Every file under `dir`, relative path → bytes (the "previous generated crate" snapshot).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            // `dir` itself may be a file (the not-writable case).
            if d.is_file() {
                files.insert(PathBuf::new(), std::fs::read(&d).unwrap());
            }
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The previous generated crate every case starts from.
fn previous_crate(out: &Path) {
    std::fs::create_dir_all(out.join("src")).unwrap();
    std::fs::write(out.join("Cargo.toml"), "[package]\nname = \"previous\"\n").unwrap();
    std::fs::write(
        out.join("src/bindings.rs"),
        "// previous bindings: must survive every failed run byte for byte\n",
    )
    .unwrap();
}

/// A small tmpfs mounted over the output folder (root only); unmounted on drop.
struct TinyDisk(PathBuf);

impl TinyDisk {
    fn mount(dir: &Path) -> Option<TinyDisk> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "httpserv-codegen-test"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| TinyDisk(dir.to_path_buf()))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

struct RunResult {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

fn run_with_timeout(mut command: Command) -> RunResult {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run httpserv-codegen");
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr_pipe, &mut bytes).ok();
        text.push_str(&String::from_utf8_lossy(&bytes));
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > CASE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    RunResult {
        code: status.and_then(|s| s.code()),
        stderr: reader.join().unwrap(),
        elapsed: start.elapsed(),
    }
}

/// Runs one case; returns its problems (empty when it passed) and a one-line summary.
fn run_case(case: &Case) -> (Vec<String>, String) {
    let mut problems = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let header_name = format!("{}.h", case.name);
    let header = dir.path().join(&header_name);
    let source = catalogue_dir().join(&header_name);
    let out = dir.path().join("crate");
    let mut env = case.env.clone();
    let mut _disk = None;

    let companion = catalogue_dir().join(format!("{}.d", case.name));
    if companion.is_dir() {
        copy_dir(&companion, &dir.path().join(format!("{}.d", case.name)));
    }
    let mut header_present = true;
    for setup in &case.setup {
        match setup.as_str() {
            "no-header" => header_present = false,
            "header-is-folder" => {
                header_present = false;
                std::fs::create_dir_all(&header).unwrap();
            }
            "big-header" => {
                header_present = false;
                let template = std::fs::read_to_string(&source).unwrap();
                let lines = BIG_HEADER_BYTES / PADDING_LINE.len() + 1;
                let big = template.replace("// @PADDING@\n", &PADDING_LINE.repeat(lines));
                assert!(big.len() > BIG_HEADER_BYTES, "big header too small");
                std::fs::write(&header, big).unwrap();
            }
            "out-is-file" | "disk-full" => {}
            other => panic!("{}.expected: unknown @setup `{other}`", case.name),
        }
    }
    if header_present {
        std::fs::copy(&source, &header).unwrap();
    }
    if case.setup.iter().any(|s| s == "disk-full") {
        // A real full disk where we can mount one; the documented fault injection otherwise.
        _disk = TinyDisk::mount(&out);
        if _disk.is_none() {
            env.push(("HTTPSERV_CODEGEN_FAIL_WRITE_AFTER".into(), "4096".into()));
        }
    }
    previous_crate(&out);
    if _disk.is_some() {
        // 64 KiB = 16 pages; the previous crate holds 2: fill all but one, so the new file
        // gets 4 KiB and the disk fills up in the middle of writing it.
        std::fs::write(out.join("filler"), vec![b'.'; 13 * 4096]).unwrap();
    }
    if case.setup.iter().any(|s| s == "out-is-file") {
        // A file where the output's `src` folder should be: the folder cannot be written.
        std::fs::remove_dir_all(out.join("src")).unwrap();
        std::fs::write(out.join("src"), "a file, not a folder\n").unwrap();
    }
    let before = snapshot(&out);

    let mut command = Command::new(BIN);
    command
        .args(["generate", "--header", &header_name, "--out", "crate"])
        .current_dir(dir.path());
    for (k, v) in &env {
        command.env(k, v);
    }
    let result = run_with_timeout(command);
    let summary = format!(
        "{:<36} exit {:<4} {:>6} ms{}",
        case.name,
        result.code.map_or("none".to_string(), |c| c.to_string()),
        result.elapsed.as_millis(),
        if _disk.is_some() {
            "  (tmpfs of 64 KiB)"
        } else {
            ""
        }
    );

    if result.code.is_none() {
        problems.push(format!(
            "killed after {CASE_TIMEOUT:?} (or by a signal): {}",
            result.stderr
        ));
    }
    if result.stderr.contains("panicked") || result.code == Some(101) {
        problems.push("panicked".into());
    }
    if result.code != Some(case.exit) {
        problems.push(format!(
            "exit status {:?}, expected {}",
            result.code, case.exit
        ));
    }
    for wanted in &case.stderr {
        if !result.stderr.contains(wanted.as_str()) {
            problems.push(format!("stderr lacks `{wanted}`"));
        }
    }
    if case.exit != 0 {
        let after = snapshot(&out);
        if after != before {
            problems.push(format!(
                "previous output changed: before {:?}, after {:?}",
                before.keys().collect::<Vec<_>>(),
                after.keys().collect::<Vec<_>>()
            ));
        }
    } else {
        let bindings = std::fs::read_to_string(out.join("src/bindings.rs")).unwrap_or_default();
        for wanted in &case.output {
            if !bindings.contains(wanted.as_str()) {
                problems.push(format!("bindings.rs lacks `{wanted}`"));
            }
        }
    }
    if !problems.is_empty() {
        problems.push(format!("stderr was:\n{}", result.stderr));
    }
    (problems, summary)
}

#[test]
fn hostile_input_catalogue() {
    let mut cases: Vec<Case> = std::fs::read_dir(catalogue_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "expected"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            parse_expected(&name, &std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    // Every header has its expectations (a forgotten .expected file would silently not run).
    for entry in std::fs::read_dir(catalogue_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "h") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                cases.iter().any(|c| c.name == stem),
                "{} has no .expected file",
                path.display()
            );
        }
    }

    // Two workers: the cases are independent processes.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let (problems, summary) = run_case(case);
                    results.lock().unwrap().push((i, problems, summary));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _, _)| *i);
    let mut failures = Vec::new();
    for (i, problems, summary) in &results {
        println!("{summary}");
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", cases[*i].name, problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
