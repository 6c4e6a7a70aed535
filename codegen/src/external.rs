//! Types that `httpserv.h` borrows from other Windows SDK headers, and how the
//! generated Rust spells them.
//!
//! Source of the row set: `shared/abi/external-types.tsv`, every row of kind
//! `type` except `bool` (a C++ built-in, lowered to Rust `bool` directly).
//!
//! Rules:
//! - A type that `windows-sys` 0.61 declares is written as the exact
//!   `windows-sys` item ([`ExternalRust::Path`]), never as a regenerated copy.
//!   The path names the item where 0.61 puts it (e.g. `BOOL` lives in
//!   `windows_sys::core` since 0.59, no longer in `Win32::Foundation`).
//! - A plain integer or pointer typedef that `windows-sys` has no alias for is
//!   written as the primitive it stands for (`DWORD` → `u32`,
//!   `PSOCKADDR` → `*mut windows_sys::Win32::Networking::WinSock::SOCKADDR`).
//! - A type `windows-sys` lacks (COM interfaces of `ahadmin.h` and
//!   `wpframework.h`; `windows-sys` carries no COM interfaces) is
//!   [`ExternalRust::Opaque`]: the generated crate declares an opaque type of
//!   that name, used only behind pointers (every use in `httpserv.h` is).
//!
//! Layouts (size, alignment, signedness of integers) of every `Path` row are
//! checked against clang + mingw-w64's SDK headers by
//! `tests/tests/external_types_vs_clang.rs`.

/// How a type declared outside httpserv.h is written in the generated Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalRust {
    /// A Rust path or primitive, e.g. "u32", "windows_sys::core::HRESULT".
    Path(&'static str),
    /// No windows-sys equivalent: the generated crate declares an opaque type of this name (only usable behind pointers).
    Opaque,
    /// A function-pointer typedef the generated crate declares itself from its C definition,
    /// under `#[function_pointer]`, so that it has MSVC's calling convention on every target.
    /// windows-sys's alias is `extern "system"`, which outside Windows is the SysV convention,
    /// not the Win64 one C++ objects compiled for the Microsoft ABI use (the test host's case).
    FunctionPointerAlias,
}

/// One type that `httpserv.h` uses but does not declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalType {
    /// The spelling used in `httpserv.h`.
    pub c_name: &'static str,
    /// How the generated Rust writes it.
    pub rust: ExternalRust,
    /// SDK header that declares it (from external-types.tsv), for docs and error messages.
    pub sdk_header: &'static str,
    /// The windows-sys cargo feature the path needs (e.g. "Win32_Networking_HttpServer"), if any.
    ///
    /// One feature per row: the one that gates the module of the path.
    /// `HTTP_REQUEST` (`HTTP_REQUEST_V2`) is additionally gated on
    /// `Win32_Networking_WinSock` inside `windows-sys`; that feature is
    /// brought in by the `PSOCKADDR` row, so [`windows_sys_features`] is
    /// complete for the whole table (the referee test compiles every path with
    /// exactly that feature set).
    pub windows_sys_feature: Option<&'static str>,
}

const FOUNDATION: Option<&str> = Some("Win32_Foundation");
const HTTP_SERVER: Option<&str> = Some("Win32_Networking_HttpServer");
const WINSOCK: Option<&str> = Some("Win32_Networking_WinSock");
const SECURITY: Option<&str> = Some("Win32_Security");
const SYSTEM_IO: Option<&str> = Some("Win32_System_IO");
const SYSTEM_IIS: Option<&str> = Some("Win32_System_Iis");

const fn path(
    c_name: &'static str,
    sdk_header: &'static str,
    rust: &'static str,
    windows_sys_feature: Option<&'static str>,
) -> ExternalType {
    ExternalType {
        c_name,
        rust: ExternalRust::Path(rust),
        sdk_header,
        windows_sys_feature,
    }
}

const fn opaque(c_name: &'static str, sdk_header: &'static str) -> ExternalType {
    ExternalType {
        c_name,
        rust: ExternalRust::Opaque,
        sdk_header,
        windows_sys_feature: None,
    }
}

const fn function_pointer_alias(c_name: &'static str, sdk_header: &'static str) -> ExternalType {
    ExternalType {
        c_name,
        rust: ExternalRust::FunctionPointerAlias,
        sdk_header,
        windows_sys_feature: None,
    }
}

