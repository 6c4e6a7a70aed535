//! `IHttpRequest3::read_entity_body_async`: the buffer and callback move to IIS and come back
//! exactly once, on every path (synchronous completion, pending completion, error).

// The `_Impl` traits use the C++ names of methods and parameters.
#![allow(non_snake_case)]

use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use httpserv::*;
use windows_sys::core::{BOOL, HRESULT};

const E_FAIL: HRESULT = 0x8000_4005_u32 as HRESULT;

/// What the fake request does with a read.
#[derive(Clone, Copy)]
enum Behaviour {
    Synchronous,
    Pending,
    Fail,
}

struct FakeRequest {
    behaviour: Behaviour,
    /// The completion IIS would call later: routine and context.
    pending: RefCell<Option<(PFN_ASYNC_COMPLETION, *mut c_void, *mut u8, u32)>>,
}

impl IHttpRequest_Impl for FakeRequest {}
impl IHttpRequest2_Impl for FakeRequest {}
impl IHttpRequest3_Impl for FakeRequest {
    unsafe fn ReadEntityBody(
        this: *mut RustObject<Self>,
        pvBuffer: *mut c_void,
        cbBuffer: u32,
        fAsync: BOOL,
        pfnCompletionCallback: PFN_ASYNC_COMPLETION,
        pvCompletionContext: *mut c_void,
        pcbBytesReceived: *mut u32,
        pfCompletionPending: *mut BOOL,
    ) -> HRESULT {
        let fake = unsafe { &(*this).value };
        assert_eq!(fAsync, 1);
        assert!(cbBuffer >= 5);
        match fake.behaviour {
            Behaviour::Fail => E_FAIL,
            Behaviour::Synchronous => unsafe {
                ptr::copy_nonoverlapping(b"hello".as_ptr(), pvBuffer.cast(), 5);
                *pcbBytesReceived = 5;
                *pfCompletionPending = 0;
                0
            },
            Behaviour::Pending => unsafe {
                *pcbBytesReceived = 0;
                *pfCompletionPending = 1;
                *fake.pending.borrow_mut() = Some((
                    pfnCompletionCallback,
                    pvCompletionContext,
                    pvBuffer.cast(),
                    cbBuffer,
                ));
                0
            },
        }
    }
}
impl IHttpRequest4_Impl for FakeRequest {}

static REQUEST_VTABLE: IHttpRequest4_Vtbl = IHttpRequest4_Vtbl::new::<FakeRequest>();

struct FakeInfo {
    bytes: u32,
}
impl IHttpCompletionInfo_Impl for FakeInfo {
    unsafe fn GetCompletionBytes(this: *mut RustObject<Self>) -> u32 {
        unsafe { (*this).value.bytes }
    }
}
impl IHttpCompletionInfo2_Impl for FakeInfo {}
static INFO_VTABLE: IHttpCompletionInfo2_Vtbl = IHttpCompletionInfo2_Vtbl::new::<FakeInfo>();

struct FakeContext;
impl IHttpContext_Impl for FakeContext {}
impl IHttpContext2_Impl for FakeContext {}
impl IHttpContext3_Impl for FakeContext {}
static CONTEXT_VTABLE: IHttpContext3_Vtbl = IHttpContext3_Vtbl::new::<FakeContext>();

fn request(behaviour: Behaviour) -> Box<RustObject<FakeRequest>> {
    Box::new(RustObject {
        lpVtbl: ptr::from_ref(&REQUEST_VTABLE).cast(),
        value: FakeRequest {
            behaviour,
            pending: RefCell::new(None),
        },
    })
}

fn as_request(object: &RustObject<FakeRequest>) -> &IHttpRequest3 {
    unsafe { &*ptr::from_ref(object).cast::<IHttpRequest3>() }
}

