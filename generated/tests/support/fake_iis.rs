//! A fake IIS in Rust for driving modules through the raw vtables exactly as IIS does:
//! `RegisterModule` → `GetHttpModule` → `On*` (with `OnAsyncCompletion` after
//! `PostCompletion`) → `CleanupStoredContext` → `Dispose` → `Terminate`.
//!
//! Every fake object is a `RustObject` with a vtable from the generated `_Vtbl::new`; only the
//! slots modules use are implemented, the others keep the generated default, which aborts the
//! test process: calling an unexpected IIS method is a failure.
//!
//! Shared by `generated/tests/module_*.rs` and `examples/*/tests/` (through `#[path]`).

#![allow(dead_code, non_snake_case, clippy::missing_safety_doc)]

use std::ffi::{CStr, CString, c_void};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use httpserv::*;
use widestring::{U16CStr, U16CString};
use windows_sys::Win32::Networking::HttpServer::HTTP_DATA_CHUNK;
use windows_sys::core::{BOOL, GUID, HRESULT, PCSTR, PCWSTR};

pub const S_OK: HRESULT = 0;
pub const E_FAIL: HRESULT = 0x8000_4005_u32 as HRESULT;
pub const E_NOINTERFACE: HRESULT = 0x8000_4002_u32 as HRESULT;
/// `HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)`, what IIS returns for a filled context slot.
pub const E_ALREADY_ASSIGNED: HRESULT = 0x8007_0055_u32 as HRESULT;

/// The module id the fake registration info hands out.
pub const MODULE_ID: HTTP_MODULE_ID = 0x5EED_0001 as HTTP_MODULE_ID;

fn object<T>(vtbl: *const c_void, value: T) -> RustObject<T> {
    RustObject {
        lpVtbl: vtbl,
        value,
    }
}

unsafe fn this<'a, T>(this: *mut RustObject<T>) -> &'a T {
    unsafe { &(*this).value }
}

unsafe fn cstr(p: PCSTR) -> String {
    unsafe { CStr::from_ptr(p.cast()) }
        .to_string_lossy()
        .into_owned()
}

// ---------------------------------------------------------------------------------------------
// IHttpServer / IHttpServer2: only GetExtendedInterface (HttpGetExtendedInterface).

pub struct Server;

impl IHttpServer_Impl for Server {
    unsafe fn GetExtendedInterface(
        this: *mut RustObject<Self>,
        version: HTTP_SERVER_INTERFACE_VERSION,
        pp: *mut *mut c_void,
    ) -> HRESULT {
        unsafe {
            if version == HTTP_SERVER_INTERFACE_V2 {
                *pp = this.cast();
                S_OK
            } else {
                *pp = ptr::null_mut();
                E_NOINTERFACE
            }
        }
    }
}

impl IHttpServer2_Impl for Server {
    unsafe fn GetExtendedInterface(
        _this: *mut RustObject<Self>,
        v1: *const GUID,
        input: *mut c_void,
        v2: *const GUID,
        out: *mut *mut c_void,
    ) -> HRESULT {
        unsafe {
            // Our fake context implements IHttpContext3 in one vtable: same pointer.
            if same(&*v1, &IHttpContext::IID) && same(&*v2, &IHttpContext3::IID) {
                *out = input;
                S_OK
            } else {
                *out = ptr::null_mut();
                E_NOINTERFACE
            }
        }
    }
}

fn same(a: &GUID, b: &GUID) -> bool {
    (a.data1, a.data2, a.data3, a.data4) == (b.data1, b.data2, b.data3, b.data4)
}

static SERVER_VTBL: IHttpServer2_Vtbl = IHttpServer2_Vtbl::new::<Server>();

/// The process's fake server (never freed, like IIS's).
pub fn fake_server() -> *mut IHttpServer {
    static SERVER: OnceLock<usize> = OnceLock::new();
    *SERVER.get_or_init(|| {
        Box::into_raw(Box::new(object((&raw const SERVER_VTBL).cast(), Server))) as usize
    }) as *mut IHttpServer
}

// ---------------------------------------------------------------------------------------------
// IHttpModuleRegistrationInfo

#[derive(Default)]
pub struct RegInfo {
    pub id: usize,
    pub refuse_request: bool,
    pub factory: Mutex<Option<(usize, u32, u32)>>,
    pub global: Mutex<Option<(usize, u32)>>,
    pub request_priorities: Mutex<Vec<(u32, String)>>,
    pub global_priorities: Mutex<Vec<(u32, String)>>,
}