/// Every external type of `httpserv.h`, sorted by `c_name` (byte order), unique.
pub static EXTERNAL_TYPES: &[ExternalType] = &[
    // `typedef int BOOL;` windows-sys 0.61 declares it in `core`.
    path("BOOL", "minwindef.h", "windows_sys::core::BOOL", None),
    // `typedef unsigned char BYTE;` no windows-sys alias.
    path("BYTE", "minwindef.h", "u8", None),
    // `typedef unsigned long DWORD;` (32-bit on Windows) no windows-sys alias.
    path("DWORD", "minwindef.h", "u32", None),
    path(
        "FILETIME",
        "minwindef.h",
        "windows_sys::Win32::Foundation::FILETIME",
        FOUNDATION,
    ),
    path("GUID", "guiddef.h", "windows_sys::core::GUID", None),
    path(
        "HANDLE",
        "winnt.h",
        "windows_sys::Win32::Foundation::HANDLE",
        FOUNDATION,
    ),
    path("HRESULT", "winnt.h", "windows_sys::core::HRESULT", None),
    path(
        "HTTP_CACHE_POLICY",
        "http.h",
        "windows_sys::Win32::Networking::HttpServer::HTTP_CACHE_POLICY",
        HTTP_SERVER,
    ),
    path(
        "HTTP_DATA_CHUNK",
        "http.h",
        "windows_sys::Win32::Networking::HttpServer::HTTP_DATA_CHUNK",
        HTTP_SERVER,
    ),
    // C enum (int-sized); windows-sys: `pub type HTTP_HEADER_ID = i32;`.
    path(
        "HTTP_HEADER_ID",
        "http.h",
        "windows_sys::Win32::Networking::HttpServer::HTTP_HEADER_ID",
        HTTP_SERVER,
    ),
    path(
        "HTTP_LOG_DATA",
        "http.h",
        "windows_sys::Win32::Networking::HttpServer::HTTP_LOG_DATA",
        HTTP_SERVER,
    ),
    // `typedef ULONGLONG HTTP_OPAQUE_ID;` windows-sys has no alias (its
    // structs spell the fields `u64`).
    path("HTTP_OPAQUE_ID", "http.h", "u64", None),
    // `typedef HTTP_REQUEST_V2 HTTP_REQUEST;` when `_WIN32_WINNT >= 0x0600`,
    // which httpserv.h requires. windows-sys has only the V1/V2 names; V2 is
    // additionally gated on `Win32_Networking_WinSock` (see the PSOCKADDR row).
    path(
        "HTTP_REQUEST",
        "http.h",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_V2",
        HTTP_SERVER,
    ),
    // C enum (int-sized); windows-sys: `pub type HTTP_REQUEST_PROPERTY = i32;`.
    path(
        "HTTP_REQUEST_PROPERTY",
        "http.h",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_PROPERTY",
        HTTP_SERVER,
    ),
    // `typedef HTTP_RESPONSE_V2 HTTP_RESPONSE;` when `_WIN32_WINNT >= 0x0600`.
    path(
        "HTTP_RESPONSE",
        "http.h",
        "windows_sys::Win32::Networking::HttpServer::HTTP_RESPONSE_V2",
        HTTP_SERVER,
    ),
    path(
        "HTTP_SSL_CLIENT_CERT_INFO",
        "http.h",
        "windows_sys::Win32::Networking::HttpServer::HTTP_SSL_CLIENT_CERT_INFO",
        HTTP_SERVER,
    ),
    // httptrace.h structs: windows-sys 0.61 does carry them, in `System::Iis`.
    path(
        "HTTP_TRACE_CONFIGURATION",
        "httptrace.h",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_CONFIGURATION",
        SYSTEM_IIS,
    ),
    path(
        "HTTP_TRACE_EVENT",
        "httptrace.h",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT",
        SYSTEM_IIS,
    ),
    opaque("IAppHostAdminManager", "ahadmin.h"),
    opaque("IAppHostConfigException", "ahadmin.h"),
    opaque("IWorkerProcessFramework", "wpframework.h"),
    opaque("IWpfSettings", "wpframework.h"),
    // `typedef long LONG;` (32-bit on Windows) no windows-sys alias.
    path("LONG", "winnt.h", "i32", None),
    // `typedef const GUID *LPCGUID;` no windows-sys alias.
    path(
        "LPCGUID",
        "guiddef.h",
        "*const windows_sys::core::GUID",
        None,
    ),
    // `typedef const WCHAR *LPCWSTR;` same type as PCWSTR; windows-sys has only PCWSTR.
    path("LPCWSTR", "winnt.h", "windows_sys::core::PCWSTR", None),
    // `typedef OVERLAPPED *LPOVERLAPPED;` no windows-sys alias.
    path(
        "LPOVERLAPPED",
        "minwinbase.h",
        "*mut windows_sys::Win32::System::IO::OVERLAPPED",
        SYSTEM_IO,
    ),
    // `typedef VOID (WINAPI *LPOVERLAPPED_COMPLETION_ROUTINE)(DWORD, DWORD, LPOVERLAPPED);`
    // declared by the generated crate (see `FunctionPointerAlias`).
    function_pointer_alias("LPOVERLAPPED_COMPLETION_ROUTINE", "minwinbase.h"),
    // `typedef BYTE *PBYTE;` no windows-sys alias.
    path("PBYTE", "minwindef.h", "*mut u8", None),
    path("PCSTR", "winnt.h", "windows_sys::core::PCSTR", None),
    path("PCWSTR", "winnt.h", "windows_sys::core::PCWSTR", None),
    path(
        "PSID",
        "winnt.h",
        "windows_sys::Win32::Security::PSID",
        SECURITY,
    ),
    // `typedef SOCKADDR *PSOCKADDR;` no windows-sys alias.
    path(
        "PSOCKADDR",
        "ws2def.h (via winsock2.h)",
        "*mut windows_sys::Win32::Networking::WinSock::SOCKADDR",
        WINSOCK,
    ),
    // `typedef ULONG *PULONG;` no windows-sys alias.
    path("PULONG", "minwindef.h", "*mut u32", None),
    // `typedef void *PVOID;` no windows-sys alias.
    path("PVOID", "winnt.h", "*mut core::ffi::c_void", None),
    path("PWSTR", "winnt.h", "windows_sys::core::PWSTR", None),
    // `typedef unsigned char UCHAR;` no windows-sys alias.
    path("UCHAR", "minwindef.h", "u8", None),
    // A union { struct { DWORD LowPart; DWORD HighPart; }; ULONGLONG QuadPart; }.
    // windows-sys (like win32metadata) projects it as `u64` and has no item of
    // that name; size and alignment are 8 either way.
    path("ULARGE_INTEGER", "winnt.h", "u64", None),
    // `typedef unsigned long ULONG;` (32-bit on Windows) no windows-sys alias.
    path("ULONG", "minwindef.h", "u32", None),
    // `typedef unsigned __int64 ULONGLONG;` no windows-sys alias.
    path("ULONGLONG", "winnt.h", "u64", None),
    // `typedef unsigned short USHORT;` no windows-sys alias.
    path("USHORT", "minwindef.h", "u16", None),
];

