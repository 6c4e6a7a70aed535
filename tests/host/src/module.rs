//! A test module written against the raw `httpserv` bindings, shaped exactly as IIS sees a
//! module DLL: a `RegisterModule` entry point, an `IHttpModuleFactory`, one `CHttpModule` per
//! request (Rust objects built with `<Class>_Vtbl::new::<T>()`), `Dispose`, `Terminate`, a
//! `CGlobalModule`, stored contexts. What the module does is a closure per test.
//!
//! It stays on the raw bindings next to the framework of `httpserv::module` (which the example
//! DLLs and `tests/panics.rs` use): it drives what the framework deliberately does not do
//! (modules in `IModuleAllocator` memory, a failing `RegisterModule` or `GetHttpModule` on
//! demand, `IHttpModuleRegistrationInfo2` post-notification priorities, stored contexts it
//! cleans up itself), and every helper on [`Ctx`] is a call through a generated vtable into
//! clang-compiled C++, which checks the raw bindings in the Rust -> C++ direction.

use core::ffi::c_void;
use std::cell::RefCell;
use std::ffi::CString;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use httpserv::*;
use windows_sys::Win32::Networking::HttpServer::{
    HTTP_DATA_CHUNK, HTTP_DATA_CHUNK_0, HTTP_DATA_CHUNK_0_0, HTTP_HEADER_ID,
    HttpDataChunkFromMemory,
};
use windows_sys::core::{BOOL, GUID, HRESULT};

use crate::host::Host;

pub const S_OK: HRESULT = 0;
pub const E_FAIL: HRESULT = 0x8000_4005_u32 as HRESULT;
/// `HRESULT_FROM_WIN32(ERROR_HANDLE_EOF)`: no more entity body.
pub const E_HANDLE_EOF: HRESULT = 0x8007_0026_u32 as HRESULT;
/// `HRESULT_FROM_WIN32(ERROR_INVALID_INDEX)`: unknown server variable.
pub const E_INVALID_INDEX: HRESULT = 0x8007_0585_u32 as HRESULT;

/// One call into the module.
pub struct Event {
    /// `BeginRequest`, `PostBeginRequest`, `SendResponse`, `AsyncCompletion`...
    pub name: &'static str,
    /// The notification bit (for `AsyncCompletion`: the one that returned PENDING).
    pub notification: u32,
    pub post: bool,
    pub ctx: Ctx,
    pub provider: *mut IHttpEventProvider,
    /// `OnAsyncCompletion`: bytes, status and operation of `IHttpCompletionInfo2`.
    pub completion: Option<(u32, HRESULT, u32)>,
    pub module_id: HTTP_MODULE_ID,
    pub server: *mut IHttpServer,
}

