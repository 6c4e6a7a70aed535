//! What the wrapper benchmarks (`benches/wrappers.rs`) and the assembly check
//! (`tests/wrapper_asm.rs`) measure: the probes (`probes.rs`: each typical IIS call through the
//! safe wrapper and through the raw vtable field, as separate non-inlined functions) and fake IIS
//! objects to call them on.

// The `_Impl` traits use the C++ names of methods and parameters.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;

use httpserv::*;
use windows_sys::core::{BOOL, HRESULT, PCSTR};

mod probes;
pub use probes::*;

// ------------------------------------------------------------------ fake objects

/// Fake IIS objects implemented in Rust (`<Class>_Impl` + `<Class>_Vtbl::new::<T>()`), doing
/// as little as an IIS method can: return a stored pointer, a constant, `S_OK`.
pub struct Fakes {
    pub context: &'static IHttpContext3,
    pub request: &'static IHttpRequest,
    pub response: &'static IHttpResponse,
}

/// The header value the fake request returns for every name.
pub static HEADER_VALUE: &[u8] = b"example.com";

struct FakeContext {
    request: &'static IHttpRequest,
    response: &'static IHttpResponse,
}

struct FakeRequest;
struct FakeResponse;

fn value<'a, T>(this: *mut RustObject<T>) -> &'a T {
    unsafe { &(*this).value }
}

impl IHttpContext_Impl for FakeContext {
    unsafe fn GetRequest(this: *mut RustObject<Self>) -> *mut IHttpRequest {
        ptr::from_ref(value(this).request).cast_mut()
    }

    unsafe fn GetResponse(this: *mut RustObject<Self>) -> *mut IHttpResponse {
        ptr::from_ref(value(this).response).cast_mut()
    }
}
impl IHttpContext2_Impl for FakeContext {}
impl IHttpContext3_Impl for FakeContext {
    unsafe fn PostCompletion(
        _this: *mut RustObject<Self>,
        _cbBytes: u32,
        _pfnCompletionRoutine: LPOVERLAPPED_COMPLETION_ROUTINE,
        _pvCompletionContext: *mut c_void,
    ) -> HRESULT {
        0
    }
}

impl IHttpRequest_Impl for FakeRequest {
    unsafe fn GetHeader_PCSTR(
        _this: *mut RustObject<Self>,
        _pszHeaderName: PCSTR,
        pcchHeaderValue: *mut u16,
    ) -> PCSTR {
        if !pcchHeaderValue.is_null() {
            unsafe { *pcchHeaderValue = HEADER_VALUE.len() as u16 };
        }
        HEADER_VALUE.as_ptr()
    }
}

impl IHttpResponse_Impl for FakeResponse {
    unsafe fn SetHeader_PCSTR(
        _this: *mut RustObject<Self>,
        _pszHeaderName: PCSTR,
        _pszHeaderValue: PCSTR,
        _cchHeaderValue: u16,
        _fReplace: BOOL,
    ) -> HRESULT {
        0
    }
}

static CONTEXT_VTABLE: IHttpContext3_Vtbl = IHttpContext3_Vtbl::new::<FakeContext>();
static REQUEST_VTABLE: IHttpRequest_Vtbl = IHttpRequest_Vtbl::new::<FakeRequest>();
static RESPONSE_VTABLE: IHttpResponse_Vtbl = IHttpResponse_Vtbl::new::<FakeResponse>();

/// Leaks a Rust object with `vtable` first, as the C++ object `C`.
fn object<T, C>(vtable: &'static impl Sized, value: T) -> &'static C {
    let object = Box::leak(Box::new(RustObject {
        lpVtbl: ptr::from_ref(vtable).cast(),
        value,
    }));
    unsafe { &*ptr::from_mut(object).cast::<C>() }
}

impl Fakes {
    /// A context whose request and response are fakes too (leaked: they live for the process).
    pub fn new() -> Fakes {
        let request: &'static IHttpRequest = object(&REQUEST_VTABLE, FakeRequest);
        let response: &'static IHttpResponse = object(&RESPONSE_VTABLE, FakeResponse);
        let context = object(&CONTEXT_VTABLE, FakeContext { request, response });
        Fakes {
            context,
            request,
            response,
        }
    }
}

impl Default for Fakes {
    fn default() -> Self {
        Fakes::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrappers_and_raw_calls_agree_on_the_fakes() {
        let fakes = Fakes::new();
        let base: &IHttpContext = fakes.context;
        unsafe {
            assert_eq!(
                ptr::from_ref(wrapper_get_response(base)).cast_mut(),
                raw_get_response(base)
            );
            assert_eq!(
                wrapper_get_header(fakes.request, c"Host"),
                Some(HEADER_VALUE)
            );
            let (value, len) = raw_get_header(fakes.request, c"Host");
            assert_eq!((value, usize::from(len)), (HEADER_VALUE.as_ptr(), 11));
            assert!(wrapper_set_header(fakes.response, c"X", b"1", true).is_ok());
            assert_eq!(raw_set_header(fakes.response, c"X", b"1", 1), 0);
            assert!(wrapper_post_completion(fakes.context, 0, None, ptr::null_mut()).is_ok());
            assert_eq!(
                raw_post_completion(fakes.context, 0, None, ptr::null_mut()),
                0
            );
        }
    }
}