impl IHttpModuleRegistrationInfo_Impl for RegInfo {
    unsafe fn GetName(_this: *mut RustObject<Self>) -> PCWSTR {
        widestring::u16cstr!("FakeModule").as_ptr()
    }
    unsafe fn GetId(this: *mut RustObject<Self>) -> HTTP_MODULE_ID {
        unsafe { self::this(this) }.id as HTTP_MODULE_ID
    }
    unsafe fn SetRequestNotifications(
        this: *mut RustObject<Self>,
        factory: *mut IHttpModuleFactory,
        request: u32,
        post: u32,
    ) -> HRESULT {
        let info = unsafe { self::this(this) };
        if info.refuse_request {
            return E_FAIL;
        }
        *info.factory.lock().unwrap() = Some((factory as usize, request, post));
        S_OK
    }
    unsafe fn SetGlobalNotifications(
        this: *mut RustObject<Self>,
        global: *mut CGlobalModule,
        mask: u32,
    ) -> HRESULT {
        *unsafe { self::this(this) }.global.lock().unwrap() = Some((global as usize, mask));
        S_OK
    }
    unsafe fn SetPriorityForRequestNotification(
        this: *mut RustObject<Self>,
        notification: u32,
        priority: PCWSTR,
    ) -> HRESULT {
        let alias = unsafe { U16CStr::from_ptr_str(priority) }.to_string_lossy();
        unsafe { self::this(this) }
            .request_priorities
            .lock()
            .unwrap()
            .push((notification, alias));
        S_OK
    }
    unsafe fn SetPriorityForGlobalNotification(
        this: *mut RustObject<Self>,
        notification: u32,
        priority: PCWSTR,
    ) -> HRESULT {
        let alias = unsafe { U16CStr::from_ptr_str(priority) }.to_string_lossy();
        unsafe { self::this(this) }
            .global_priorities
            .lock()
            .unwrap()
            .push((notification, alias));
        S_OK
    }
}

static REG_VTBL: IHttpModuleRegistrationInfo_Vtbl =
    IHttpModuleRegistrationInfo_Vtbl::new::<RegInfo>();

// ---------------------------------------------------------------------------------------------
// Header lists (case-insensitive names), shared by the fake request and response.

#[derive(Default)]
pub struct Headers(Mutex<Vec<(String, CString)>>);

impl Headers {
    pub fn set(&self, name: &str, value: &str, replace: bool) {
        let mut list = self.0.lock().unwrap();
        let value = CString::new(value).unwrap();
        match list.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, v)) if replace => *v = value,
            Some((_, v)) => {
                let joined = format!("{},{}", v.to_str().unwrap(), value.to_str().unwrap());
                *v = CString::new(joined).unwrap();
            }
            None => list.push((name.to_string(), value)),
        }
    }
    pub fn get(&self, name: &str) -> Option<String> {
        let list = self.0.lock().unwrap();
        list.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_str().unwrap().to_string())
    }
    fn get_raw(&self, name: &str, len: *mut u16) -> PCSTR {
        let list = self.0.lock().unwrap();
        match list.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, v)) => {
                if !len.is_null() {
                    unsafe { *len = v.as_bytes().len() as u16 };
                }
                // Stable until the header changes (the CString's heap buffer).
                v.as_ptr().cast()
            }
            None => {
                if !len.is_null() {
                    unsafe { *len = 0 };
                }
                ptr::null()
            }
        }
    }
    pub fn delete(&self, name: &str) {
        self.0
            .lock()
            .unwrap()
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
    pub fn all(&self) -> Vec<(String, String)> {
        let list = self.0.lock().unwrap();
        list.iter()
            .map(|(n, v)| (n.clone(), v.to_str().unwrap().to_string()))
            .collect()
    }
}

