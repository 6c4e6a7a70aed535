//! The safe wrappers against fake IIS objects implemented in Rust through the raw vtables
//! (`<Class>_Impl` + `<Class>_Vtbl::new::<T>()`): every conversion the `#[wrap]` kinds promise
//! (strings in and out, counted slices, `Option` for NULL, `Result` for HRESULT, outputs,
//! default arguments, `bool`/`BOOL`) is observed from the C++ side of the call.

// The `_Impl` traits use the C++ names of methods and parameters.
#![allow(non_snake_case)]

use std::cell::RefCell;
use std::ptr;

use httpserv::runtime::E_INVALIDARG;
use httpserv::*;
use widestring::{U16CStr, U16String, u16cstr};
use windows_sys::core::{BOOL, HRESULT, PCSTR, PCWSTR};

const E_FAIL: HRESULT = 0x8000_4005_u32 as HRESULT;

/// Leaks a fake object with its vtable so it can be handed out as `&'static` C++ object.
fn object<T, C>(vtable: &'static impl Sized, value: T) -> &'static C {
    let object = Box::leak(Box::new(RustObject {
        lpVtbl: ptr::from_ref(vtable).cast(),
        value,
    }));
    unsafe { &*ptr::from_mut(object).cast::<C>() }
}

fn value<'a, T>(this: *mut RustObject<T>) -> &'a T {
    unsafe { &(*this).value }
}

// ---------------------------------------------------------------- IHttpRequest

/// What `SetHeader` received: name, value, count, `fReplace`.
type SetHeaderCall = (Vec<u8>, Vec<u8>, u16, BOOL);
/// What `SetStatus` received: code, reason, sub-status, error, exception was NULL, skip flag.
type SetStatusCall = (u16, Vec<u8>, u16, HRESULT, bool, BOOL);

#[derive(Default)]
struct FakeRequest {
    headers: RefCell<Vec<(Vec<u8>, Vec<u8>)>>,
    set_calls: RefCell<Vec<SetHeaderCall>>,
    fail_with: Option<HRESULT>,
    url: RefCell<Option<(Vec<u16>, u32, BOOL)>>,
}

impl FakeRequest {
    fn lookup(&self, name: &[u8], len: *mut u16) -> PCSTR {
        let headers = self.headers.borrow();
        match headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, v)) => {
                if !len.is_null() {
                    unsafe { *len = v.len() as u16 };
                }
                v.as_ptr()
            }
            None => ptr::null(),
        }
    }
}

impl IHttpRequest_Impl for FakeRequest {
    unsafe fn GetHeader_PCSTR(
        this: *mut RustObject<Self>,
        pszHeaderName: PCSTR,
        pcchHeaderValue: *mut u16,
    ) -> PCSTR {
        let name = unsafe { std::ffi::CStr::from_ptr(pszHeaderName.cast()) };
        value(this).lookup(name.to_bytes(), pcchHeaderValue)
    }

    unsafe fn GetHeader_HTTP_HEADER_ID(
        this: *mut RustObject<Self>,
        ulHeaderIndex: windows_sys::Win32::Networking::HttpServer::HTTP_HEADER_ID,
        pcchHeaderValue: *mut u16,
    ) -> PCSTR {
        // 28 is HttpHeaderHost.
        let name: &[u8] = if ulHeaderIndex == 28 { b"Host" } else { b"" };
        value(this).lookup(name, pcchHeaderValue)
    }

    unsafe fn SetHeader_PCSTR(
        this: *mut RustObject<Self>,
        pszHeaderName: PCSTR,
        pszHeaderValue: PCSTR,
        cchHeaderValue: u16,
        fReplace: BOOL,
    ) -> HRESULT {
        let fake = value(this);
        let name = unsafe { std::ffi::CStr::from_ptr(pszHeaderName.cast()) }
            .to_bytes()
            .to_vec();
        let bytes =
            unsafe { std::slice::from_raw_parts(pszHeaderValue, cchHeaderValue.into()) }.to_vec();
        fake.set_calls
            .borrow_mut()
            .push((name, bytes, cchHeaderValue, fReplace));
        fake.fail_with.unwrap_or(0)
    }

    unsafe fn SetUrl_PCWSTR(
        this: *mut RustObject<Self>,
        pszUrl: PCWSTR,
        cchUrl: u32,
        fResetQueryString: BOOL,
    ) -> HRESULT {
        let url = unsafe { std::slice::from_raw_parts(pszUrl, cchUrl as usize) }.to_vec();
        *value(this).url.borrow_mut() = Some((url, cchUrl, fResetQueryString));
        0
    }
}
impl IHttpRequest2_Impl for FakeRequest {}
impl IHttpRequest3_Impl for FakeRequest {}
impl IHttpRequest4_Impl for FakeRequest {}

