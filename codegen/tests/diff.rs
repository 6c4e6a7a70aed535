//! `httpserv-codegen diff` on versions of the bundled header: an older SDK without the *3/*4
//! interfaces, and one with a slot moved in an existing interface (an ABI break).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_httpserv-codegen");

/// The SDK versions under test, derived from the bundled header at test time (so they never
/// drift from it), written to a temporary folder under their own file names.
struct Headers {
    dir: tempfile::TempDir,
}

/// The interfaces an older SDK (before IIS 8.5/10) lacks.
const NEWER_INTERFACES: [&str; 7] = [
    "IHttpRequest3",
    "IHttpRequest4",
    "IHttpResponse3",
    "IHttpResponse4",
    "IHttpContext3",
    "IHttpContext4",
    "IHttpServer3",
];

impl Headers {
    fn new() -> Self {
        let bundled = std::fs::read_to_string(httpserv_codegen::bundled_header()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        // Older SDK: the class definitions of the *3/*4 interfaces removed (their forward
        // declarations stay, as they would in a header that only mentions them).
        let mut older = String::new();
        let mut skipping = false;
        for line in bundled.lines() {
            let starts_removed = line.starts_with("class ")
                && NEWER_INTERFACES
                    .iter()
                    .any(|name| line.contains(&format!(" {name} :")));
            skipping |= starts_removed;
            if !skipping {
                older.push_str(line);
                older.push('\n');
            } else if line.starts_with("};") {
                skipping = false;
            }
        }
        assert_eq!(older.matches("IHttpContext3 :").count(), 0);
        std::fs::write(dir.path().join("httpserv-older.h"), older).unwrap();
        // A slot moved in an existing interface: IHttpUser's GetUserName after
        // GetAuthenticationType.
        let user_name = "    virtual PCWSTR GetUserName(VOID) = 0;\n";
        let auth_type = "    virtual PCWSTR GetAuthenticationType(VOID) = 0;\n";
        let original = format!("{user_name}{auth_type}");
        assert!(bundled.contains(&original), "bundled IHttpUser changed");
        let moved = bundled.replacen(&original, &format!("{auth_type}{user_name}"), 1);
        std::fs::write(dir.path().join("httpserv-moved-slot.h"), moved).unwrap();
        Headers { dir }
    }

    fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn headers() -> Headers {
    Headers::new()
}

fn diff(old: &Path, new: &Path) -> Output {
    Command::new(BIN)
        .arg("diff")
        .arg(old)
        .arg(new)
        .output()
        .expect("run httpserv-codegen diff")
}

fn stdout_lines(out: &Output) -> Vec<String> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn older_sdk_to_current_adds_the_3_and_4_interfaces_without_abi_break() {
    let out = diff(
        &headers().join("httpserv-older.h"),
        &httpserv_codegen::bundled_header(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines = stdout_lines(&out);
    assert!(
        lines[0].starts_with("--- httpserv-older.h (sha256 "),
        "{lines:?}"
    );
    assert!(lines[1].starts_with("+++ httpserv.h (sha256 "), "{lines:?}");
    assert_eq!(
        lines[2..],
        [
            "+ class IHttpRequest3 : IHttpRequest2 (26 slots, 1 own)",
            "+ class IHttpRequest4 : IHttpRequest3 (27 slots, 1 own)",
            "+ class IHttpResponse3 : IHttpResponse2 (31 slots, 1 own)",
            "+ class IHttpResponse4 : IHttpResponse3 (36 slots, 5 own)",
            "+ class IHttpContext3 : IHttpContext2 (44 slots, 4 own)",
            "+ class IHttpContext4 : IHttpContext3 (46 slots, 2 own)",
            "+ class IHttpServer3 : IHttpServer2 (32 slots, 1 own)",
            "summary: 7 types added, 0 removed; 0 methods added, 0 removed, 0 moved, \
             0 signatures changed; 0 constants and 0 enums changed; 0 other changes; 0 ABI breaks",
        ]
    );

    // The other way round: the same seven types removed, still no break of a type in both.
    let back = diff(
        &httpserv_codegen::bundled_header(),
        &headers().join("httpserv-older.h"),
    );
    assert_eq!(back.status.code(), Some(0));
    let lines = stdout_lines(&back);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("- class ")).count(),
        7
    );
    assert!(lines.contains(&"- class IHttpContext4 : IHttpContext3".to_string()));
}

#[test]
fn moved_slot_in_an_existing_interface_is_a_loud_abi_break() {
    let out = diff(
        &httpserv_codegen::bundled_header(),
        &headers().join("httpserv-moved-slot.h"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("1 ABI break(s)"), "{stderr}");
    assert_eq!(
        stdout_lines(&out)[2..],
        [
            "~ method IHttpUser::GetAuthenticationType: slot 2 -> 1",
            "~ method IHttpUser::GetUserName: slot 1 -> 2",
            "ABI BREAK: class IHttpUser: slot 1 was `GetUserName PCWSTR ()`, is \
             `GetAuthenticationType PCWSTR ()` (2 slots differ)",
            "summary: 0 types added, 0 removed; 0 methods added, 0 removed, 2 moved, \
             0 signatures changed; 0 constants and 0 enums changed; 0 other changes; 1 ABI breaks",
        ]
    );
}

#[test]
fn same_header_twice_reports_no_change_and_errors_exit_1() {
    let h = httpserv_codegen::bundled_header();
    let same = diff(&h, &h);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(stdout_lines(&same).last().unwrap(), "no API changes");

    let missing = diff(&h, Path::new("no/such/httpserv.h"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/httpserv.h"));
}

/// Generates a crate from `header` into a temporary folder.
fn generated_crate(header: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["generate", "--header"])
        .arg(header)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn against(dir: &Path, new: &Path) -> Output {
    Command::new(BIN)
        .args(["diff", "--against"])
        .arg(dir)
        .arg(new)
        .output()
        .expect("run httpserv-codegen diff --against")
}

#[test]
fn against_a_generated_crate_reports_the_same_changes() {
    // A crate generated from the older header, compared with the current header.
    let older = generated_crate(&headers().join("httpserv-older.h"));
    let out = against(older.path(), &httpserv_codegen::bundled_header());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines = stdout_lines(&out);
    assert!(
        lines[0].starts_with("--- httpserv-older.h (sha256 ")
            && lines[0].ends_with("(generated crate)"),
        "{lines:?}"
    );
    assert_eq!(
        lines[2..9],
        [
            "+ class IHttpRequest3 : IHttpRequest2 (26 slots, 1 own)",
            "+ class IHttpRequest4 : IHttpRequest3 (27 slots, 1 own)",
            "+ class IHttpResponse3 : IHttpResponse2 (31 slots, 1 own)",
            "+ class IHttpResponse4 : IHttpResponse3 (36 slots, 5 own)",
            "+ class IHttpContext3 : IHttpContext2 (44 slots, 4 own)",
            "+ class IHttpContext4 : IHttpContext3 (46 slots, 2 own)",
            "+ class IHttpServer3 : IHttpServer2 (32 slots, 1 own)",
        ]
    );
    assert!(
        lines[9].starts_with("summary: 7 types added, 0 removed;"),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("ABI BREAK")),
        "{lines:?}"
    );

    // The current crate against the header with a moved slot: the same loud break.
    let current = generated_crate(&httpserv_codegen::bundled_header());
    let moved = against(current.path(), &headers().join("httpserv-moved-slot.h"));
    assert_eq!(moved.status.code(), Some(3));
    let lines = stdout_lines(&moved);
    assert!(
        lines.contains(&"~ method IHttpUser::GetAuthenticationType: slot 2 -> 1".to_string()),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ABI BREAK: class IHttpUser: slot 1 was `GetUserName ")),
        "{lines:?}"
    );

    // Against itself: nothing.
    let same = against(current.path(), &httpserv_codegen::bundled_header());
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(stdout_lines(&same).last().unwrap(), "no API changes");
}