unsafe fn header_value(value: PCSTR, len: u16) -> String {
    let bytes = unsafe { std::slice::from_raw_parts(value, len as usize) };
    String::from_utf8(bytes.to_vec()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// IHttpRequest

#[derive(Default)]
pub struct Request {
    pub headers: Headers,
}

impl IHttpRequest_Impl for Request {
    unsafe fn GetHeader_PCSTR(this: *mut RustObject<Self>, name: PCSTR, len: *mut u16) -> PCSTR {
        unsafe { self::this(this).headers.get_raw(&cstr(name), len) }
    }
    unsafe fn SetHeader_PCSTR(
        this: *mut RustObject<Self>,
        name: PCSTR,
        value: PCSTR,
        len: u16,
        replace: BOOL,
    ) -> HRESULT {
        unsafe {
            self::this(this)
                .headers
                .set(&cstr(name), &header_value(value, len), replace != 0)
        };
        S_OK
    }
    unsafe fn DeleteHeader_PCSTR(this: *mut RustObject<Self>, name: PCSTR) -> HRESULT {
        unsafe { self::this(this).headers.delete(&cstr(name)) };
        S_OK
    }
}

static REQUEST_VTBL: IHttpRequest_Vtbl = IHttpRequest_Vtbl::new::<Request>();

// ---------------------------------------------------------------------------------------------
// IHttpResponse

pub struct Response {
    pub status: Mutex<(u16, String, u16, HRESULT)>,
    pub headers: Headers,
    pub body: Mutex<Vec<u8>>,
    pub clears: AtomicU32,
}

impl Default for Response {
    fn default() -> Self {
        Response {
            status: Mutex::new((200, "OK".into(), 0, S_OK)),
            headers: Headers::default(),
            body: Mutex::new(Vec::new()),
            clears: AtomicU32::new(0),
        }
    }
}

unsafe fn chunk_bytes(chunk: *const HTTP_DATA_CHUNK) -> Vec<u8> {
    unsafe {
        // HttpDataChunkFromMemory
        assert_eq!(
            (*chunk).DataChunkType,
            0,
            "fake IIS only takes memory chunks"
        );
        let memory = (*chunk).Anonymous.FromMemory;
        std::slice::from_raw_parts(memory.pBuffer.cast::<u8>(), memory.BufferLength as usize)
            .to_vec()
    }
}

impl IHttpResponse_Impl for Response {
    unsafe fn SetStatus(
        this: *mut RustObject<Self>,
        status: u16,
        reason: PCSTR,
        sub_status: u16,
        hr: HRESULT,
        _exception: *mut IAppHostConfigException,
        _skip: BOOL,
    ) -> HRESULT {
        let reason = unsafe { cstr(reason) };
        *unsafe { self::this(this) }.status.lock().unwrap() = (status, reason, sub_status, hr);
        S_OK
    }
    unsafe fn SetHeader_PCSTR(
        this: *mut RustObject<Self>,
        name: PCSTR,
        value: PCSTR,
        len: u16,
        replace: BOOL,
    ) -> HRESULT {
        unsafe {
            self::this(this)
                .headers
                .set(&cstr(name), &header_value(value, len), replace != 0)
        };
        S_OK
    }
    unsafe fn DeleteHeader_PCSTR(this: *mut RustObject<Self>, name: PCSTR) -> HRESULT {
        unsafe { self::this(this).headers.delete(&cstr(name)) };
        S_OK
    }
    unsafe fn GetHeader_PCSTR(this: *mut RustObject<Self>, name: PCSTR, len: *mut u16) -> PCSTR {
        unsafe { self::this(this).headers.get_raw(&cstr(name), len) }
    }
    unsafe fn Clear(this: *mut RustObject<Self>) {
        let response = unsafe { self::this(this) };
        response.body.lock().unwrap().clear();
        response.clears.fetch_add(1, Ordering::Relaxed);
    }
    unsafe fn ClearHeaders(this: *mut RustObject<Self>) {
        unsafe { self::this(this) }.headers.clear();
    }
    unsafe fn WriteEntityChunkByReference(
        this: *mut RustObject<Self>,
        chunk: *mut HTTP_DATA_CHUNK,
        position: i32,
    ) -> HRESULT {
        assert_eq!(position, -1, "fake IIS only appends");
        let bytes = unsafe { chunk_bytes(chunk) };
        unsafe { self::this(this) }
            .body
            .lock()
            .unwrap()
            .extend_from_slice(&bytes);
        S_OK
    }
    unsafe fn WriteEntityChunks(
        this: *mut RustObject<Self>,
        chunks: *mut HTTP_DATA_CHUNK,
        count: u32,
        asynchronous: BOOL,
        _more: BOOL,
        sent: *mut u32,
        completion_expected: *mut BOOL,
    ) -> HRESULT {
        assert_eq!(asynchronous, 0, "fake IIS only writes synchronously");
        let mut total = 0;
        for i in 0..count as usize {
            let bytes = unsafe { chunk_bytes(chunks.add(i)) };
            total += bytes.len() as u32;
            unsafe { self::this(this) }
                .body
                .lock()
                .unwrap()
                .extend_from_slice(&bytes);
        }
        unsafe {
            if !sent.is_null() {
                *sent = total;
            }
            if !completion_expected.is_null() {
                *completion_expected = 0;
            }
        }
        S_OK
    }
}

static RESPONSE_VTBL: IHttpResponse_Vtbl = IHttpResponse_Vtbl::new::<Response>();

// ---------------------------------------------------------------------------------------------
// Context containers.

/// IHttpModuleContextContainer and IHttpConnectionModuleContextContainer: one slot per id.
#[derive(Default)]
pub struct Container {
    pub slots: Mutex<Vec<(usize, usize)>>,
    pub sets: AtomicU32,
}

impl Container {
    fn get(&self, id: HTTP_MODULE_ID) -> usize {
        let slots = self.slots.lock().unwrap();
        slots
            .iter()
            .find(|(i, _)| *i == id as usize)
            .map_or(0, |(_, s)| *s)
    }
    fn set(&self, stored: usize, id: HTTP_MODULE_ID) -> HRESULT {
        let mut slots = self.slots.lock().unwrap();
        if slots.iter().any(|(i, _)| *i == id as usize) {
            return E_ALREADY_ASSIGNED;
        }
        slots.push((id as usize, stored));
        self.sets.fetch_add(1, Ordering::Relaxed);
        S_OK
    }
    /// What IIS does at the end of the request (connection): cleans every stored context up.
    pub fn cleanup(&self) {
        let slots = std::mem::take(&mut *self.slots.lock().unwrap());
        for (_, stored) in slots {
            let stored = stored as *mut IHttpStoredContext;
            unsafe { ((*(*stored).lpVtbl).CleanupStoredContext)(stored) };
        }
    }
    pub fn len(&self) -> usize {
        self.slots.lock().unwrap().len()
    }
}

impl IHttpModuleContextContainer_Impl for Container {
    unsafe fn GetModuleContext(
        this: *mut RustObject<Self>,
        id: HTTP_MODULE_ID,
    ) -> *mut IHttpStoredContext {
        unsafe { self::this(this) }.get(id) as *mut IHttpStoredContext
    }
    unsafe fn SetModuleContext(
        this: *mut RustObject<Self>,
        stored: *mut IHttpStoredContext,
        id: HTTP_MODULE_ID,
    ) -> HRESULT {
        unsafe { self::this(this) }.set(stored as usize, id)
    }
}

impl IHttpConnectionModuleContextContainer_Impl for Container {
    unsafe fn GetConnectionModuleContext(
        this: *mut RustObject<Self>,
        id: HTTP_MODULE_ID,
    ) -> *mut IHttpConnectionStoredContext {
        unsafe { self::this(this) }.get(id) as *mut IHttpConnectionStoredContext
    }
    unsafe fn SetConnectionModuleContext(
        this: *mut RustObject<Self>,
        stored: *mut IHttpConnectionStoredContext,
        id: HTTP_MODULE_ID,
    ) -> HRESULT {
        unsafe { self::this(this) }.set(stored as usize, id)
    }
}

static CONTAINER_VTBL: IHttpModuleContextContainer_Vtbl =
    IHttpModuleContextContainer_Vtbl::new::<Container>();
static CONNECTION_CONTAINER_VTBL: IHttpConnectionModuleContextContainer_Vtbl =
    IHttpConnectionModuleContextContainer_Vtbl::new::<Container>();

/// INamedContextContainer: one slot per name.
#[derive(Default)]
pub struct Named {
    pub slots: Mutex<Vec<(String, usize)>>,
}

impl INamedContextContainer_Impl for Named {
    unsafe fn GetNamedContext(
        this: *mut RustObject<Self>,
        name: PCWSTR,
    ) -> *mut IHttpStoredContext {
        let name = unsafe { U16CStr::from_ptr_str(name) }.to_string_lossy();
        let slots = unsafe { self::this(this) }.slots.lock().unwrap();
        slots
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, s)| *s) as *mut IHttpStoredContext
    }
    unsafe fn SetNamedContext(
        this: *mut RustObject<Self>,
        stored: *mut IHttpStoredContext,
        name: PCWSTR,
    ) -> HRESULT {
        let name = unsafe { U16CStr::from_ptr_str(name) }.to_string_lossy();
        let mut slots = unsafe { self::this(this) }.slots.lock().unwrap();
        if slots.iter().any(|(n, _)| *n == name) {
            return E_ALREADY_ASSIGNED;
        }
        slots.push((name, stored as usize));
        S_OK
    }
}