/// The table row for `c_name` (exact, case-sensitive match), if any.
pub fn lookup(c_name: &str) -> Option<&'static ExternalType> {
    EXTERNAL_TYPES
        .binary_search_by(|row| row.c_name.cmp(c_name))
        .ok()
        .map(|index| &EXTERNAL_TYPES[index])
}

/// The sorted, de-duplicated windows-sys features the whole table needs.
pub fn windows_sys_features() -> Vec<&'static str> {
    let mut features: Vec<&'static str> = EXTERNAL_TYPES
        .iter()
        .filter_map(|row| row.windows_sys_feature)
        .collect();
    features.sort_unstable();
    features.dedup();
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `type` rows of shared/abi/external-types.tsv, without `bool`.
    const TSV_TYPE_ROWS: &[&str] = &[
        "IAppHostAdminManager",
        "IAppHostConfigException",
        "GUID",
        "LPCGUID",
        "HTTP_CACHE_POLICY",
        "HTTP_DATA_CHUNK",
        "HTTP_HEADER_ID",
        "HTTP_LOG_DATA",
        "HTTP_OPAQUE_ID",
        "HTTP_REQUEST",
        "HTTP_REQUEST_PROPERTY",
        "HTTP_RESPONSE",
        "HTTP_SSL_CLIENT_CERT_INFO",
        "HTTP_TRACE_CONFIGURATION",
        "HTTP_TRACE_EVENT",
        "LPOVERLAPPED",
        "LPOVERLAPPED_COMPLETION_ROUTINE",
        "BOOL",
        "BYTE",
        "DWORD",
        "FILETIME",
        "PBYTE",
        "PULONG",
        "UCHAR",
        "ULONG",
        "USHORT",
        "HANDLE",
        "HRESULT",
        "LONG",
        "LPCWSTR",
        "PCSTR",
        "PCWSTR",
        "PSID",
        "PVOID",
        "PWSTR",
        "ULARGE_INTEGER",
        "ULONGLONG",
        "IWorkerProcessFramework",
        "IWpfSettings",
        "PSOCKADDR",
    ];

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in EXTERNAL_TYPES.windows(2) {
            assert!(
                pair[0].c_name < pair[1].c_name,
                "EXTERNAL_TYPES not strictly sorted: {:?} before {:?}",
                pair[0].c_name,
                pair[1].c_name
            );
        }
    }

    #[test]
    fn table_covers_exactly_the_tsv_type_rows() {
        let mut expected: Vec<&str> = TSV_TYPE_ROWS.to_vec();
        expected.sort_unstable();
        let actual: Vec<&str> = EXTERNAL_TYPES.iter().map(|row| row.c_name).collect();
        assert_eq!(actual, expected);
        assert!(
            lookup("bool").is_none(),
            "bool is lowered directly, not via the table"
        );
    }

    #[test]
    fn lookup_finds_every_row_and_nothing_else() {
        for row in EXTERNAL_TYPES {
            assert_eq!(lookup(row.c_name), Some(row));
        }
        assert_eq!(lookup(""), None);
        assert_eq!(lookup("dword"), None);
        assert_eq!(lookup("HTTP_REQUEST_V2"), None);
        assert_eq!(lookup("IHttpContext"), None);
    }

    #[test]
    fn lookup_examples() {
        assert_eq!(lookup("DWORD").unwrap().rust, ExternalRust::Path("u32"));
        assert_eq!(
            lookup("HRESULT").unwrap().rust,
            ExternalRust::Path("windows_sys::core::HRESULT")
        );
        let request = lookup("HTTP_REQUEST").unwrap();
        assert_eq!(
            request.rust,
            ExternalRust::Path("windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_V2")
        );
        assert_eq!(request.sdk_header, "http.h");
        assert_eq!(
            request.windows_sys_feature,
            Some("Win32_Networking_HttpServer")
        );
        assert_eq!(lookup("IWpfSettings").unwrap().rust, ExternalRust::Opaque);
    }

    #[test]
    fn rows_are_consistent() {
        for row in EXTERNAL_TYPES {
            assert!(!row.sdk_header.is_empty(), "{}: no sdk_header", row.c_name);
            match row.rust {
                ExternalRust::Opaque | ExternalRust::FunctionPointerAlias => assert_eq!(
                    row.windows_sys_feature, None,
                    "{}: opaque and alias rows need no windows-sys feature",
                    row.c_name
                ),
                ExternalRust::Path(path) => {
                    assert!(!path.trim().is_empty(), "{}: empty path", row.c_name);
                    assert_eq!(path, path.trim(), "{}: padded path", row.c_name);
                    assert_eq!(
                        path.contains("windows_sys::Win32::"),
                        row.windows_sys_feature.is_some(),
                        "{}: a windows_sys::Win32 path needs a feature, nothing else does",
                        row.c_name
                    );
                    if let Some(feature) = row.windows_sys_feature {
                        // Win32_Networking_HttpServer <-> windows_sys::Win32::Networking::HttpServer::
                        let module = format!("windows_sys::{}::", feature.replace('_', "::"));
                        assert!(
                            path.contains(&module),
                            "{}: path {path} is not in the module of feature {feature}",
                            row.c_name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn features_are_sorted_unique_and_complete() {
        let features = windows_sys_features();
        assert_eq!(
            features,
            [
                "Win32_Foundation",
                "Win32_Networking_HttpServer",
                "Win32_Networking_WinSock",
                "Win32_Security",
                "Win32_System_IO",
                "Win32_System_Iis",
            ]
        );
        // HTTP_REQUEST_V2 is gated on WinSock in windows-sys as well.
        assert!(features.contains(&"Win32_Networking_WinSock"));
    }
}
