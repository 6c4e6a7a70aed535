//! Referee for `httpserv_codegen::external`: every type that httpserv.h borrows
//! from another SDK header and that the table maps to a Rust path must have the
//! same size and alignment as the SDK type has for Windows x64; integer
//! typedefs also the same signedness, pointer typedefs the same pointee
//! (`const` or not, `void` or not, pointee size and alignment).
//!
//! - Rust side: the mapped `windows-sys` item or primitive, compiled for this
//!   x86_64 host. For these types (integers, raw pointers, `Option<fn>`, and
//!   `#[repr(C)]` structs/unions of those) the x86_64 Linux layout equals the
//!   x86_64 Windows one: pointers and `usize` are 8 bytes, `u64`/`i64` align to
//!   8 on both; nothing here involves `long`, `long double` or `i128`. The
//!   test refuses to build on another architecture.
//! - C side: clang's layout of the SDK type, taken from **mingw-w64's headers**
//!   (Debian package `mingw-w64-x86-64-dev`, `/usr/share/mingw-w64/include`),
//!   an SDK source independent of `windows-sys`' metadata. The target is
//!   `x86_64-w64-windows-gnu` (mingw-w64's own triple) with `-mms-bitfields`:
//!   mingw-w64's headers do not compile for `x86_64-pc-windows-msvc` (without
//!   `__GNUC__` its `_mingw.h` defines `__attribute__(x)` away, which breaks
//!   clang's own intrinsic headers it pulls in). Plain C struct/union layout is
//!   the same on both Windows x64 targets (LLP64: `long` is 4 bytes; MS
//!   bitfield layout forced by `-mms-bitfields`); the only difference, the
//!   underlying type of C enums without a fixed type (MSVC: `int`; GNU: `unsigned
//!   int` when no enumerator is negative), does not change size or alignment,
//!   so enums are checked for size and alignment only.
//!   `_WIN32_WINNT=0x0A00` is defined, as httpserv.h needs `>= 0x0600` (that
//!   makes `HTTP_REQUEST`/`HTTP_RESPONSE` the V2 structs; the TU asserts it).
//!
//! Exceptions (`SUPPLEMENT_DECLS`): mingw-w64 10 (Debian bookworm) ships no
//! `httptrace.h` and its `http.h` predates `HTTP_REQUEST_PROPERTY`, so
//! `HTTP_TRACE_CONFIGURATION`, `HTTP_TRACE_EVENT` and `HTTP_REQUEST_PROPERTY`
//! are declared in the TU from their documented SDK definitions (using
//! mingw-w64's `GUID`, `DWORD`, `BOOL`, … typedefs). Those three checks are
//! *not* independent of the field lists; they still check that the
//! windows-sys items have the layout clang gives those declarations on
//! Windows x64.
//!
//! Nothing is skipped: a missing `clang++` or missing mingw-w64 headers fail
//! the test with the package to install.

use std::any::TypeId;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::mem::{align_of, size_of};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use httpserv_codegen::external::{self, EXTERNAL_TYPES, ExternalRust};

/// Directory of mingw-w64's Windows SDK headers (Debian `mingw-w64-x86-64-dev`).
const MINGW_INCLUDE: &str = "/usr/share/mingw-w64/include";
/// Overrides [`MINGW_INCLUDE`].
const MINGW_INCLUDE_ENV: &str = "HTTPSERV_MINGW_INCLUDE";
/// Overrides the clang++ executable.
const CLANG_ENV: &str = "HTTPSERV_CLANGXX";
const CLANG_TARGET: &str = "x86_64-w64-windows-gnu";

/// How a row is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Size and alignment.
    Layout,
    /// Size, alignment and signedness (plain integer typedefs; the Rust type
    /// must be a primitive integer, which [`RustInt`] enforces at compile time).
    Int,
    /// Size and alignment, plus the pointee: `const` or not, `void` or not,
    /// and (if not `void`) its size and alignment (pointer typedefs; the Rust
    /// type must be a raw pointer, which [`RawPtr`] enforces at compile time).
    Ptr,
}