impl Named {
    pub fn cleanup(&self) {
        let slots = std::mem::take(&mut *self.slots.lock().unwrap());
        for (_, stored) in slots {
            let stored = stored as *mut IHttpStoredContext;
            unsafe { ((*(*stored).lpVtbl).CleanupStoredContext)(stored) };
        }
    }
}

static NAMED_VTBL: INamedContextContainer_Vtbl = INamedContextContainer_Vtbl::new::<Named>();

// ---------------------------------------------------------------------------------------------
// IHttpConnection: lives across the requests of a keep-alive connection.

pub struct ConnectionData {
    pub container: RustObject<Container>,
}

impl IHttpConnection_Impl for ConnectionData {
    unsafe fn IsConnected(_this: *mut RustObject<Self>) -> BOOL {
        1
    }
    unsafe fn GetModuleContextContainer(
        this: *mut RustObject<Self>,
    ) -> *mut IHttpConnectionModuleContextContainer {
        (&raw const unsafe { &(*this).value }.container)
            .cast_mut()
            .cast()
    }
}

static CONNECTION_VTBL: IHttpConnection_Vtbl = IHttpConnection_Vtbl::new::<ConnectionData>();

pub struct Connection(Box<RustObject<ConnectionData>>);

impl Connection {
    pub fn new() -> Self {
        Connection(Box::new(object(
            (&raw const CONNECTION_VTBL).cast(),
            ConnectionData {
                container: object(
                    (&raw const CONNECTION_CONTAINER_VTBL).cast(),
                    Container::default(),
                ),
            },
        )))
    }
    pub fn ptr(&self) -> *mut IHttpConnection {
        (&raw const *self.0).cast_mut().cast()
    }
    pub fn container(&self) -> &Container {
        &self.0.value.container.value
    }
    /// The client went away: NotifyDisconnect on every stored context, then cleanup.
    pub fn close(&self) {
        let slots = self.container().slots.lock().unwrap().clone();
        for (_, stored) in slots {
            let stored = stored as *mut IHttpConnectionStoredContext;
            unsafe { ((*(*stored).lpVtbl).NotifyDisconnect)(stored) };
        }
        self.container().cleanup();
    }
}