pub type Behaviour = dyn Fn(&Event) -> REQUEST_NOTIFICATION_STATUS + Send + Sync;
pub type GlobalBehaviour =
    dyn Fn(&'static str, *mut IHttpEventProvider) -> GLOBAL_NOTIFICATION_STATUS + Send + Sync;

/// How the module registers.
pub struct Spec {
    pub request: u32,
    pub post: u32,
    /// `SetPriorityForRequestNotification` (false) / `...PostRequestNotification` (true).
    pub priorities: Vec<(u32, bool, &'static widestring_free::W)>,
    pub behaviour: Arc<Behaviour>,
    pub global: Option<(u32, Arc<GlobalBehaviour>)>,
    /// Allocate each CHttpModule with the request's IModuleAllocator instead of Box.
    pub use_module_allocator: bool,
    /// GetHttpModule fails with E_FAIL.
    pub fail_get_module: bool,
    /// What RegisterModule returns (a failure: before registering anything).
    pub register_result: HRESULT,
}

/// Wide string constants without a dependency.
pub mod widestring_free {
    /// A NUL-terminated UTF-16 string.
    pub struct W(pub &'static [u16]);
    pub static FIRST: W = W(&[70, 73, 82, 83, 84, 0]);
    pub static HIGH: W = W(&[72, 73, 71, 72, 0]);
    pub static LOW: W = W(&[76, 79, 87, 0]);
    pub static LAST: W = W(&[76, 65, 83, 84, 0]);
}

impl Spec {
    pub fn new(
        request: u32,
        post: u32,
        behaviour: impl Fn(&Event) -> REQUEST_NOTIFICATION_STATUS + Send + Sync + 'static,
    ) -> Spec {
        Spec {
            request,
            post,
            priorities: Vec::new(),
            behaviour: Arc::new(behaviour),
            global: None,
            use_module_allocator: false,
            fail_get_module: false,
            register_result: S_OK,
        }
    }
}

/// What happened to a module's objects (checked by the tests).
#[derive(Default)]
pub struct Counters {
    pub server_version: AtomicU32,
    pub created: AtomicU64,
    pub disposed: AtomicU64,
    pub dropped: AtomicU64,
    pub factory_terminated: AtomicU64,
    pub global_terminated: AtomicU64,
    pub stored_cleaned: AtomicU64,
    pub disconnects: AtomicU64,
    /// Panics caught in behaviours (a panic must not unwind into C++).
    pub failures: Mutex<Vec<String>>,
}

impl Counters {
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::SeqCst)
    }
    pub fn failures(&self) -> Vec<String> {
        self.failures.lock().unwrap().clone()
    }
}

thread_local! {
    static PENDING: RefCell<Option<(Spec, Arc<Counters>)>> = const { RefCell::new(None) };
}

/// Registers a module with `host` through its `RegisterModule` entry point.
pub fn load(host: &Host, name: &str, spec: Spec) -> (HRESULT, Arc<Counters>) {
    let counters = Arc::new(Counters::default());
    PENDING.with(|p| *p.borrow_mut() = Some((spec, counters.clone())));
    let hr = host.register(name, Some(register_module));
    PENDING.with(|p| p.borrow_mut().take());
    (hr, counters)
}

/// The module's `RegisterModule` export (`PFN_REGISTERMODULE`).
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn register_module(
    version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    let Some((spec, counters)) = PENDING.with(|p| p.borrow_mut().take()) else {
        return E_FAIL;
    };
    counters.server_version.store(version, Ordering::SeqCst);
    if spec.register_result < 0 {
        // IIS drops a module whose RegisterModule fails without calling anything on what it
        // registered, so register nothing.
        return spec.register_result;
    }
    unsafe {
        let vt = &*(*info).lpVtbl;
        let id = (vt.GetId)(info);
        let factory = Box::into_raw(Box::new(RustObject {
            lpVtbl: (&raw const FACTORY_VTBL).cast(),
            value: Factory {
                behaviour: spec.behaviour.clone(),
                counters: counters.clone(),
                id,
                server,
                use_module_allocator: spec.use_module_allocator,
                fail: spec.fail_get_module,
            },
        }));
        let hr = (vt.SetRequestNotifications)(info, factory.cast(), spec.request, spec.post);
        if hr < 0 {
            drop(Box::from_raw(factory));
            return hr;
        }
        for (bit, post, alias) in &spec.priorities {
            let hr = if *post {
                // IHttpModuleRegistrationInfo2 through HttpGetExtendedInterface.
                let Some(info2) = extended::<IHttpModuleRegistrationInfo2>(
                    server,
                    &IHttpModuleRegistrationInfo::IID,
                    info.cast(),
                    &IHttpModuleRegistrationInfo2::IID,
                ) else {
                    return E_FAIL;
                };
                ((*(*info2).lpVtbl).SetPriorityForPostRequestNotification)(
                    info2,
                    *bit,
                    alias.0.as_ptr(),
                )
            } else {
                (vt.SetPriorityForRequestNotification)(info, *bit, alias.0.as_ptr())
            };
            if hr < 0 {
                return hr;
            }
        }
        if let Some((mask, behaviour)) = spec.global {
            let global = Box::into_raw(Box::new(RustObject {
                lpVtbl: (&raw const GLOBAL_VTBL).cast(),
                value: Global {
                    behaviour,
                    counters: counters.clone(),
                },
            }));
            let hr = (vt.SetGlobalNotifications)(info, global.cast(), mask);
            if hr < 0 {
                return hr;
            }
        }
    }
    spec.register_result
}

/// `HttpGetExtendedInterface`: IHttpServer -> IHttpServer2 -> the newer interface.
///
/// # Safety
/// `server` and `input` must be live objects of the host.
pub unsafe fn extended<T>(
    server: *mut IHttpServer,
    iid_in: &GUID,
    input: *mut c_void,
    iid_out: &GUID,
) -> Option<*mut T> {
    unsafe {
        let mut server2: *mut c_void = core::ptr::null_mut();
        let hr = ((*(*server).lpVtbl).GetExtendedInterface)(
            server,
            HTTP_SERVER_INTERFACE_V2,
            &mut server2,
        );
        if hr < 0 || server2.is_null() {
            return None;
        }
        let server2 = server2.cast::<IHttpServer2>();
        let mut out: *mut c_void = core::ptr::null_mut();
        let hr =
            ((*(*server2).lpVtbl).GetExtendedInterface)(server2, iid_in, input, iid_out, &mut out);
        (hr >= 0 && !out.is_null()).then_some(out.cast())
    }
}

// ---- the factory

struct Factory {
    behaviour: Arc<Behaviour>,
    counters: Arc<Counters>,
    id: HTTP_MODULE_ID,
    server: *mut IHttpServer,
    use_module_allocator: bool,
    fail: bool,
}

static FACTORY_VTBL: IHttpModuleFactory_Vtbl = IHttpModuleFactory_Vtbl::new::<Factory>();

impl IHttpModuleFactory_Impl for Factory {
    unsafe fn GetHttpModule(
        this: *mut RustObject<Self>,
        module: *mut *mut CHttpModule,
        allocator: *mut IModuleAllocator,
    ) -> HRESULT {
        let f = unsafe { &(*this).value };
        if f.fail {
            return E_FAIL;
        }
        let object = RustObject {
            lpVtbl: (&raw const MODULE_VTBL).cast(),
            value: Instance {
                behaviour: f.behaviour.clone(),
                counters: f.counters.clone(),
                id: f.id,
                server: f.server,
                from_allocator: f.use_module_allocator,
            },
        };
        let raw: *mut RustObject<Instance> = if f.use_module_allocator {
            // Request memory: IIS frees it; the module only runs its destructor.
            unsafe {
                let size = core::mem::size_of::<RustObject<Instance>>() as u32;
                let p = ((*(*allocator).lpVtbl).AllocateMemory)(allocator, size)
                    .cast::<RustObject<Instance>>();
                assert!(
                    !p.is_null()
                        && p.align_offset(core::mem::align_of::<RustObject<Instance>>()) == 0
                );
                p.write(object);
                p
            }
        } else {
            Box::into_raw(Box::new(object))
        };
        f.counters.created.fetch_add(1, Ordering::SeqCst);
        unsafe { *module = raw.cast() };
        S_OK
    }

    unsafe fn Terminate(this: *mut RustObject<Self>) {
        let f = unsafe { Box::from_raw(this) };
        f.value
            .counters
            .factory_terminated
            .fetch_add(1, Ordering::SeqCst);
    }
}

// ---- the per-request module

struct Instance {
    behaviour: Arc<Behaviour>,
    counters: Arc<Counters>,
    id: HTTP_MODULE_ID,
    server: *mut IHttpServer,
    from_allocator: bool,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.counters.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

static MODULE_VTBL: CHttpModule_Vtbl = CHttpModule_Vtbl::new::<Instance>();

fn dispatch(
    this: *mut RustObject<Instance>,
    name: &'static str,
    notification: u32,
    post: bool,
    ctx: *mut IHttpContext,
    provider: *mut IHttpEventProvider,
    completion: Option<(u32, HRESULT, u32)>,
) -> REQUEST_NOTIFICATION_STATUS {
    let inst = unsafe { &(*this).value };
    let event = Event {
        name,
        notification,
        post,
        ctx: Ctx(ctx),
        provider,
        completion,
        module_id: inst.id,
        server: inst.server,
    };
    match catch_unwind(AssertUnwindSafe(|| (inst.behaviour)(&event))) {
        Ok(status) => status,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            inst.counters
                .failures
                .lock()
                .unwrap()
                .push(format!("{name}: {message}"));
            let _ = Ctx(ctx).set_status(500, "Internal Server Error");
            RQ_NOTIFICATION_FINISH_REQUEST
        }
    }
}

macro_rules! notifications {
    ($($method:ident: $provider:ty => $name:literal, $bit:expr, $post:expr;)*) => {
        $(
            unsafe fn $method(
                this: *mut RustObject<Self>,
                ctx: *mut IHttpContext,
                provider: *mut $provider,
            ) -> REQUEST_NOTIFICATION_STATUS {
                dispatch(this, $name, $bit, $post, ctx, provider.cast(), None)
            }
        )*
    };
}

impl CHttpModule_Impl for Instance {
    notifications! {
        OnBeginRequest: IHttpEventProvider => "BeginRequest", RQ_BEGIN_REQUEST, false;
        OnPostBeginRequest: IHttpEventProvider => "PostBeginRequest", RQ_BEGIN_REQUEST, true;
        OnAuthenticateRequest: IAuthenticationProvider => "AuthenticateRequest", RQ_AUTHENTICATE_REQUEST, false;
        OnPostAuthenticateRequest: IHttpEventProvider => "PostAuthenticateRequest", RQ_AUTHENTICATE_REQUEST, true;
        OnAuthorizeRequest: IHttpEventProvider => "AuthorizeRequest", RQ_AUTHORIZE_REQUEST, false;
        OnPostAuthorizeRequest: IHttpEventProvider => "PostAuthorizeRequest", RQ_AUTHORIZE_REQUEST, true;
        OnResolveRequestCache: IHttpEventProvider => "ResolveRequestCache", RQ_RESOLVE_REQUEST_CACHE, false;
        OnPostResolveRequestCache: IHttpEventProvider => "PostResolveRequestCache", RQ_RESOLVE_REQUEST_CACHE, true;
        OnMapRequestHandler: IMapHandlerProvider => "MapRequestHandler", RQ_MAP_REQUEST_HANDLER, false;
        OnPostMapRequestHandler: IHttpEventProvider => "PostMapRequestHandler", RQ_MAP_REQUEST_HANDLER, true;
        OnAcquireRequestState: IHttpEventProvider => "AcquireRequestState", RQ_ACQUIRE_REQUEST_STATE, false;
        OnPostAcquireRequestState: IHttpEventProvider => "PostAcquireRequestState", RQ_ACQUIRE_REQUEST_STATE, true;
        OnPreExecuteRequestHandler: IHttpEventProvider => "PreExecuteRequestHandler", RQ_PRE_EXECUTE_REQUEST_HANDLER, false;
        OnPostPreExecuteRequestHandler: IHttpEventProvider => "PostPreExecuteRequestHandler", RQ_PRE_EXECUTE_REQUEST_HANDLER, true;
        OnExecuteRequestHandler: IHttpEventProvider => "ExecuteRequestHandler", RQ_EXECUTE_REQUEST_HANDLER, false;
        OnPostExecuteRequestHandler: IHttpEventProvider => "PostExecuteRequestHandler", RQ_EXECUTE_REQUEST_HANDLER, true;
        OnReleaseRequestState: IHttpEventProvider => "ReleaseRequestState", RQ_RELEASE_REQUEST_STATE, false;
        OnPostReleaseRequestState: IHttpEventProvider => "PostReleaseRequestState", RQ_RELEASE_REQUEST_STATE, true;
        OnUpdateRequestCache: IHttpEventProvider => "UpdateRequestCache", RQ_UPDATE_REQUEST_CACHE, false;
        OnPostUpdateRequestCache: IHttpEventProvider => "PostUpdateRequestCache", RQ_UPDATE_REQUEST_CACHE, true;
        OnLogRequest: IHttpEventProvider => "LogRequest", RQ_LOG_REQUEST, false;
        OnPostLogRequest: IHttpEventProvider => "PostLogRequest", RQ_LOG_REQUEST, true;
        OnEndRequest: IHttpEventProvider => "EndRequest", RQ_END_REQUEST, false;
        OnPostEndRequest: IHttpEventProvider => "PostEndRequest", RQ_END_REQUEST, true;
        OnSendResponse: ISendResponseProvider => "SendResponse", RQ_SEND_RESPONSE, false;
        OnMapPath: IMapPathProvider => "MapPath", RQ_MAP_PATH, false;
        OnReadEntity: IReadEntityProvider => "ReadEntity", RQ_READ_ENTITY, false;
        OnCustomRequestNotification: ICustomNotificationProvider => "CustomRequestNotification", RQ_CUSTOM_NOTIFICATION, false;
    }

    unsafe fn OnAsyncCompletion(
        this: *mut RustObject<Self>,
        ctx: *mut IHttpContext,
        notification: u32,
        post: BOOL,
        provider: *mut IHttpEventProvider,
        info: *mut IHttpCompletionInfo,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let completion = unsafe {
            let vt = &*(*info).lpVtbl;
            let bytes = (vt.GetCompletionBytes)(info);
            let status = (vt.GetCompletionStatus)(info);
            // IHttpCompletionInfo2 is the same object in IIS and in the mock.
            let info2 = info.cast::<IHttpCompletionInfo2>();
            let op = ((*(*info2).lpVtbl).GetCompletedOperation)(info2);
            (bytes, status, op)
        };
        dispatch(
            this,
            "AsyncCompletion",
            notification,
            post != 0,
            ctx,
            provider,
            Some(completion),
        )
    }

    unsafe fn Dispose(this: *mut RustObject<Self>) {
        unsafe {
            let value = &(*this).value;
            value.counters.disposed.fetch_add(1, Ordering::SeqCst);
            if value.from_allocator {
                core::ptr::drop_in_place(this); // the memory belongs to the request
            } else {
                drop(Box::from_raw(this));
            }
        }
    }

    unsafe fn ScalarDeletingDestructor(this: *mut RustObject<Self>, flags: u32) -> *mut c_void {
        unsafe {
            if flags & 1 != 0 && !(*this).value.from_allocator {
                drop(Box::from_raw(this));
            } else {
                core::ptr::drop_in_place(this);
            }
        }
        this.cast()
    }
}

// ---- the global module

struct Global {
    behaviour: Arc<GlobalBehaviour>,
    counters: Arc<Counters>,
}

static GLOBAL_VTBL: CGlobalModule_Vtbl = CGlobalModule_Vtbl::new::<Global>();

fn global(
    this: *mut RustObject<Global>,
    name: &'static str,
    p: *mut IHttpEventProvider,
) -> GLOBAL_NOTIFICATION_STATUS {
    let g = unsafe { &(*this).value };
    match catch_unwind(AssertUnwindSafe(|| (g.behaviour)(name, p))) {
        Ok(status) => status,
        Err(_) => {
            g.counters
                .failures
                .lock()
                .unwrap()
                .push(format!("{name}: panic"));
            GL_NOTIFICATION_CONTINUE
        }
    }
}

macro_rules! global_notifications {
    ($($method:ident: $provider:ty => $name:literal;)*) => {
        $(
            unsafe fn $method(this: *mut RustObject<Self>, p: *mut $provider) -> GLOBAL_NOTIFICATION_STATUS {
                global(this, $name, p.cast())
            }
        )*
    };
}

impl CGlobalModule_Impl for Global {
    global_notifications! {
        OnGlobalStopListening: IGlobalStopListeningProvider => "GlobalStopListening";
        OnGlobalCacheOperation: ICacheProvider => "GlobalCacheOperation";
        OnGlobalConfigurationChange: IGlobalConfigurationChangeProvider => "GlobalConfigurationChange";
        OnGlobalFileChange: IGlobalFileChangeProvider => "GlobalFileChange";
        OnGlobalPreBeginRequest: IPreBeginRequestProvider => "GlobalPreBeginRequest";
        OnGlobalApplicationStart: IHttpApplicationProvider => "GlobalApplicationStart";
        OnGlobalApplicationResolveModules: IHttpApplicationResolveModulesProvider => "GlobalApplicationResolveModules";
        OnGlobalApplicationStop: IHttpApplicationProvider => "GlobalApplicationStop";
        OnGlobalRSCAQuery: IGlobalRSCAQueryProvider => "GlobalRSCAQuery";
        OnGlobalTraceEvent: IGlobalTraceEventProvider => "GlobalTraceEvent";
        OnGlobalCustomNotification: ICustomNotificationProvider => "GlobalCustomNotification";
        OnGlobalThreadCleanup: IGlobalThreadCleanupProvider => "GlobalThreadCleanup";
        OnGlobalApplicationPreload: IGlobalApplicationPreloadProvider => "GlobalApplicationPreload";
    }

    unsafe fn OnGlobalCacheCleanup(this: *mut RustObject<Self>) -> GLOBAL_NOTIFICATION_STATUS {
        global(this, "GlobalCacheCleanup", core::ptr::null_mut())
    }

    unsafe fn OnGlobalHealthCheck(this: *mut RustObject<Self>) -> GLOBAL_NOTIFICATION_STATUS {
        global(this, "GlobalHealthCheck", core::ptr::null_mut())
    }

    unsafe fn OnSuspendProcess(
        this: *mut RustObject<Self>,
        _callback: *mut *mut IGlobalSuspendProcessCallback,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        global(this, "GlobalSuspendProcess", core::ptr::null_mut())
    }

    unsafe fn Terminate(this: *mut RustObject<Self>) {
        let g = unsafe { Box::from_raw(this) };
        g.value
            .counters
            .global_terminated
            .fetch_add(1, Ordering::SeqCst);
    }
}

// ---- stored contexts

/// A per-request (or per-connection) value stored in a module context container.
pub struct Stored {
    pub value: String,
    pub counters: Arc<Counters>,
}

static STORED_VTBL: IHttpConnectionStoredContext_Vtbl =
    IHttpConnectionStoredContext_Vtbl::new::<Stored>();

impl IHttpStoredContext_Impl for Stored {
    unsafe fn CleanupStoredContext(this: *mut RustObject<Self>) {
        let s = unsafe { Box::from_raw(this) };
        s.value
            .counters
            .stored_cleaned
            .fetch_add(1, Ordering::SeqCst);
    }
}

impl IHttpConnectionStoredContext_Impl for Stored {
    unsafe fn NotifyDisconnect(this: *mut RustObject<Self>) {
        let value = unsafe { &(*this).value };
        value.counters.disconnects.fetch_add(1, Ordering::SeqCst);
    }
}

/// A new stored context (usable as IHttpStoredContext and IHttpConnectionStoredContext); the
/// container owns it until CleanupStoredContext.
pub fn stored(value: &str, counters: &Arc<Counters>) -> *mut IHttpConnectionStoredContext {
    Box::into_raw(Box::new(RustObject {
        lpVtbl: (&raw const STORED_VTBL).cast(),
        value: Stored {
            value: value.to_string(),
            counters: counters.clone(),
        },
    }))
    .cast()
}

/// The value of a context made by [`stored`].
///
/// # Safety
/// `context` must come from [`stored`] and not be cleaned up yet.
pub unsafe fn stored_value(context: *mut IHttpStoredContext) -> String {
    unsafe { (*context.cast::<RustObject<Stored>>()).value.value.clone() }
}

// ---- raw helpers over IHttpContext

/// The `IHttpContext` of a notification. Valid until the request ends (the tests' modules
/// only use it while the request is running, possibly from another thread while PENDING).
#[derive(Clone, Copy)]
pub struct Ctx(pub *mut IHttpContext);

// SAFETY: IIS allows calls on a context from the thread that completes a pending
// notification; the tests do nothing else across threads.
unsafe impl Send for Ctx {}

fn cstr(s: &str) -> CString {
    CString::new(s).expect("no NUL in test strings")
}

unsafe fn narrow(p: *const u8, len: usize) -> Option<String> {
    if p.is_null() {
        return None;
    }
    Some(String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(p, len) }).into_owned())
}

