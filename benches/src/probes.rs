//! The probes: for each typical IIS call, the safe wrapper and the raw vtable call side by
//! side, as separate non-inlined functions (`#[unsafe(no_mangle)]`, so the assembly check finds
//! them by name).
//!
//! Each `wrapper_*` function is exactly one wrapper call; each `raw_*` function is the same call
//! through the vtable field, passing the arguments the wrapper passes and returning what C++
//! returned, without any of the wrapper's conversions:
//!
//! | probe | C++ method | the wrapper's conversions (what `raw_*` leaves out) |
//! |---|---|---|
//! | `get_response` | `IHttpContext::GetResponse` | `iface` return: NULL check (panic on NULL) |
//! | `get_header` | `IHttpRequest::GetHeader` | `bytes(L)` return: NULL → `None`, slice from the length out-parameter |
//! | `set_header` | `IHttpResponse::SetHeader` | `bytes(L)` parameter: slice length checked against `USHORT`; `bool` → `BOOL`; `hresult` return → `Result` |
//! | `post_completion` | `IHttpContext3::PostCompletion` | `hresult` return → `Result` |
//!
//! `tests/wrapper_asm.rs` compares their optimised assembly; `benches/wrappers.rs` times them.

use core::ffi::{CStr, c_void};
use core::ptr;

use httpserv::runtime::Result;
use httpserv::{
    IHttpContext, IHttpContext3, IHttpRequest, IHttpResponse, LPOVERLAPPED_COMPLETION_ROUTINE,
};
use windows_sys::core::{BOOL, HRESULT, PCSTR};

/// `IHttpContext::get_response` through the safe wrapper.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn wrapper_get_response(context: &IHttpContext) -> &IHttpResponse {
    context.get_response()
}

/// `IHttpContext::GetResponse` through the raw vtable field.
///
/// # Safety
/// `context` is a live `IHttpContext`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn raw_get_response(context: &IHttpContext) -> *mut IHttpResponse {
    unsafe { ((*context.lpVtbl).GetResponse)(ptr::from_ref(context).cast_mut()) }
}

/// `IHttpRequest::get_header` through the safe wrapper.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn wrapper_get_header<'a>(request: &'a IHttpRequest, name: &CStr) -> Option<&'a [u8]> {
    request.get_header(name)
}

/// `IHttpRequest::GetHeader(PCSTR, USHORT *)` through the raw vtable field: the value pointer
/// and the length C++ wrote.
///
/// # Safety
/// `request` is a live `IHttpRequest`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn raw_get_header(request: &IHttpRequest, name: &CStr) -> (PCSTR, u16) {
    let mut len: u16 = 0;
    let value = unsafe {
        ((*request.lpVtbl).GetHeader_PCSTR)(
            ptr::from_ref(request).cast_mut(),
            name.as_ptr().cast(),
            &mut len,
        )
    };
    (value, len)
}

/// `IHttpResponse::set_header` through the safe wrapper.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn wrapper_set_header(
    response: &IHttpResponse,
    name: &CStr,
    value: &[u8],
    replace: bool,
) -> Result<()> {
    response.set_header(name, value, replace)
}

/// `IHttpResponse::SetHeader(PCSTR, PCSTR, USHORT, BOOL)` through the raw vtable field (the
/// length truncated with `as`, the flag as given).
///
/// # Safety
/// `response` is a live `IHttpResponse`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn raw_set_header(
    response: &IHttpResponse,
    name: &CStr,
    value: &[u8],
    replace: BOOL,
) -> HRESULT {
    unsafe {
        ((*response.lpVtbl).SetHeader_PCSTR)(
            ptr::from_ref(response).cast_mut(),
            name.as_ptr().cast(),
            value.as_ptr(),
            value.len() as u16,
            replace,
        )
    }
}

/// `IHttpContext3::post_completion` through the safe(ly typed, `unsafe`) wrapper.
///
/// # Safety
/// As [`IHttpContext3::post_completion`].
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn wrapper_post_completion(
    context: &IHttpContext3,
    bytes: u32,
    routine: LPOVERLAPPED_COMPLETION_ROUTINE,
    routine_context: *mut c_void,
) -> Result<()> {
    unsafe { context.post_completion(bytes, routine, routine_context) }
}

/// `IHttpContext3::PostCompletion` through the raw vtable field.
///
/// # Safety
/// As [`IHttpContext3::post_completion`].
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn raw_post_completion(
    context: &IHttpContext3,
    bytes: u32,
    routine: LPOVERLAPPED_COMPLETION_ROUTINE,
    routine_context: *mut c_void,
) -> HRESULT {
    unsafe {
        ((*context.lpVtbl).PostCompletion)(
            ptr::from_ref(context).cast_mut(),
            bytes,
            routine,
            routine_context,
        )
    }
}