#[derive(Debug)]
struct RustSide {
    c_name: &'static str,
    /// `stringify!` of the Rust type used here.
    rust: &'static str,
    kind: Kind,
    size: usize,
    align: usize,
    signed: Option<bool>,
    /// [`Kind::Ptr`] rows: see [`pointee_text`].
    pointee: Option<String>,
}

/// How a pointee is described on both sides: `const 16@4` (const, size 16,
/// alignment 4), `mut void`, …
fn pointee_text(is_const: bool, is_void: bool, size: usize, align: usize) -> String {
    let constness = if is_const { "const" } else { "mut" };
    if is_void {
        format!("{constness} void")
    } else {
        format!("{constness} {size}@{align}")
    }
}

trait RawPtr {
    type Target: 'static;
    const CONST: bool;
}

impl<T: 'static> RawPtr for *const T {
    type Target = T;
    const CONST: bool = true;
}

impl<T: 'static> RawPtr for *mut T {
    type Target = T;
    const CONST: bool = false;
}

fn rust_pointee<P: RawPtr>() -> String {
    pointee_text(
        P::CONST,
        TypeId::of::<P::Target>() == TypeId::of::<core::ffi::c_void>(),
        size_of::<P::Target>(),
        align_of::<P::Target>(),
    )
}

trait RustInt {
    const SIGNED: bool;
}

macro_rules! rust_int {
    ($($t:ty => $signed:expr),* $(,)?) => { $(impl RustInt for $t { const SIGNED: bool = $signed; })* };
}
rust_int!(i8 => true, i16 => true, i32 => true, i64 => true, u8 => false, u16 => false, u32 => false, u64 => false);

macro_rules! signed {
    (Int, $ty:ty) => {
        Some(<$ty as RustInt>::SIGNED)
    };
    (Layout, $ty:ty) => {
        None
    };
    (Ptr, $ty:ty) => {
        None
    };
}

macro_rules! pointee {
    (Ptr, $ty:ty) => {
        Some(rust_pointee::<$ty>())
    };
    ($other:ident, $ty:ty) => {
        None
    };
}

/// `KIND C_NAME => RUST_TYPE;` — one line per `ExternalRust::Path` row of
/// `EXTERNAL_TYPES`, the Rust type spelled exactly as the table's path
/// (`table_and_check_list_agree` enforces both).
macro_rules! check_list {
    ($($kind:ident $c_name:ident => $ty:ty;)*) => {
        fn rust_side() -> Vec<RustSide> {
            vec![$(RustSide {
                c_name: stringify!($c_name),
                rust: stringify!($ty),
                kind: Kind::$kind,
                size: size_of::<$ty>(),
                align: align_of::<$ty>(),
                signed: signed!($kind, $ty),
                pointee: pointee!($kind, $ty),
            }),*]
        }
    };
}