impl Default for Connection {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------------------------------------
// IHttpContext3

pub struct ContextData {
    pub request: RustObject<Request>,
    pub response: RustObject<Response>,
    pub container: RustObject<Container>,
    pub named: RustObject<Named>,
    pub connection: *mut IHttpConnection,
    pub script_name: U16CString,
    pub headers_sent: AtomicBool,
    pub completions: Mutex<Sender<u32>>,
    pub posts: AtomicU32,
}

impl IHttpContext_Impl for ContextData {
    unsafe fn GetConnection(this: *mut RustObject<Self>) -> *mut IHttpConnection {
        unsafe { self::this(this) }.connection
    }
    unsafe fn GetRequest(this: *mut RustObject<Self>) -> *mut IHttpRequest {
        (&raw const unsafe { &(*this).value }.request)
            .cast_mut()
            .cast()
    }
    unsafe fn GetResponse(this: *mut RustObject<Self>) -> *mut IHttpResponse {
        (&raw const unsafe { &(*this).value }.response)
            .cast_mut()
            .cast()
    }
    unsafe fn GetResponseHeadersSent(this: *mut RustObject<Self>) -> BOOL {
        unsafe { self::this(this) }
            .headers_sent
            .load(Ordering::Relaxed)
            .into()
    }
    unsafe fn GetModuleContextContainer(
        this: *mut RustObject<Self>,
    ) -> *mut IHttpModuleContextContainer {
        (&raw const unsafe { &(*this).value }.container)
            .cast_mut()
            .cast()
    }
    unsafe fn PostCompletion(this: *mut RustObject<Self>, bytes: u32) -> HRESULT {
        let ctx = unsafe { self::this(this) };
        ctx.posts.fetch_add(1, Ordering::Relaxed);
        ctx.completions.lock().unwrap().send(bytes).unwrap();
        S_OK
    }
    unsafe fn GetScriptName(this: *mut RustObject<Self>, len: *mut u32) -> PCWSTR {
        let ctx = unsafe { self::this(this) };
        if !len.is_null() {
            unsafe { *len = ctx.script_name.len() as u32 };
        }
        ctx.script_name.as_ptr()
    }
}

impl IHttpContext2_Impl for ContextData {}

impl IHttpContext3_Impl for ContextData {
    unsafe fn GetNamedContextContainer(this: *mut RustObject<Self>) -> *mut INamedContextContainer {
        (&raw const unsafe { &(*this).value }.named)
            .cast_mut()
            .cast()
    }
    unsafe fn PostCompletion(
        this: *mut RustObject<Self>,
        bytes: u32,
        routine: LPOVERLAPPED_COMPLETION_ROUTINE,
        context: *mut c_void,
    ) -> HRESULT {
        assert!(
            routine.is_none() && context.is_null(),
            "fake IIS: no completion routine"
        );
        let ctx = unsafe { self::this(this) };
        ctx.posts.fetch_add(1, Ordering::Relaxed);
        // IIS queues the completion to its thread pool; the driver plays that part.
        ctx.completions.lock().unwrap().send(bytes).unwrap();
        S_OK
    }
}

static CONTEXT_VTBL: IHttpContext3_Vtbl = IHttpContext3_Vtbl::new::<ContextData>();

/// One request: its context and the receiving end of its completions.
pub struct Context {
    object: Box<RustObject<ContextData>>,
    completions: Receiver<u32>,
}

impl Context {
    pub fn new(url: &str, headers: &[(&str, &str)], connection: Option<&Connection>) -> Self {
        let (tx, rx) = channel();
        let request = Request::default();
        for (name, value) in headers {
            request.headers.set(name, value, true);
        }
        Context {
            object: Box::new(object(
                (&raw const CONTEXT_VTBL).cast(),
                ContextData {
                    request: object((&raw const REQUEST_VTBL).cast(), request),
                    response: object((&raw const RESPONSE_VTBL).cast(), Response::default()),
                    container: object((&raw const CONTAINER_VTBL).cast(), Container::default()),
                    named: object((&raw const NAMED_VTBL).cast(), Named::default()),
                    connection: connection.map_or(ptr::null_mut(), Connection::ptr),
                    script_name: U16CString::from_str(url).unwrap(),
                    headers_sent: AtomicBool::new(false),
                    completions: Mutex::new(tx),
                    posts: AtomicU32::new(0),
                },
            )),
            completions: rx,
        }
    }
    pub fn ptr(&self) -> *mut IHttpContext {
        (&raw const *self.object).cast_mut().cast()
    }
    pub fn data(&self) -> &ContextData {
        &self.object.value
    }
    pub fn request(&self) -> &Request {
        &self.object.value.request.value
    }
    pub fn response(&self) -> &Response {
        &self.object.value.response.value
    }
    pub fn container(&self) -> &Container {
        &self.object.value.container.value
    }
    pub fn named(&self) -> &Named {
        &self.object.value.named.value
    }
    /// Waits for a posted completion (IIS's thread pool picking it up).
    pub fn next_completion(&self) -> u32 {
        self.completions
            .recv_timeout(Duration::from_secs(20))
            .expect("the module returned RQ_NOTIFICATION_PENDING but posted no completion")
    }
}

// ---------------------------------------------------------------------------------------------
// Providers and completion info.

#[derive(Default)]
pub struct Provider {
    pub error: AtomicU32,
}

impl IHttpEventProvider_Impl for Provider {
    unsafe fn SetErrorStatus(this: *mut RustObject<Self>, hr: HRESULT) {
        unsafe { self::this(this) }
            .error
            .store(hr as u32, Ordering::Relaxed);
    }
}
impl IAuthenticationProvider_Impl for Provider {}
impl IMapHandlerProvider_Impl for Provider {}
impl IMapPathProvider_Impl for Provider {}
impl IReadEntityProvider_Impl for Provider {}
impl ICustomNotificationProvider_Impl for Provider {}
impl ISendResponseProvider_Impl for Provider {
    unsafe fn GetHeadersBeingSent(_this: *mut RustObject<Self>) -> BOOL {
        1
    }
    unsafe fn GetFlags(_this: *mut RustObject<Self>) -> u32 {
        0
    }
}

static EVENT_VTBL: IHttpEventProvider_Vtbl = IHttpEventProvider_Vtbl::new::<Provider>();
static AUTH_VTBL: IAuthenticationProvider_Vtbl = IAuthenticationProvider_Vtbl::new::<Provider>();
static MAP_HANDLER_VTBL: IMapHandlerProvider_Vtbl = IMapHandlerProvider_Vtbl::new::<Provider>();
static MAP_PATH_VTBL: IMapPathProvider_Vtbl = IMapPathProvider_Vtbl::new::<Provider>();
static READ_VTBL: IReadEntityProvider_Vtbl = IReadEntityProvider_Vtbl::new::<Provider>();
static CUSTOM_VTBL: ICustomNotificationProvider_Vtbl =
    ICustomNotificationProvider_Vtbl::new::<Provider>();
static SEND_VTBL: ISendResponseProvider_Vtbl = ISendResponseProvider_Vtbl::new::<Provider>();

pub struct Completion {
    pub bytes: u32,
    pub status: HRESULT,
}

impl IHttpCompletionInfo_Impl for Completion {
    unsafe fn GetCompletionBytes(this: *mut RustObject<Self>) -> u32 {
        unsafe { self::this(this) }.bytes
    }
    unsafe fn GetCompletionStatus(this: *mut RustObject<Self>) -> HRESULT {
        unsafe { self::this(this) }.status
    }
}

static COMPLETION_VTBL: IHttpCompletionInfo_Vtbl = IHttpCompletionInfo_Vtbl::new::<Completion>();

/// IModuleAllocator: the framework must not use it (Rust heap); every slot aborts.
pub struct Allocator;
impl IModuleAllocator_Impl for Allocator {}
static ALLOCATOR_VTBL: IModuleAllocator_Vtbl = IModuleAllocator_Vtbl::new::<Allocator>();

// ---------------------------------------------------------------------------------------------
// The host: RegisterModule, the pipeline, Terminate.

/// The request stages in pipeline order.
pub const STAGES: [(u32, &str); 12] = [
    (RQ_BEGIN_REQUEST, "BeginRequest"),
    (RQ_AUTHENTICATE_REQUEST, "AuthenticateRequest"),
    (RQ_AUTHORIZE_REQUEST, "AuthorizeRequest"),
    (RQ_RESOLVE_REQUEST_CACHE, "ResolveRequestCache"),
    (RQ_MAP_REQUEST_HANDLER, "MapRequestHandler"),
    (RQ_ACQUIRE_REQUEST_STATE, "AcquireRequestState"),
    (RQ_PRE_EXECUTE_REQUEST_HANDLER, "PreExecuteRequestHandler"),
    (RQ_EXECUTE_REQUEST_HANDLER, "ExecuteRequestHandler"),
    (RQ_RELEASE_REQUEST_STATE, "ReleaseRequestState"),
    (RQ_UPDATE_REQUEST_CACHE, "UpdateRequestCache"),
    (RQ_LOG_REQUEST, "LogRequest"),
    (RQ_END_REQUEST, "EndRequest"),
];

/// A registered module, as IIS holds it after `RegisterModule`.
pub struct Host {
    pub hr: HRESULT,
    pub info: Box<RustObject<RegInfo>>,
    providers: Box<[RustObject<Provider>; 7]>,
    allocator: Box<RustObject<Allocator>>,
    pub requests_served: AtomicUsize,
}

// SAFETY: the module objects are Send + Sync (factory, global module) and the fakes use locks.
unsafe impl Send for Host {}
unsafe impl Sync for Host {}

/// What one request produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: u16,
    pub reason: String,
    pub sub_status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// `(notification, post, status)` in call order, `OnAsyncCompletion` as "AsyncCompletion".
    pub calls: Vec<(String, bool, i32)>,
}