static REQUEST_VTABLE: IHttpRequest4_Vtbl = IHttpRequest4_Vtbl::new::<FakeRequest>();

fn fake_request(fake: FakeRequest) -> (&'static IHttpRequest4, &'static FakeRequest) {
    let request: &'static IHttpRequest4 = object(&REQUEST_VTABLE, fake);
    let state = unsafe { &(*ptr::from_ref(request).cast::<RustObject<FakeRequest>>()).value };
    (request, state)
}

#[test]
fn header_strings_in_and_counted_slices_out() {
    let (request, _) = fake_request(FakeRequest {
        headers: RefCell::new(vec![(b"Host".to_vec(), b"example.com".to_vec())]),
        ..Default::default()
    });
    // Upcast through Deref: IHttpRequest4 -> IHttpRequest.
    assert_eq!(request.get_header(c"host"), Some(&b"example.com"[..]));
    assert_eq!(request.get_header(c"X-Missing"), None);
    assert_eq!(request.get_header_by_id(28), Some(&b"example.com"[..]));
}

#[test]
fn set_header_fills_length_and_bool_and_maps_hresult() {
    let (request, state) = fake_request(FakeRequest::default());
    request.set_header(c"X-Id", b"42", true).unwrap();
    request.set_header(c"X-Id", b"", false).unwrap();
    assert_eq!(
        *state.set_calls.borrow(),
        [
            (b"X-Id".to_vec(), b"42".to_vec(), 2, 1),
            (b"X-Id".to_vec(), Vec::new(), 0, 0)
        ]
    );
    // A value longer than USHORT can count never reaches IIS.
    let long = vec![b'a'; 70_000];
    let err = request.set_header(c"X-Long", &long, true).unwrap_err();
    assert_eq!(err.code(), E_INVALIDARG);
    assert_eq!(state.set_calls.borrow().len(), 2);

    let (failing, _) = fake_request(FakeRequest {
        fail_with: Some(E_FAIL),
        ..Default::default()
    });
    assert_eq!(
        failing.set_header(c"A", b"b", true).unwrap_err().code(),
        E_FAIL
    );
}

#[test]
fn utf16_counted_input() {
    let (request, state) = fake_request(FakeRequest::default());
    let url = U16String::from_str("/new?x=1");
    request.set_url(&url, true).unwrap();
    let (seen, count, reset) = state.url.borrow().clone().unwrap();
    assert_eq!(U16String::from_vec(seen), url);
    assert_eq!((count, reset), (8, 1));
}

// ---------------------------------------------------------------- IHttpResponse

#[derive(Default)]
struct FakeResponse {
    status: RefCell<Vec<SetStatusCall>>,
}

impl IHttpResponse_Impl for FakeResponse {
    unsafe fn SetStatus(
        this: *mut RustObject<Self>,
        statusCode: u16,
        pszReason: PCSTR,
        uSubStatus: u16,
        hrErrorToReport: HRESULT,
        pException: *mut IAppHostConfigException,
        fTrySkipCustomErrors: BOOL,
    ) -> HRESULT {
        let reason = unsafe { std::ffi::CStr::from_ptr(pszReason.cast()) };
        value(this).status.borrow_mut().push((
            statusCode,
            reason.to_bytes().to_vec(),
            uSubStatus,
            hrErrorToReport,
            pException.is_null(),
            fTrySkipCustomErrors,
        ));
        0
    }
}

static RESPONSE_VTABLE: IHttpResponse_Vtbl = IHttpResponse_Vtbl::new::<FakeResponse>();

#[test]
fn default_arguments_are_honoured_and_overridable() {
    let response: &IHttpResponse = object(&RESPONSE_VTABLE, FakeResponse::default());
    response.set_status(404, c"Not Found").unwrap();
    response
        .set_status_with(500, c"Oops", 19, E_FAIL, None, true)
        .unwrap();
    let state = unsafe { &(*ptr::from_ref(response).cast::<RustObject<FakeResponse>>()).value };
    assert_eq!(
        *state.status.borrow(),
        [
            (404, b"Not Found".to_vec(), 0, 0, true, 0),
            (500, b"Oops".to_vec(), 19, E_FAIL, true, 1)
        ]
    );
}

// ---------------------------------------------------------------- IHttpContext

struct FakeContext {
    request: &'static IHttpRequest4,
    response: &'static IHttpResponse,
    user: Option<&'static IHttpUser>,
    variable: &'static U16CStr,
    completions: RefCell<Vec<(u32, usize)>>,
    disabled: RefCell<Vec<(u32, u32)>>,
}

impl IHttpContext_Impl for FakeContext {
    unsafe fn DisableNotifications(
        this: *mut RustObject<Self>,
        dwNotifications: u32,
        dwPostNotifications: u32,
    ) {
        value(this)
            .disabled
            .borrow_mut()
            .push((dwNotifications, dwPostNotifications));
    }