check_list! {
    Int BOOL => windows_sys::core::BOOL;
    Int BYTE => u8;
    Int DWORD => u32;
    Layout FILETIME => windows_sys::Win32::Foundation::FILETIME;
    Layout GUID => windows_sys::core::GUID;
    Ptr HANDLE => windows_sys::Win32::Foundation::HANDLE;
    Int HRESULT => windows_sys::core::HRESULT;
    Layout HTTP_CACHE_POLICY => windows_sys::Win32::Networking::HttpServer::HTTP_CACHE_POLICY;
    Layout HTTP_DATA_CHUNK => windows_sys::Win32::Networking::HttpServer::HTTP_DATA_CHUNK;
    Layout HTTP_HEADER_ID => windows_sys::Win32::Networking::HttpServer::HTTP_HEADER_ID;
    Layout HTTP_LOG_DATA => windows_sys::Win32::Networking::HttpServer::HTTP_LOG_DATA;
    Int HTTP_OPAQUE_ID => u64;
    Layout HTTP_REQUEST => windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_V2;
    Layout HTTP_REQUEST_PROPERTY => windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_PROPERTY;
    Layout HTTP_RESPONSE => windows_sys::Win32::Networking::HttpServer::HTTP_RESPONSE_V2;
    Layout HTTP_SSL_CLIENT_CERT_INFO => windows_sys::Win32::Networking::HttpServer::HTTP_SSL_CLIENT_CERT_INFO;
    Layout HTTP_TRACE_CONFIGURATION => windows_sys::Win32::System::Iis::HTTP_TRACE_CONFIGURATION;
    Layout HTTP_TRACE_EVENT => windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT;
    Int LONG => i32;
    Ptr LPCGUID => *const windows_sys::core::GUID;
    Ptr LPCWSTR => windows_sys::core::PCWSTR;
    Ptr LPOVERLAPPED => *mut windows_sys::Win32::System::IO::OVERLAPPED;
    Ptr PBYTE => *mut u8;
    Ptr PCSTR => windows_sys::core::PCSTR;
    Ptr PCWSTR => windows_sys::core::PCWSTR;
    Ptr PSID => windows_sys::Win32::Security::PSID;
    Ptr PSOCKADDR => *mut windows_sys::Win32::Networking::WinSock::SOCKADDR;
    Ptr PULONG => *mut u32;
    Ptr PVOID => *mut core::ffi::c_void;
    Ptr PWSTR => windows_sys::core::PWSTR;
    Int UCHAR => u8;
    Layout ULARGE_INTEGER => u64;
    Int ULONG => u32;
    Int ULONGLONG => u64;
    Int USHORT => u16;
}

/// SDK types that mingw-w64 10 (Debian bookworm) lacks, declared in the TU
/// from their documented SDK definitions (see the module docs):
/// - `HTTP_REQUEST_PROPERTY` (http.h of SDK 10.0.17763 and later; an enum
///   without fixed underlying type, i.e. `int`-sized on Windows);
/// - everything of httptrace.h (mingw-w64 has no such header).
///
/// If a later mingw-w64 adds one of them, clang reports a redefinition: then
/// delete that declaration here.
const SUPPLEMENT_DECLS: &str = r#"
typedef enum _HTTP_REQUEST_PROPERTY {
    HttpRequestPropertyIsb,
    HttpRequestPropertyTcpInfoV0,
    HttpRequestPropertyQuicStats,
    HttpRequestPropertyTcpInfoV1,
    HttpRequestPropertySni,
    HttpRequestPropertyStreamError
} HTTP_REQUEST_PROPERTY;
typedef enum _HTTP_TRACE_TYPE {
    HTTP_TRACE_TYPE_BYTE = 17, HTTP_TRACE_TYPE_USHORT = 18, HTTP_TRACE_TYPE_ULONG = 19,
    HTTP_TRACE_TYPE_ULONGLONG = 21, HTTP_TRACE_TYPE_CHAR = 16, HTTP_TRACE_TYPE_SHORT = 2,
    HTTP_TRACE_TYPE_LONG = 3, HTTP_TRACE_TYPE_LONGLONG = 20, HTTP_TRACE_TYPE_LPCWSTR = 31,
    HTTP_TRACE_TYPE_LPCSTR = 30, HTTP_TRACE_TYPE_LPCGUID = 72, HTTP_TRACE_TYPE_BOOL = 11
} HTTP_TRACE_TYPE;
typedef struct _HTTP_TRACE_EVENT_ITEM {
    LPCWSTR pszName;
    HTTP_TRACE_TYPE dwDataType;
    PBYTE pbData;
    DWORD cbData;
    LPCWSTR pszDataDescription;
} HTTP_TRACE_EVENT_ITEM;
typedef struct _HTTP_TRACE_EVENT {
    LPCGUID pProviderGuid;
    DWORD dwArea;
    LPCGUID pAreaGuid;
    DWORD dwEvent;
    LPCWSTR pszEventName;
    DWORD dwEventVersion;
    DWORD dwVerbosity;
    LPCGUID pActivityGuid;
    LPCGUID pRelatedActivityGuid;
    DWORD dwTimeStamp;
    DWORD dwFlags;
    DWORD cEventItems;
    HTTP_TRACE_EVENT_ITEM * pEventItems;
} HTTP_TRACE_EVENT;
typedef struct _HTTP_TRACE_CONFIGURATION {
    LPCGUID pProviderGuid;
    DWORD dwAreas;
    DWORD dwVerbosity;
    BOOL fProviderEnabled;
} HTTP_TRACE_CONFIGURATION;
"#;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn normalize(type_text: &str) -> String {
    type_text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn table_paths() -> Vec<(&'static str, &'static str)> {
    EXTERNAL_TYPES
        .iter()
        .filter_map(|row| match row.rust {
            ExternalRust::Path(path) => Some((row.c_name, path)),
            ExternalRust::Opaque | ExternalRust::FunctionPointerAlias => None,
        })
        .collect()
}