impl Outcome {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

impl Host {
    /// Calls `register` (the body of a `RegisterModule`) as IIS does, with server version
    /// `version`; `refuse_request` makes `SetRequestNotifications` fail.
    pub fn load_with(
        version: u32,
        refuse_request: bool,
        register: impl FnOnce(u32, *mut IHttpModuleRegistrationInfo, *mut IHttpServer) -> HRESULT,
    ) -> Host {
        let info = Box::new(object(
            (&raw const REG_VTBL).cast(),
            RegInfo {
                id: MODULE_ID as usize,
                refuse_request,
                ..RegInfo::default()
            },
        ));
        let provider = |vtbl: *const c_void| object(vtbl, Provider::default());
        let providers = Box::new([
            provider((&raw const EVENT_VTBL).cast()),
            provider((&raw const AUTH_VTBL).cast()),
            provider((&raw const MAP_HANDLER_VTBL).cast()),
            provider((&raw const MAP_PATH_VTBL).cast()),
            provider((&raw const READ_VTBL).cast()),
            provider((&raw const CUSTOM_VTBL).cast()),
            provider((&raw const SEND_VTBL).cast()),
        ]);
        let info_ptr = (&raw const *info)
            .cast_mut()
            .cast::<IHttpModuleRegistrationInfo>();
        let hr = register(version, info_ptr, fake_server());
        Host {
            hr,
            info,
            providers,
            allocator: Box::new(object((&raw const ALLOCATOR_VTBL).cast(), Allocator)),
            requests_served: AtomicUsize::new(0),
        }
    }

    /// Loads a module through its exported `RegisterModule` (server version 10).
    pub fn load_export(register: PFN_REGISTERMODULE) -> Host {
        let register = register.expect("RegisterModule");
        let host = Host::load_with(10, false, |v, i, s| unsafe { register(v, i, s) });
        assert_eq!(host.hr, S_OK, "RegisterModule failed");
        host
    }

