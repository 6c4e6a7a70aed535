//! The mock completes the HTTP API structures the shims leave incomplete (cpp/http_raw.h);
//! modules read them through windows-sys. Both must agree, or the raw-request and data-chunk
//! tests would pass for the wrong reason.
#![cfg(mock_iis)]

use core::mem::{offset_of, size_of};

use httpserv_host_tests::host::layout;
use windows_sys::Win32::Networking::HttpServer::*;
use windows_sys::Win32::Networking::WinSock::SOCKADDR;

#[test]
fn http_api_structures_match_windows_sys() {
    let expected: [(u32, &str, usize); 17] = [
        (0, "sizeof(HTTP_DATA_CHUNK)", size_of::<HTTP_DATA_CHUNK>()),
        (
            1,
            "offsetof(HTTP_DATA_CHUNK, FromMemory.pBuffer)",
            offset_of!(HTTP_DATA_CHUNK, Anonymous.FromMemory.pBuffer),
        ),
        (
            2,
            "offsetof(HTTP_DATA_CHUNK, FromMemory.BufferLength)",
            offset_of!(HTTP_DATA_CHUNK, Anonymous.FromMemory.BufferLength),
        ),
        (3, "sizeof(HTTP_REQUEST_V1)", size_of::<HTTP_REQUEST_V1>()),
        (4, "sizeof(HTTP_REQUEST_V2)", size_of::<HTTP_REQUEST_V2>()),
        (
            5,
            "offsetof(HTTP_REQUEST_V1, CookedUrl)",
            offset_of!(HTTP_REQUEST_V1, CookedUrl),
        ),
        (
            6,
            "offsetof(HTTP_REQUEST_V1, Headers)",
            offset_of!(HTTP_REQUEST_V1, Headers),
        ),
        (
            7,
            "offsetof(HTTP_REQUEST_V1, BytesReceived)",
            offset_of!(HTTP_REQUEST_V1, BytesReceived),
        ),
        (
            8,
            "offsetof(HTTP_REQUEST_V2, RequestInfoCount)",
            offset_of!(HTTP_REQUEST_V2, RequestInfoCount),
        ),
        (9, "sizeof(HTTP_RESPONSE_V1)", size_of::<HTTP_RESPONSE_V1>()),
        (
            10,
            "sizeof(HTTP_RESPONSE_V2)",
            size_of::<HTTP_RESPONSE_V2>(),
        ),
        (
            11,
            "offsetof(HTTP_RESPONSE_V1, Headers)",
            offset_of!(HTTP_RESPONSE_V1, Headers),
        ),
        (
            12,
            "offsetof(HTTP_RESPONSE_V1, pEntityChunks)",
            offset_of!(HTTP_RESPONSE_V1, pEntityChunks),
        ),
        (
            13,
            "sizeof(HTTP_CACHE_POLICY)",
            size_of::<HTTP_CACHE_POLICY>(),
        ),
        (14, "sizeof(HTTP_COOKED_URL)", size_of::<HTTP_COOKED_URL>()),
        (
            15,
            "sizeof(HTTP_UNKNOWN_HEADER)",
            size_of::<HTTP_UNKNOWN_HEADER>(),
        ),
        (16, "sizeof(SOCKADDR)", size_of::<SOCKADDR>()),
    ];
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(i, _, want)| layout(*i) != *want)
        .map(|(i, what, want)| format!("{what}: clang {}, windows-sys {want}", layout(*i)))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