// The Rust side is measured on the host; only an x86_64 host has the Windows
// x64 layout for these types.
const _: () = assert!(
    cfg!(target_arch = "x86_64") && cfg!(target_pointer_width = "64"),
    "this referee compares Rust layouts computed on the host with Windows x64 layouts; \
     build it on an x86_64 host"
);

#[test]
fn table_and_check_list_agree() {
    let rust = rust_side();
    let listed: Vec<&str> = rust.iter().map(|r| r.c_name).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "duplicate names in check_list!");

    let table: Vec<(&str, &str)> = table_paths();
    let table_names: BTreeSet<&str> = table.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        unique, table_names,
        "check_list! must list exactly the ExternalRust::Path rows of EXTERNAL_TYPES"
    );

    for r in &rust {
        let (_, path) = table.iter().find(|(name, _)| *name == r.c_name).unwrap();
        assert_eq!(
            normalize(r.rust),
            normalize(path),
            "{}: check_list! uses `{}`, EXTERNAL_TYPES says `{}`",
            r.c_name,
            r.rust,
            path
        );
    }
}

/// Reads the `features = [...]` of the `windows-sys` dependency in tests/Cargo.toml.
fn cargo_toml_windows_sys_features() -> Vec<String> {
    let manifest = workspace_root().join("tests").join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("reading {}: {e}", manifest.display()));
    let mut found = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed
            .strip_prefix("windows-sys")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            assert!(
                found.is_none(),
                "{}: more than one windows-sys line",
                manifest.display()
            );
            found = Some(index);
        }
    }
    let start =
        found.unwrap_or_else(|| panic!("{}: no windows-sys dependency", manifest.display()));
    let rest: String = text.lines().skip(start).collect::<Vec<_>>().join("\n");
    let after = rest
        .split_once("features")
        .unwrap_or_else(|| panic!("{}: windows-sys has no features", manifest.display()))
        .1;
    let list = after
        .split_once('[')
        .and_then(|(_, tail)| tail.split_once(']'))
        .unwrap_or_else(|| panic!("{}: malformed windows-sys features", manifest.display()))
        .0;
    list.split(',')
        .map(|item| item.trim().trim_matches('"').to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

#[test]
fn cargo_toml_features_equal_table_features() {
    let table: Vec<String> = external::windows_sys_features()
        .into_iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        cargo_toml_windows_sys_features(),
        table,
        "tests/Cargo.toml windows-sys features must equal external::windows_sys_features() (same order)"
    );
}