    /// Registers `registration` (server version 10), as a `RegisterModule` built by
    /// `register_module!` would.
    pub fn load(registration: impl FnOnce() -> httpserv::module::Registration) -> Host {
        let host = Host::load_with(10, false, |v, i, s| unsafe {
            httpserv::module::register(v, i, s, registration)
        });
        assert_eq!(host.hr, S_OK, "RegisterModule failed");
        host
    }

    pub fn factory(&self) -> Option<(*mut IHttpModuleFactory, u32, u32)> {
        self.info
            .value
            .factory
            .lock()
            .unwrap()
            .map(|(f, r, p)| (f as *mut IHttpModuleFactory, r, p))
    }

    pub fn global(&self) -> Option<(*mut CGlobalModule, u32)> {
        self.info
            .value
            .global
            .lock()
            .unwrap()
            .map(|(g, m)| (g as *mut CGlobalModule, m))
    }

    fn provider(&self, index: usize) -> *mut c_void {
        (&raw const self.providers[index]).cast_mut().cast()
    }

    /// `GetHttpModule` on the registered factory.
    pub fn create_module(&self) -> Result<*mut CHttpModule, HRESULT> {
        let (factory, _, _) = self.factory().expect("no factory registered");
        let mut module = ptr::null_mut();
        let allocator = (&raw const *self.allocator).cast_mut().cast();
        let hr = unsafe { ((*(*factory).lpVtbl).GetHttpModule)(factory, &mut module, allocator) };
        if hr < 0 { Err(hr) } else { Ok(module) }
    }

    /// Calls notification `bit` (`post`) of `module`; `RQ_SEND_RESPONSE` etc. have no post.
    pub unsafe fn notify(
        &self,
        module: *mut CHttpModule,
        ctx: &Context,
        bit: u32,
        post: bool,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let v = unsafe { &*(*module).lpVtbl };
        let c = ctx.ptr();
        let ev = self.provider(0).cast();
        unsafe {
            match (bit, post) {
                (RQ_BEGIN_REQUEST, false) => (v.OnBeginRequest)(module, c, ev),
                (RQ_BEGIN_REQUEST, true) => (v.OnPostBeginRequest)(module, c, ev),
                (RQ_AUTHENTICATE_REQUEST, false) => {
                    (v.OnAuthenticateRequest)(module, c, self.provider(1).cast())
                }
                (RQ_AUTHENTICATE_REQUEST, true) => (v.OnPostAuthenticateRequest)(module, c, ev),
                (RQ_AUTHORIZE_REQUEST, false) => (v.OnAuthorizeRequest)(module, c, ev),
                (RQ_AUTHORIZE_REQUEST, true) => (v.OnPostAuthorizeRequest)(module, c, ev),
                (RQ_RESOLVE_REQUEST_CACHE, false) => (v.OnResolveRequestCache)(module, c, ev),
                (RQ_RESOLVE_REQUEST_CACHE, true) => (v.OnPostResolveRequestCache)(module, c, ev),
                (RQ_MAP_REQUEST_HANDLER, false) => {
                    (v.OnMapRequestHandler)(module, c, self.provider(2).cast())
                }
                (RQ_MAP_REQUEST_HANDLER, true) => (v.OnPostMapRequestHandler)(module, c, ev),
                (RQ_ACQUIRE_REQUEST_STATE, false) => (v.OnAcquireRequestState)(module, c, ev),
                (RQ_ACQUIRE_REQUEST_STATE, true) => (v.OnPostAcquireRequestState)(module, c, ev),
                (RQ_PRE_EXECUTE_REQUEST_HANDLER, false) => {
                    (v.OnPreExecuteRequestHandler)(module, c, ev)
                }
                (RQ_PRE_EXECUTE_REQUEST_HANDLER, true) => {
                    (v.OnPostPreExecuteRequestHandler)(module, c, ev)
                }
                (RQ_EXECUTE_REQUEST_HANDLER, false) => (v.OnExecuteRequestHandler)(module, c, ev),
                (RQ_EXECUTE_REQUEST_HANDLER, true) => {
                    (v.OnPostExecuteRequestHandler)(module, c, ev)
                }
                (RQ_RELEASE_REQUEST_STATE, false) => (v.OnReleaseRequestState)(module, c, ev),
                (RQ_RELEASE_REQUEST_STATE, true) => (v.OnPostReleaseRequestState)(module, c, ev),
                (RQ_UPDATE_REQUEST_CACHE, false) => (v.OnUpdateRequestCache)(module, c, ev),
                (RQ_UPDATE_REQUEST_CACHE, true) => (v.OnPostUpdateRequestCache)(module, c, ev),
                (RQ_LOG_REQUEST, false) => (v.OnLogRequest)(module, c, ev),
                (RQ_LOG_REQUEST, true) => (v.OnPostLogRequest)(module, c, ev),
                (RQ_END_REQUEST, false) => (v.OnEndRequest)(module, c, ev),
                (RQ_END_REQUEST, true) => (v.OnPostEndRequest)(module, c, ev),
                (RQ_SEND_RESPONSE, false) => (v.OnSendResponse)(module, c, self.provider(6).cast()),
                (RQ_MAP_PATH, false) => (v.OnMapPath)(module, c, self.provider(3).cast()),
                (RQ_READ_ENTITY, false) => (v.OnReadEntity)(module, c, self.provider(4).cast()),
                (RQ_CUSTOM_NOTIFICATION, false) => {
                    (v.OnCustomRequestNotification)(module, c, self.provider(5).cast())
                }
                other => panic!("no notification {other:?}"),
            }
        }
    }