unsafe fn wide(p: *const u16, len: usize) -> Option<String> {
    if p.is_null() {
        return None;
    }
    Some(String::from_utf16_lossy(unsafe {
        std::slice::from_raw_parts(p, len)
    }))
}

pub fn wstr(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

impl Ctx {
    fn vt(&self) -> &IHttpContext_Vtbl {
        unsafe { &*(*self.0).lpVtbl }
    }

    pub fn request(&self) -> *mut IHttpRequest {
        unsafe { (self.vt().GetRequest)(self.0) }
    }

    pub fn response(&self) -> *mut IHttpResponse {
        unsafe { (self.vt().GetResponse)(self.0) }
    }

    fn req_vt(&self) -> (*mut IHttpRequest, &IHttpRequest_Vtbl) {
        let r = self.request();
        (r, unsafe { &*(*r).lpVtbl })
    }

    fn resp_vt(&self) -> (*mut IHttpResponse, &IHttpResponse_Vtbl) {
        let r = self.response();
        (r, unsafe { &*(*r).lpVtbl })
    }

    pub fn method(&self) -> String {
        let (r, vt) = self.req_vt();
        unsafe {
            let p = (vt.GetHttpMethod)(r);
            narrow(p, core::ffi::CStr::from_ptr(p.cast()).to_bytes().len()).unwrap_or_default()
        }
    }

    pub fn request_header(&self, name: &str) -> Option<String> {
        let (r, vt) = self.req_vt();
        let name = cstr(name);
        let mut len = 0u16;
        unsafe {
            narrow(
                (vt.GetHeader_PCSTR)(r, name.as_ptr().cast(), &mut len),
                len.into(),
            )
        }
    }

    pub fn request_header_id(&self, id: HTTP_HEADER_ID) -> Option<String> {
        let (r, vt) = self.req_vt();
        let mut len = 0u16;
        unsafe { narrow((vt.GetHeader_HTTP_HEADER_ID)(r, id, &mut len), len.into()) }
    }

    pub fn set_request_header(&self, name: &str, value: &str, replace: bool) -> HRESULT {
        let (r, vt) = self.req_vt();
        let name = cstr(name);
        unsafe {
            (vt.SetHeader_PCSTR)(
                r,
                name.as_ptr().cast(),
                value.as_ptr(),
                value.len() as u16,
                replace.into(),
            )
        }
    }

    pub fn response_header(&self, name: &str) -> Option<String> {
        let (r, vt) = self.resp_vt();
        let name = cstr(name);
        let mut len = 0u16;
        unsafe {
            narrow(
                (vt.GetHeader_PCSTR)(r, name.as_ptr().cast(), &mut len),
                len.into(),
            )
        }
    }

    pub fn set_response_header(&self, name: &str, value: &str, replace: bool) -> HRESULT {
        let (r, vt) = self.resp_vt();
        let name = cstr(name);
        unsafe {
            (vt.SetHeader_PCSTR)(
                r,
                name.as_ptr().cast(),
                value.as_ptr(),
                value.len() as u16,
                replace.into(),
            )
        }
    }

    pub fn set_response_header_id(
        &self,
        id: HTTP_HEADER_ID,
        value: &str,
        replace: bool,
    ) -> HRESULT {
        let (r, vt) = self.resp_vt();
        unsafe {
            (vt.SetHeader_HTTP_HEADER_ID)(r, id, value.as_ptr(), value.len() as u16, replace.into())
        }
    }

    pub fn delete_response_header(&self, name: &str) -> HRESULT {
        let (r, vt) = self.resp_vt();
        let name = cstr(name);
        unsafe { (vt.DeleteHeader_PCSTR)(r, name.as_ptr().cast()) }
    }

    pub fn set_status(&self, code: u16, reason: &str) -> HRESULT {
        let (r, vt) = self.resp_vt();
        let reason = cstr(reason);
        unsafe {
            (vt.SetStatus)(
                r,
                code,
                reason.as_ptr().cast(),
                0,
                S_OK,
                core::ptr::null_mut(),
                0,
            )
        }
    }

    /// (status, substatus, reason)
    pub fn status(&self) -> (u16, u16, String) {
        let (r, vt) = self.resp_vt();
        let (mut code, mut sub, mut reason, mut len) = (0u16, 0u16, core::ptr::null(), 0u16);
        unsafe {
            (vt.GetStatus)(
                r,
                &mut code,
                &mut sub,
                &mut reason,
                &mut len,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                core::ptr::null_mut(),
            );
            (code, sub, narrow(reason, len.into()).unwrap_or_default())
        }
    }

    /// Appends `body` to the response (IHttpResponse::WriteEntityChunks, synchronous).
    pub fn write(&self, body: &[u8]) -> HRESULT {
        let (r, vt) = self.resp_vt();
        let mut chunk = memory_chunk(body);
        let mut sent = 0u32;
        unsafe { (vt.WriteEntityChunks)(r, &mut chunk, 1, 0, 0, &mut sent, core::ptr::null_mut()) }
    }

    pub fn flush(&self) -> HRESULT {
        let (r, vt) = self.resp_vt();
        let mut sent = 0u32;
        unsafe { (vt.Flush)(r, 0, 1, &mut sent, core::ptr::null_mut()) }
    }

    pub fn server_variable(&self, name: &str) -> Result<String, HRESULT> {
        let name = cstr(name);
        let (mut p, mut len) = (core::ptr::null(), 0u32);
        let hr = unsafe {
            (self.vt().GetServerVariable_PCSTR)(self.0, name.as_ptr().cast(), &mut p, &mut len)
        };
        if hr < 0 {
            Err(hr)
        } else {
            Ok(unsafe { narrow(p, len as usize) }.unwrap_or_default())
        }
    }

    pub fn server_variable_wide(&self, name: &str) -> Result<String, HRESULT> {
        let name = cstr(name);
        let (mut p, mut len) = (core::ptr::null(), 0u32);
        let hr = unsafe {
            (self.vt().GetServerVariable_PCWSTR)(self.0, name.as_ptr().cast(), &mut p, &mut len)
        };
        if hr < 0 {
            Err(hr)
        } else {
            Ok(unsafe { wide(p, len as usize) }.unwrap_or_default())
        }
    }

    pub fn set_server_variable(&self, name: &str, value: &str) -> HRESULT {
        let name = cstr(name);
        let value = wstr(value);
        unsafe { (self.vt().SetServerVariable)(self.0, name.as_ptr().cast(), value.as_ptr()) }
    }

    /// The whole entity body, read synchronously in `chunk`-byte pieces.
    pub fn read_body(&self, chunk: usize) -> Result<Vec<u8>, HRESULT> {
        let (r, vt) = self.req_vt();
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            let mut got = 0u32;
            let hr = unsafe {
                (vt.ReadEntityBody)(
                    r,
                    buf.as_mut_ptr().cast(),
                    chunk as u32,
                    0,
                    &mut got,
                    core::ptr::null_mut(),
                )
            };
            if hr == E_HANDLE_EOF {
                return Ok(out);
            }
            if hr < 0 {
                return Err(hr);
            }
            out.extend_from_slice(&buf[..got as usize]);
        }
    }

    pub fn post_completion(&self, bytes: u32) -> HRESULT {
        unsafe { (self.vt().PostCompletion)(self.0, bytes) }
    }

    pub fn indicate_completion(&self, status: REQUEST_NOTIFICATION_STATUS) {
        unsafe { (self.vt().IndicateCompletion)(self.0, status) }
    }

    pub fn disable_notifications(&self, notifications: u32, post: u32) {
        unsafe { (self.vt().DisableNotifications)(self.0, notifications, post) }
    }

    pub fn module_container(&self) -> *mut IHttpModuleContextContainer {
        unsafe { (self.vt().GetModuleContextContainer)(self.0) }
    }

    /// # Safety
    /// `id` must be this module's id and `context` a live stored context.
    pub unsafe fn set_module_context(
        &self,
        id: HTTP_MODULE_ID,
        context: *mut IHttpStoredContext,
    ) -> HRESULT {
        let c = self.module_container();
        unsafe { ((*(*c).lpVtbl).SetModuleContext)(c, context, id) }
    }

    /// # Safety
    /// `id` must be a module id.
    pub unsafe fn module_context(&self, id: HTTP_MODULE_ID) -> *mut IHttpStoredContext {
        let c = self.module_container();
        unsafe { ((*(*c).lpVtbl).GetModuleContext)(c, id) }
    }

    pub fn connection(&self) -> *mut IHttpConnection {
        unsafe { (self.vt().GetConnection)(self.0) }
    }
}

/// An `HTTP_DATA_CHUNK` of memory (windows-sys layout).
pub fn memory_chunk(data: &[u8]) -> HTTP_DATA_CHUNK {
    HTTP_DATA_CHUNK {
        DataChunkType: HttpDataChunkFromMemory,
        Anonymous: HTTP_DATA_CHUNK_0 {
            FromMemory: HTTP_DATA_CHUNK_0_0 {
                pBuffer: data.as_ptr() as *mut c_void,
                BufferLength: data.len() as u32,
            },
        },
    }
}