/// Runs the completion IIS would deliver later, with `bytes` in the completion info.
fn complete(
    routine: PFN_ASYNC_COMPLETION,
    state: *mut c_void,
    bytes: u32,
) -> REQUEST_NOTIFICATION_STATUS {
    let mut info = RustObject {
        lpVtbl: ptr::from_ref(&INFO_VTABLE).cast(),
        value: FakeInfo { bytes },
    };
    let mut http_context = RustObject {
        lpVtbl: ptr::from_ref(&CONTEXT_VTABLE).cast(),
        value: FakeContext,
    };
    unsafe {
        routine.unwrap()(
            ptr::from_mut(&mut http_context).cast(),
            ptr::from_mut(&mut info).cast(),
            state,
        )
    }
}

/// A callback that records its run and holds a token whose drop we can observe.
fn callback(
    runs: Arc<AtomicUsize>,
    token: Arc<()>,
) -> impl FnOnce(&IHttpContext3, &IHttpCompletionInfo2, Vec<u8>) -> REQUEST_NOTIFICATION_STATUS
+ Send
+ 'static {
    move |_, info, buffer| {
        let _token = token;
        assert_eq!(buffer, b"world");
        assert_eq!(info.get_completion_bytes(), 5);
        runs.fetch_add(1, Ordering::SeqCst);
        RQ_NOTIFICATION_CONTINUE
    }
}

#[test]
fn synchronous_completion_returns_the_buffer_and_drops_the_callback() {
    let object = request(Behaviour::Synchronous);
    let (runs, token) = (Arc::new(AtomicUsize::new(0)), Arc::new(()));
    let started = as_request(&object)
        .read_entity_body_async(
            Vec::with_capacity(64),
            callback(runs.clone(), token.clone()),
        )
        .unwrap();
    match started {
        ReadStarted::Completed(buffer) => assert_eq!(buffer, b"hello"),
        ReadStarted::Pending => panic!("expected a synchronous completion"),
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "callback dropped exactly once"
    );
}

#[test]
fn error_drops_buffer_and_callback() {
    let object = request(Behaviour::Fail);
    let (runs, token) = (Arc::new(AtomicUsize::new(0)), Arc::new(()));
    let err = as_request(&object)
        .read_entity_body_async(Vec::with_capacity(8), callback(runs.clone(), token.clone()))
        .unwrap_err();
    assert_eq!(err.code(), E_FAIL);
    assert_eq!(Arc::strong_count(&token), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[test]
fn pending_completion_runs_the_callback_once_with_the_filled_buffer() {
    let object = request(Behaviour::Pending);
    let (runs, token) = (Arc::new(AtomicUsize::new(0)), Arc::new(()));
    let started = as_request(&object)
        .read_entity_body_async(
            Vec::with_capacity(16),
            callback(runs.clone(), token.clone()),
        )
        .unwrap();
    assert!(matches!(started, ReadStarted::Pending));
    assert_eq!(Arc::strong_count(&token), 2, "IIS holds the callback");

    // Later, IIS fills the buffer and completes, as it would on another thread.
    let (routine, context, data, size) = object.value.pending.borrow_mut().take().unwrap();
    assert!(size >= 16);
    unsafe { ptr::copy_nonoverlapping(b"world".as_ptr(), data, 5) };
    let status = complete(routine, context, 5);
    assert_eq!(status, RQ_NOTIFICATION_CONTINUE);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "state reclaimed by the completion"
    );
}

#[test]
fn panicking_callback_finishes_the_request_instead_of_unwinding() {
    let object = request(Behaviour::Pending);
    let started = as_request(&object)
        .read_entity_body_async(Vec::with_capacity(8), |_, _, _| panic!("handler bug"))
        .unwrap();
    assert!(matches!(started, ReadStarted::Pending));
    let (routine, context, _, _) = object.value.pending.borrow_mut().take().unwrap();
    let status = complete(routine, context, 0);
    assert_eq!(status, RQ_NOTIFICATION_FINISH_REQUEST);
}