/// Every `type` row of shared/abi/external-types.tsv (except `bool`) is a row
/// of the table with the same SDK header, and nothing else is.
#[test]
fn table_matches_external_types_tsv() {
    let tsv = workspace_root()
        .join("..")
        .join("shared")
        .join("abi")
        .join("external-types.tsv");
    let text = std::fs::read_to_string(&tsv).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (the project's shared/ folder must sit beside the repository)",
            tsv.display()
        )
    });
    let mut expected = BTreeSet::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 3, "{}: short line {line:?}", tsv.display());
        if cols[1] != "type" || cols[0] == "bool" {
            continue;
        }
        let row = external::lookup(cols[0]).unwrap_or_else(|| {
            panic!(
                "{} (from {}) missing in EXTERNAL_TYPES",
                cols[0],
                tsv.display()
            )
        });
        assert_eq!(row.sdk_header, cols[2], "{}: sdk_header", cols[0]);
        expected.insert(cols[0]);
    }
    let actual: BTreeSet<&str> = EXTERNAL_TYPES.iter().map(|row| row.c_name).collect();
    assert_eq!(
        actual, expected,
        "EXTERNAL_TYPES has rows that external-types.tsv lacks"
    );
}

/// The C++ TU: mingw-w64 SDK headers, then one global per measured value.
fn translation_unit(rows: &[RustSide]) -> String {
    let mut tu = String::from(
        "// Generated by tests/tests/external_types_vs_clang.rs\n\
         #include <winsock2.h>\n\
         #include <windows.h>\n\
         #include <http.h>\n\
         static_assert(sizeof(void *) == 8 && sizeof(long) == 4 && sizeof(wchar_t) == 2, \"not the Windows x64 (LLP64) data model\");\n\
         static_assert(__is_same(HTTP_REQUEST, HTTP_REQUEST_V2), \"HTTP_REQUEST is not HTTP_REQUEST_V2 (_WIN32_WINNT < 0x0600?)\");\n\
         static_assert(__is_same(HTTP_RESPONSE, HTTP_RESPONSE_V2), \"HTTP_RESPONSE is not HTTP_RESPONSE_V2 (_WIN32_WINNT < 0x0600?)\");\n\
         static_assert(__is_same(LPCWSTR, PCWSTR), \"LPCWSTR and PCWSTR differ\");\n\
         template <class P> struct referee_pointee;\n\
         template <class T> struct referee_pointee<T *> { typedef T type; };\n\
         // SDK types missing from mingw-w64 (SUPPLEMENT_DECLS):",
    );
    tu.push_str(SUPPLEMENT_DECLS);
    tu.push_str("extern \"C\" {\n");
    for r in rows {
        let c = r.c_name;
        writeln!(tu, "int referee_size__{c} = sizeof({c});").unwrap();
        writeln!(tu, "int referee_align__{c} = alignof({c});").unwrap();
        match r.kind {
            Kind::Layout => {}
            Kind::Int => {
                writeln!(tu, "int referee_signed__{c} = (({c})-1 < ({c})0);").unwrap();
            }
            Kind::Ptr => {
                let t = format!("referee_pointee<{c}>::type");
                writeln!(tu, "int referee_pconst__{c} = __is_const({t});").unwrap();
                writeln!(tu, "int referee_pvoid__{c} = __is_void({t});").unwrap();
                // sizeof(void) is ill-formed; the Rust side tells which rows
                // should be void, and a wrong guess fails on pvoid.
                let rust_void = r.pointee.as_deref().is_some_and(|p| p.ends_with(" void"));
                if !rust_void {
                    writeln!(tu, "int referee_psize__{c} = sizeof({t});").unwrap();
                    writeln!(tu, "int referee_palign__{c} = alignof({t});").unwrap();
                }
            }
        }
    }
    tu.push_str("}\n");
    tu
}

fn numbered(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, line)| format!("{:4} {line}\n", i + 1))
        .collect()
}