    unsafe fn GetRequest(this: *mut RustObject<Self>) -> *mut IHttpRequest {
        ptr::from_ref::<IHttpRequest>(value(this).request).cast_mut()
    }

    unsafe fn GetResponse(this: *mut RustObject<Self>) -> *mut IHttpResponse {
        ptr::from_ref(value(this).response).cast_mut()
    }

    unsafe fn GetUser(this: *mut RustObject<Self>) -> *mut IHttpUser {
        value(this)
            .user
            .map_or(ptr::null_mut(), |u| ptr::from_ref(u).cast_mut())
    }

    unsafe fn GetServerVariable_PCWSTR(
        this: *mut RustObject<Self>,
        pszVariableName: PCSTR,
        ppszValue: *mut PCWSTR,
        pcchValueLength: *mut u32,
    ) -> HRESULT {
        let name = unsafe { std::ffi::CStr::from_ptr(pszVariableName.cast()) };
        if name != c"URL" {
            return E_FAIL;
        }
        let v = value(this).variable;
        unsafe {
            *ppszValue = v.as_ptr();
            *pcchValueLength = v.len() as u32;
        }
        0
    }
}
impl IHttpContext2_Impl for FakeContext {}
impl IHttpContext3_Impl for FakeContext {
    unsafe fn PostCompletion(
        this: *mut RustObject<Self>,
        cbBytes: u32,
        pfnCompletionRoutine: LPOVERLAPPED_COMPLETION_ROUTINE,
        pvCompletionContext: *mut core::ffi::c_void,
    ) -> HRESULT {
        assert!(pfnCompletionRoutine.is_none());
        value(this)
            .completions
            .borrow_mut()
            .push((cbBytes, pvCompletionContext as usize));
        0
    }
}

static CONTEXT_VTABLE: IHttpContext3_Vtbl = IHttpContext3_Vtbl::new::<FakeContext>();
static USER_VTABLE: IHttpUser_Vtbl = IHttpUser_Vtbl::new::<NoUser>();
struct NoUser;
impl IHttpUser_Impl for NoUser {}

fn fake_context(user: Option<&'static IHttpUser>) -> &'static IHttpContext3 {
    let (request, _) = fake_request(FakeRequest {
        headers: RefCell::new(vec![(b"Host".to_vec(), b"h".to_vec())]),
        ..Default::default()
    });
    object(
        &CONTEXT_VTABLE,
        FakeContext {
            request,
            response: object(&RESPONSE_VTABLE, FakeResponse::default()),
            user,
            variable: u16cstr!("/index.html"),
            completions: RefCell::new(Vec::new()),
            disabled: RefCell::new(Vec::new()),
        },
    )
}

#[test]
fn interfaces_out_as_references_and_null_as_none() {
    let anonymous = fake_context(None);
    assert!(anonymous.get_user().is_none());
    let user: &IHttpUser = object(&USER_VTABLE, NoUser);
    let signed_in = fake_context(Some(user));
    assert!(ptr::eq(signed_in.get_user().unwrap(), user));
    // Non-NULL getters give references; chained safe calls.
    assert_eq!(signed_in.get_request().get_header(c"Host"), Some(&b"h"[..]));
    signed_in.get_response().set_status(200, c"OK").unwrap();
}

#[test]
fn out_parameters_become_the_result() {
    let context = fake_context(None);
    let url = context.get_server_variable(c"URL").unwrap();
    assert_eq!(url.unwrap().to_string_lossy(), "/index.html");
    assert_eq!(
        context.get_server_variable(c"NOPE").unwrap_err().code(),
        E_FAIL
    );
}

#[test]
fn derived_redeclaration_and_base_method_are_both_reachable() {
    let context = fake_context(None);
    unsafe { context.post_completion(7, None, ptr::null_mut()) }.unwrap();
    let state = unsafe { &(*ptr::from_ref(context).cast::<RustObject<FakeContext>>()).value };
    assert_eq!(*state.completions.borrow(), [(7, 0)]);
    // The base interface's own GetUser through the Deref chain: IHttpContext3 → IHttpContext.
    let base: &IHttpContext = context;
    assert!(base.get_user().is_none());
}

#[test]
fn notification_masks_are_typed_flags() {
    let both = RequestNotifications::BEGIN_REQUEST | RequestNotifications::SEND_RESPONSE;
    assert_eq!(both.bits(), RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE);
    assert!(both.contains(RequestNotifications::SEND_RESPONSE));
    assert!(!both.contains(RequestNotifications::END_REQUEST));
    let context = fake_context(None);
    context.disable_notifications(both, RequestNotifications::empty());
    let state = unsafe { &(*ptr::from_ref(context).cast::<RustObject<FakeContext>>()).value };
    assert_eq!(
        *state.disabled.borrow(),
        [(RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE, 0)]
    );
}