    /// Calls the notification and, while it returns PENDING, waits for the posted completion
    /// and calls `OnAsyncCompletion`, as IIS's thread pool does.
    unsafe fn notify_to_end(
        &self,
        module: *mut CHttpModule,
        ctx: &Context,
        bit: u32,
        post: bool,
        name: &str,
        calls: &mut Vec<(String, bool, i32)>,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let mut status = unsafe { self.notify(module, ctx, bit, post) };
        calls.push((name.to_string(), post, status.0));
        while status == RQ_NOTIFICATION_PENDING {
            let bytes = ctx.next_completion();
            status = unsafe { self.async_completion(module, ctx, bit, post, bytes) };
            calls.push(("AsyncCompletion".to_string(), post, status.0));
        }
        status
    }

    /// `OnAsyncCompletion` for notification `bit` with a successful completion of `bytes`.
    pub unsafe fn async_completion(
        &self,
        module: *mut CHttpModule,
        ctx: &Context,
        bit: u32,
        post: bool,
        bytes: u32,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let completion = object(
            (&raw const COMPLETION_VTBL).cast(),
            Completion {
                bytes,
                status: S_OK,
            },
        );
        let completion_ptr = (&raw const completion).cast_mut().cast();
        unsafe {
            ((*(*module).lpVtbl).OnAsyncCompletion)(
                module,
                ctx.ptr(),
                bit,
                post.into(),
                self.provider(0).cast(),
                completion_ptr,
            )
        }
    }

    /// One request through the whole pipeline, as IIS runs it for this module: notifications
    /// in stage order (post notifications after each), `OnSendResponse` after the handler
    /// (or when a notification finishes the request), FINISH_REQUEST skipping to the log and
    /// end stages; then the request's stored contexts are cleaned up and the module disposed.
    pub fn run(&self, ctx: &Context) -> Outcome {
        let (_, request, post_request) = self.factory().expect("no factory registered");
        let module = self.create_module().expect("GetHttpModule failed");
        let mut calls = Vec::new();
        let mut finished = false;
        let mut sent = false;
        let send = |calls: &mut Vec<_>, sent: &mut bool| {
            if !*sent {
                if request & RQ_SEND_RESPONSE != 0 {
                    unsafe {
                        self.notify_to_end(
                            module,
                            ctx,
                            RQ_SEND_RESPONSE,
                            false,
                            "SendResponse",
                            calls,
                        )
                    };
                }
                ctx.data().headers_sent.store(true, Ordering::Relaxed);
                *sent = true;
            }
        };
        for (bit, name) in STAGES {
            let closing = bit == RQ_LOG_REQUEST || bit == RQ_END_REQUEST;
            if finished && !closing {
                continue;
            }
            if bit == RQ_RELEASE_REQUEST_STATE || closing {
                send(&mut calls, &mut sent);
            }
            let mut status = RQ_NOTIFICATION_CONTINUE;
            if request & bit != 0 {
                status = unsafe { self.notify_to_end(module, ctx, bit, false, name, &mut calls) };
            }
            if status == RQ_NOTIFICATION_CONTINUE && post_request & bit != 0 {
                status = unsafe { self.notify_to_end(module, ctx, bit, true, name, &mut calls) };
            }
            if status == RQ_NOTIFICATION_FINISH_REQUEST {
                finished = true;
            }
        }
        ctx.container().cleanup();
        ctx.named().cleanup();
        unsafe { ((*(*module).lpVtbl).Dispose)(module) };
        self.requests_served.fetch_add(1, Ordering::Relaxed);
        let response = ctx.response();
        let (status, reason, sub_status, _) = response.status.lock().unwrap().clone();
        Outcome {
            status,
            reason,
            sub_status,
            headers: response.headers.all(),
            body: response.body.lock().unwrap().clone(),
            calls,
        }
    }

    /// A fresh request for `url` (no connection) through the pipeline.
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Outcome {
        self.run(&Context::new(url, headers, None))
    }

    /// `Terminate` on the factory and the global module, as at worker process shutdown.
    pub fn terminate(&self) {
        if let Some((factory, _, _)) = self.factory() {
            unsafe { ((*(*factory).lpVtbl).Terminate)(factory) };
        }
        if let Some((global, _)) = self.global() {
            unsafe { ((*(*global).lpVtbl).Terminate)(global) };
        }
        *self.info.value.factory.lock().unwrap() = None;
        *self.info.value.global.lock().unwrap() = None;
    }
}

// ---------------------------------------------------------------------------------------------
// The built module DLL (a Linux cdylib here).

/// The dynamic symbols `lib<crate>.so` (next to the running test binary) defines, read with
/// `nm -D --defined-only`.
pub fn cdylib_exports(lib_name: &str) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let candidates = [
        deps.join(format!("lib{lib_name}.so")),
        deps.parent().unwrap().join(format!("lib{lib_name}.so")),
    ];
    let path = candidates
        .iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no cdylib among {candidates:?}"));
    let output = std::process::Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(path)
        .output()
        .expect("running nm (binutils)");
    assert!(output.status.success(), "nm failed: {output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (_, kind, name) = (fields.next()?, fields.next()?, fields.next()?);
            (kind == "T").then(|| name.to_string())
        })
        .collect()
}