/// Compiles the TU to LLVM IR with clang++ and returns (global name, value) pairs.
fn clang_values(tu: &str) -> Vec<(String, i64)> {
    let include = std::env::var(MINGW_INCLUDE_ENV).unwrap_or_else(|_| MINGW_INCLUDE.to_string());
    for header in ["windows.h", "winsock2.h", "http.h"] {
        assert!(
            Path::new(&include).join(header).is_file(),
            "{include}/{header} not found: install the mingw-w64 SDK headers \
             (Debian/Ubuntu: `apt-get install -y mingw-w64-x86-64-dev`), \
             or point {MINGW_INCLUDE_ENV} at them"
        );
    }
    let clang = std::env::var(CLANG_ENV).unwrap_or_else(|_| "clang++".to_string());
    let args = [
        "-x",
        "c++",
        "-std=c++17",
        "-target",
        CLANG_TARGET,
        "-mms-bitfields",
        "-isystem",
        &include,
        "-D_WIN32_WINNT=0x0A00",
        "-DWINVER=0x0A00",
        "-S",
        "-emit-llvm",
        "-o",
        "-",
        "-",
    ];
    let mut child = Command::new(&clang)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{clang}`: {e}; install clang (Debian/Ubuntu: `apt-get install -y clang`) \
                 or point {CLANG_ENV} at a clang++"
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(tu.as_bytes())
        .expect("writing the TU to clang++");
    let output = child.wait_with_output().expect("waiting for clang++");
    assert!(
        output.status.success(),
        "`{clang} {}` failed ({}):\n{}\nTU:\n{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr),
        numbered(tu)
    );
    let ir = String::from_utf8(output.stdout).expect("clang IR is UTF-8");
    let mut values = Vec::new();
    for line in ir.lines() {
        let Some(rest) = line.strip_prefix("@referee_") else {
            continue;
        };
        let (name, definition) = rest
            .split_once(" = ")
            .unwrap_or_else(|| panic!("unexpected IR line {line:?}"));
        let number = definition
            .split_once("i32 ")
            .and_then(|(_, tail)| tail.split(',').next())
            .and_then(|n| n.trim().parse::<i64>().ok())
            .unwrap_or_else(|| panic!("no i32 initializer in IR line {line:?}"));
        values.push((name.to_string(), number));
    }
    values
}

#[test]
fn layouts_match_clang_with_mingw_w64_headers() {
    let rows = rust_side();
    let values = clang_values(&translation_unit(&rows));
    let value_opt = |metric: &str, c_name: &str| -> Option<i64> {
        let key = format!("{metric}__{c_name}");
        values
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, v)| *v)
    };
    let value = |metric: &str, c_name: &str| -> i64 {
        value_opt(metric, c_name)
            .unwrap_or_else(|| panic!("clang IR has no @referee_{metric}__{c_name}"))
    };
    let usize_of = |v: i64| usize::try_from(v).expect("non-negative clang value");

    let mut report = String::new();
    let mut mismatches = 0;
    writeln!(
        report,
        "{:<32} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>11} {:>11}  rust",
        "C type", "C sz", "R sz", "C al", "R al", "C sg", "R sg", "C pointee", "R pointee"
    )
    .unwrap();
    for r in &rows {
        let c_size = usize_of(value("size", r.c_name));
        let c_align = usize_of(value("align", r.c_name));
        let c_signed = (r.kind == Kind::Int).then(|| value("signed", r.c_name) != 0);
        let c_pointee = (r.kind == Kind::Ptr).then(|| {
            pointee_text(
                value("pconst", r.c_name) != 0,
                value("pvoid", r.c_name) != 0,
                value_opt("psize", r.c_name).map_or(0, usize_of),
                value_opt("palign", r.c_name).map_or(0, usize_of),
            )
        });
        let ok = c_size == r.size
            && c_align == r.align
            && c_signed == r.signed
            && c_pointee == r.pointee;
        if !ok {
            mismatches += 1;
        }
        let show_bool = |b: Option<bool>| b.map_or("-".to_string(), |b| b.to_string());
        let show_str = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".to_string());
        writeln!(
            report,
            "{:<32} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>11} {:>11}  {}{}",
            r.c_name,
            c_size,
            r.size,
            c_align,
            r.align,
            show_bool(c_signed),
            show_bool(r.signed),
            show_str(&c_pointee),
            show_str(&r.pointee),
            r.rust,
            if ok { "" } else { "   <-- MISMATCH" }
        )
        .unwrap();
    }
    println!("{report}");
    assert_eq!(mismatches, 0, "layout mismatches:\n{report}");
}
