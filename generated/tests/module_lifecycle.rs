//! The module framework driven through the raw vtables as IIS drives it: registration,
//! factory → GetHttpModule → On* → Dispose, the destructor slot, panics, global modules,
//! Terminate.

#[path = "support/fake_iis.rs"]
mod fake_iis;

use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use fake_iis::*;
use httpserv::module::*;
use httpserv::*;

/// Reports of the panic hook, for every test of this binary (the hook is process-wide).
fn reports() -> &'static Mutex<Vec<String>> {
    static REPORTS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        set_panic_hook(|report| reports().lock().unwrap().push(report.to_string()));
        Mutex::new(Vec::new())
    })
}

fn reported(fragment: &str) -> Vec<String> {
    reports()
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.contains(fragment))
        .cloned()
        .collect()
}

const ALL_REQUEST: u32 = RQ_BEGIN_REQUEST
    | RQ_AUTHENTICATE_REQUEST
    | RQ_AUTHORIZE_REQUEST
    | RQ_RESOLVE_REQUEST_CACHE
    | RQ_MAP_REQUEST_HANDLER
    | RQ_ACQUIRE_REQUEST_STATE
    | RQ_PRE_EXECUTE_REQUEST_HANDLER
    | RQ_EXECUTE_REQUEST_HANDLER
    | RQ_RELEASE_REQUEST_STATE
    | RQ_UPDATE_REQUEST_CACHE
    | RQ_LOG_REQUEST
    | RQ_END_REQUEST;

/// Overrides every notification and records which trait method ran.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<&'static str>>>);

macro_rules! record {
    ($($method:ident($provider:ty)),* $(,)?) => {
        impl HttpModule for Recorder {
            $(
                fn $method(&mut self, _ctx: &IHttpContext, _p: &$provider) -> REQUEST_NOTIFICATION_STATUS {
                    self.0.lock().unwrap().push(stringify!($method));
                    RQ_NOTIFICATION_CONTINUE
                }
            )*
        }
    };
}

record!(
    on_begin_request(IHttpEventProvider),
    on_post_begin_request(IHttpEventProvider),
    on_authenticate_request(IAuthenticationProvider),
    on_post_authenticate_request(IHttpEventProvider),
    on_authorize_request(IHttpEventProvider),
    on_post_authorize_request(IHttpEventProvider),
    on_resolve_request_cache(IHttpEventProvider),
    on_post_resolve_request_cache(IHttpEventProvider),
    on_map_request_handler(IMapHandlerProvider),
    on_post_map_request_handler(IHttpEventProvider),
    on_acquire_request_state(IHttpEventProvider),
    on_post_acquire_request_state(IHttpEventProvider),
    on_pre_execute_request_handler(IHttpEventProvider),
    on_post_pre_execute_request_handler(IHttpEventProvider),
    on_execute_request_handler(IHttpEventProvider),
    on_post_execute_request_handler(IHttpEventProvider),
    on_release_request_state(IHttpEventProvider),
    on_post_release_request_state(IHttpEventProvider),
    on_update_request_cache(IHttpEventProvider),
    on_post_update_request_cache(IHttpEventProvider),
    on_log_request(IHttpEventProvider),
    on_post_log_request(IHttpEventProvider),
    on_end_request(IHttpEventProvider),
    on_post_end_request(IHttpEventProvider),
    on_send_response(ISendResponseProvider),
    on_map_path(IMapPathProvider),
    on_read_entity(IReadEntityProvider),
    on_custom_request_notification(ICustomNotificationProvider),
);

#[test]
fn every_slot_reaches_its_trait_method() {
    let recorder = Recorder::default();
    let log = recorder.0.clone();
    let host = Host::load(|| {
        Registration::new()
            .module(recorder)
            .request(
                ALL_REQUEST
                    | RQ_SEND_RESPONSE
                    | RQ_MAP_PATH
                    | RQ_READ_ENTITY
                    | RQ_CUSTOM_NOTIFICATION,
            )
            .post_request(ALL_REQUEST)
    });
    let outcome = host.get("/", &[]);
    assert!(
        outcome.calls.iter().all(|(_, _, status)| *status == 0),
        "{:?}",
        outcome.calls
    );
    let expected: Vec<&str> = vec![
        "on_begin_request",
        "on_post_begin_request",
        "on_authenticate_request",
        "on_post_authenticate_request",
        "on_authorize_request",
        "on_post_authorize_request",
        "on_resolve_request_cache",
        "on_post_resolve_request_cache",
        "on_map_request_handler",
        "on_post_map_request_handler",
        "on_acquire_request_state",
        "on_post_acquire_request_state",
        "on_pre_execute_request_handler",
        "on_post_pre_execute_request_handler",
        "on_execute_request_handler",
        "on_post_execute_request_handler",
        "on_send_response",
        "on_release_request_state",
        "on_post_release_request_state",
        "on_update_request_cache",
        "on_post_update_request_cache",
        "on_log_request",
        "on_post_log_request",
        "on_end_request",
        "on_post_end_request",
    ];
    assert_eq!(*log.lock().unwrap(), expected);

    // The three notifications the pipeline above does not raise.
    log.lock().unwrap().clear();
    let module = host.create_module().unwrap();
    let ctx = Context::new("/", &[], None);
    for bit in [RQ_MAP_PATH, RQ_READ_ENTITY, RQ_CUSTOM_NOTIFICATION] {
        assert_eq!(
            unsafe { host.notify(module, &ctx, bit, false) },
            RQ_NOTIFICATION_CONTINUE
        );
    }
    unsafe { ((*(*module).lpVtbl).Dispose)(module) };
    assert_eq!(
        *log.lock().unwrap(),
        [
            "on_map_path",
            "on_read_entity",
            "on_custom_request_notification"
        ]
    );
    host.terminate();
}

#[derive(Clone)]
struct Silent;
impl HttpModule for Silent {}

#[test]
fn defaults_continue_like_the_header() {
    let host = Host::load(|| {
        Registration::new()
            .module(Silent)
            .request(ALL_REQUEST | RQ_SEND_RESPONSE)
            .post_request(ALL_REQUEST)
    });
    let outcome = host.get("/", &[]);
    assert_eq!(outcome.calls.len(), 25);
    assert!(
        outcome
            .calls
            .iter()
            .all(|(_, _, status)| *status == RQ_NOTIFICATION_CONTINUE.0)
    );
    // OnAsyncCompletion's default too.
    let module = host.create_module().unwrap();
    let ctx = Context::new("/", &[], None);
    let status = unsafe { host.async_completion(module, &ctx, RQ_BEGIN_REQUEST, true, 3) };
    assert_eq!(status, RQ_NOTIFICATION_CONTINUE);
    unsafe { ((*(*module).lpVtbl).Dispose)(module) };
    host.terminate();
}

/// Counts drops of modules and factories.
struct Counted {
    drops: Arc<AtomicU32>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

impl HttpModule for Counted {}

struct CountedFactory {
    made: Arc<AtomicU32>,
    module_drops: Arc<AtomicU32>,
    terminated: Arc<AtomicU32>,
    drops: Arc<AtomicU32>,
}

impl HttpModuleFactory for CountedFactory {
    type Module = Counted;
    fn create_module(&self) -> Counted {
        self.made.fetch_add(1, Ordering::SeqCst);
        Counted {
            drops: self.module_drops.clone(),
        }
    }
    fn terminate(&mut self) {
        self.terminated.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for CountedFactory {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted_factory() -> (CountedFactory, [Arc<AtomicU32>; 4]) {
    let counters: [Arc<AtomicU32>; 4] = Default::default();
    (
        CountedFactory {
            made: counters[0].clone(),
            module_drops: counters[1].clone(),
            terminated: counters[2].clone(),
            drops: counters[3].clone(),
        },
        counters,
    )
}

#[test]
fn modules_are_released_exactly_once_and_factories_at_terminate() {
    let (factory, [made, module_drops, terminated, factory_drops]) = counted_factory();
    let host = Host::load(|| {
        Registration::new()
            .factory(factory)
            .request(RQ_BEGIN_REQUEST)
    });
    for _ in 0..3 {
        host.get("/", &[]);
    }
    assert_eq!(made.load(Ordering::SeqCst), 3);
    assert_eq!(module_drops.load(Ordering::SeqCst), 3);

    // `delete` from C++: the scalar deleting destructor with flag 1 drops and frees.
    let module = host.create_module().unwrap();
    let this = unsafe { ((*(*module).lpVtbl).ScalarDeletingDestructor)(module, 1) };
    assert_eq!(this, module.cast());
    assert_eq!(module_drops.load(Ordering::SeqCst), 4);

    // Destructor without the delete flag, then Dispose: dropped once, freed once.
    let module = host.create_module().unwrap();
    unsafe { ((*(*module).lpVtbl).ScalarDeletingDestructor)(module, 0) };
    assert_eq!(module_drops.load(Ordering::SeqCst), 5);
    unsafe { ((*(*module).lpVtbl).Dispose)(module) };
    assert_eq!(module_drops.load(Ordering::SeqCst), 5);

    assert_eq!(terminated.load(Ordering::SeqCst), 0);
    assert_eq!(factory_drops.load(Ordering::SeqCst), 0);
    host.terminate();
    assert_eq!(terminated.load(Ordering::SeqCst), 1);
    assert_eq!(factory_drops.load(Ordering::SeqCst), 1);
}

#[test]
fn closures_are_factories() {
    let made = Arc::new(AtomicU32::new(0));
    let counter = made.clone();
    let host = Host::load(move || {
        Registration::new()
            .factory(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                Silent
            })
            .request(RQ_END_REQUEST)
    });
    host.get("/", &[]);
    host.get("/", &[]);
    assert_eq!(made.load(Ordering::SeqCst), 2);
    host.terminate();
}

#[test]
fn registration_records_masks_id_and_priorities() {
    let host = Host::load(|| {
        Registration::new()
            .module(Silent)
            .request(RQ_BEGIN_REQUEST | RQ_END_REQUEST)
            .post_request(RQ_MAP_REQUEST_HANDLER)
            .priority(PRIORITY_ALIAS_HIGH)
            .priority_for((RQ_SEND_RESPONSE, PRIORITY_ALIAS_LOW))
    });
    let (_, request, post) = host.factory().unwrap();
    assert_eq!(
        (request, post),
        (RQ_BEGIN_REQUEST | RQ_END_REQUEST, RQ_MAP_REQUEST_HANDLER)
    );
    assert_eq!(
        *host.info.value.request_priorities.lock().unwrap(),
        [
            (RQ_BEGIN_REQUEST, "HIGH".to_string()),
            (RQ_MAP_REQUEST_HANDLER, "HIGH".to_string()),
            (RQ_END_REQUEST, "HIGH".to_string()),
            (RQ_SEND_RESPONSE, "LOW".to_string()),
        ]
    );
    assert!(host.global().is_none());
    host.terminate();
}

#[test]
fn old_servers_and_refused_registrations_free_what_iis_did_not_take() {
    let (factory, [_, _, terminated, drops]) = counted_factory();
    let host = Host::load_with(6, false, |v, i, s| unsafe {
        register(v, i, s, || {
            Registration::new()
                .factory(factory)
                .request(RQ_BEGIN_REQUEST)
        })
    });
    assert_eq!(
        host.hr, 0x8007_0032_u32 as i32,
        "HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)"
    );
    assert!(host.factory().is_none());
    assert_eq!(
        (
            terminated.load(Ordering::SeqCst),
            drops.load(Ordering::SeqCst)
        ),
        (0, 1)
    );

    let (factory, [_, _, _, drops]) = counted_factory();
    let host = Host::load_with(7, true, |v, i, s| unsafe {
        register(v, i, s, || {
            Registration::new()
                .factory(factory)
                .request(RQ_BEGIN_REQUEST)
                .min_server_version(7)
        })
    });
    assert_eq!(host.hr, E_FAIL, "the HRESULT of SetRequestNotifications");
    assert_eq!(drops.load(Ordering::SeqCst), 1);

    // NULL arguments and a panicking registration never unwind.
    let hr = unsafe { register(10, ptr::null_mut(), fake_server(), Registration::new) };
    assert_eq!(hr, 0x8007_0057_u32 as i32);
    let host = Host::load_with(10, false, |v, i, s| unsafe {
        register(v, i, s, || panic!("registration panics"))
    });
    assert_eq!(host.hr, E_FAIL);
    assert_eq!(reported("registration panics").len(), 1);
}

/// Panics in the notification named by the request's URL.
#[derive(Clone)]
struct Panicky {
    drops: Arc<AtomicU32>,
}

impl Drop for Panicky {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

fn write_body(ctx: &IHttpContext, body: &'static [u8]) {
    unsafe {
        let ctx = ptr::from_ref(ctx).cast_mut();
        let response = ((*(*ctx).lpVtbl).GetResponse)(ctx);
        let mut chunk: windows_sys::Win32::Networking::HttpServer::HTTP_DATA_CHUNK =
            std::mem::zeroed();
        chunk.Anonymous.FromMemory.pBuffer = body.as_ptr().cast_mut().cast();
        chunk.Anonymous.FromMemory.BufferLength = body.len() as u32;
        ((*(*response).lpVtbl).WriteEntityChunkByReference)(response, &mut chunk, -1);
    }
}

fn script_name(ctx: &IHttpContext) -> String {
    unsafe {
        let ctx = ptr::from_ref(ctx).cast_mut();
        let name = ((*(*ctx).lpVtbl).GetScriptName)(ctx, ptr::null_mut());
        widestring::U16CStr::from_ptr_str(name).to_string_lossy()
    }
}

impl HttpModule for Panicky {
    fn on_begin_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        write_body(ctx, b"partial");
        if script_name(ctx) == "/panic-begin" {
            panic!("boom in begin request");
        }
        RQ_NOTIFICATION_CONTINUE
    }
    fn on_execute_request_handler(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        if script_name(ctx) == "/panic-string" {
            std::panic::panic_any(String::from("boom with a String payload"));
        }
        if script_name(ctx) == "/panic-other" {
            std::panic::panic_any(42u32);
        }
        RQ_NOTIFICATION_CONTINUE
    }
    fn on_send_response(
        &mut self,
        ctx: &IHttpContext,
        _: &ISendResponseProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        if script_name(ctx) == "/panic-send" {
            panic!("boom in send response");
        }
        RQ_NOTIFICATION_CONTINUE
    }
    fn on_end_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        if script_name(ctx) == "/panic-drop" {
            // Make this module's Drop panic as well.
            self.drops.fetch_add(1000, Ordering::SeqCst);
        }
        RQ_NOTIFICATION_CONTINUE
    }
}

struct PanicOnDrop(Panicky);
impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if self.0.drops.load(Ordering::SeqCst) >= 1000 {
            panic!("boom in drop");
        }
    }
}
impl HttpModule for PanicOnDrop {
    fn on_begin_request(
        &mut self,
        c: &IHttpContext,
        p: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.0.on_begin_request(c, p)
    }
    fn on_execute_request_handler(
        &mut self,
        c: &IHttpContext,
        p: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.0.on_execute_request_handler(c, p)
    }
    fn on_send_response(
        &mut self,
        c: &IHttpContext,
        p: &ISendResponseProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.0.on_send_response(c, p)
    }
    fn on_end_request(
        &mut self,
        c: &IHttpContext,
        p: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.0.on_end_request(c, p)
    }
}

#[test]
fn a_panic_becomes_500_and_finish_request_and_the_process_goes_on() {
    reports();
    let drops = Arc::new(AtomicU32::new(0));
    let counter = drops.clone();
    let host = Host::load(move || {
        Registration::new()
            .factory(move || {
                PanicOnDrop(Panicky {
                    drops: counter.clone(),
                })
            })
            .request(
                RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE | RQ_END_REQUEST,
            )
    });

    let ok = host.get("/fine", &[]);
    assert_eq!((ok.status, ok.body_str()), (200, "partial"));

    let outcome = host.get("/panic-begin", &[("X-Keep", "1")]);
    assert_eq!(
        (outcome.status, outcome.reason.as_str()),
        (500, "Internal Server Error")
    );
    assert_eq!(outcome.body, b"", "the partial body is cleared");
    let names: Vec<(&str, i32)> = outcome
        .calls
        .iter()
        .map(|(n, _, s)| (n.as_str(), *s))
        .collect();
    assert_eq!(
        names,
        [
            ("BeginRequest", RQ_NOTIFICATION_FINISH_REQUEST.0),
            ("SendResponse", 0),
            ("EndRequest", 0)
        ],
        "FINISH_REQUEST, then IIS still sends, logs and ends the request"
    );
    let report = reported("boom in begin request");
    assert_eq!(report.len(), 1);
    assert!(
        report[0].starts_with("httpserv: panic in CHttpModule::OnBeginRequest at "),
        "{}",
        report[0]
    );
    assert!(
        report[0].contains("module_lifecycle.rs:"),
        "location captured: {}",
        report[0]
    );

    let outcome = host.get("/panic-string", &[]);
    assert_eq!(outcome.status, 500);
    assert_eq!(
        reported("CHttpModule::OnExecuteRequestHandler")
            .iter()
            .filter(|r| r.contains("boom with a String payload"))
            .count(),
        1
    );
    let outcome = host.get("/panic-other", &[]);
    assert_eq!(outcome.status, 500);
    assert!(
        reported("Box<dyn Any>")
            .iter()
            .any(|r| r.contains("OnExecuteRequestHandler"))
    );

    // In OnSendResponse the fake reports the headers as not sent yet: still a 500.
    let outcome = host.get("/panic-send", &[]);
    assert_eq!(outcome.status, 500);
    assert_eq!(outcome.calls.last().unwrap().0, "EndRequest");

    // A panic in Drop (Dispose): reported, the memory is still freed, no unwinding into IIS.
    let outcome = host.get("/panic-drop", &[]);
    assert_eq!(outcome.status, 200);
    assert_eq!(reported("boom in drop").len(), 1);
    assert!(reported("boom in drop")[0].contains("CHttpModule::Dispose"));

    // And the module keeps serving.
    let ok = host.get("/fine", &[]);
    assert_eq!((ok.status, ok.body_str()), (200, "partial"));
    host.terminate();
}

#[test]
fn a_panicking_factory_fails_the_request_with_e_fail() {
    reports();
    let host = Host::load(|| {
        Registration::new()
            .factory(|| -> Silent { panic!("factory panics") })
            .request(RQ_BEGIN_REQUEST)
    });
    assert_eq!(host.create_module(), Err(E_FAIL));
    assert_eq!(
        reported("IHttpModuleFactory::GetHttpModule")
            .iter()
            .filter(|r| r.contains("factory panics"))
            .count(),
        1
    );
    host.terminate();
}

#[test]
fn null_arguments_from_the_host_are_refused_without_calling_the_module() {
    reports();
    let host = Host::load(|| Registration::new().module(Silent).request(RQ_BEGIN_REQUEST));
    let module = host.create_module().unwrap();
    let ctx = Context::new("/", &[], None);
    let v = unsafe { &*(*module).lpVtbl };
    let status = unsafe { (v.OnBeginRequest)(module, ctx.ptr(), ptr::null_mut()) };
    assert_eq!(status, RQ_NOTIFICATION_FINISH_REQUEST);
    assert_eq!(ctx.response().status.lock().unwrap().0, 500);
    let status = unsafe { (v.OnBeginRequest)(module, ptr::null_mut(), ptr::null_mut()) };
    assert_eq!(status, RQ_NOTIFICATION_FINISH_REQUEST);
    assert!(
        reported("NULL IHttpContext")
            .iter()
            .any(|r| r.contains("OnBeginRequest"))
    );
    unsafe { (v.Dispose)(module) };
    host.terminate();
}

/// A global module counting its notifications.
struct Global {
    calls: Arc<Mutex<Vec<&'static str>>>,
    drops: Arc<AtomicU32>,
}

impl Drop for Global {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

impl GlobalModule for Global {
    fn on_global_cache_cleanup(&self) -> GLOBAL_NOTIFICATION_STATUS {
        self.calls.lock().unwrap().push("cache_cleanup");
        GL_NOTIFICATION_HANDLED
    }
    fn on_global_health_check(&self) -> GLOBAL_NOTIFICATION_STATUS {
        panic!("global panics");
    }
    fn on_global_stop_listening(
        &self,
        _: &IGlobalStopListeningProvider,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        self.calls.lock().unwrap().push("stop_listening");
        GL_NOTIFICATION_HANDLED
    }
    fn on_suspend_process(
        &self,
        callback: &mut *mut IGlobalSuspendProcessCallback,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        assert!(callback.is_null());
        self.calls.lock().unwrap().push("suspend");
        GL_NOTIFICATION_CONTINUE
    }
    fn terminate(&mut self) {
        self.calls.lock().unwrap().push("terminate");
    }
}

struct StopProvider;
impl IHttpEventProvider_Impl for StopProvider {}
impl IGlobalStopListeningProvider_Impl for StopProvider {}
static STOP_VTBL: IGlobalStopListeningProvider_Vtbl =
    IGlobalStopListeningProvider_Vtbl::new::<StopProvider>();

#[test]
fn global_modules_dispatch_catch_panics_and_terminate_once() {
    reports();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let drops = Arc::new(AtomicU32::new(0));
    let global = Global {
        calls: calls.clone(),
        drops: drops.clone(),
    };
    let host = Host::load(|| {
        Registration::new()
            .global(global)
            .global_notifications(GL_CACHE_CLEANUP | GL_HEALTH_CHECK | GL_STOP_LISTENING)
            .global_priority(PRIORITY_ALIAS_FIRST)
    });
    assert!(host.factory().is_none());
    let (g, mask) = host.global().unwrap();
    assert_eq!(mask, GL_CACHE_CLEANUP | GL_HEALTH_CHECK | GL_STOP_LISTENING);
    assert_eq!(host.info.value.global_priorities.lock().unwrap().len(), 3);
    let v = unsafe { &*(*g).lpVtbl };
    let mut provider = RustObject {
        lpVtbl: (&raw const STOP_VTBL).cast(),
        value: StopProvider,
    };
    unsafe {
        assert_eq!((v.OnGlobalCacheCleanup)(g), GL_NOTIFICATION_HANDLED);
        assert_eq!((v.OnGlobalHealthCheck)(g), GL_NOTIFICATION_CONTINUE);
        assert_eq!(
            (v.OnGlobalStopListening)(g, (&raw mut provider).cast()),
            GL_NOTIFICATION_HANDLED
        );
        assert_eq!(
            (v.OnGlobalStopListening)(g, ptr::null_mut()),
            GL_NOTIFICATION_CONTINUE
        );
        let mut callback = ptr::null_mut();
        assert_eq!(
            (v.OnSuspendProcess)(g, &mut callback),
            GL_NOTIFICATION_CONTINUE
        );
        // The defaults of the handlers not overridden.
        assert_eq!(
            (v.OnGlobalFileChange)(g, (&raw mut provider).cast()),
            GL_NOTIFICATION_CONTINUE
        );
    }
    assert_eq!(reported("CGlobalModule::OnGlobalHealthCheck").len(), 1);
    // The NULL provider: reported, the module not called.
    let null = reported("CGlobalModule::OnGlobalStopListening");
    assert!(
        null.len() == 1 && null[0].contains("NULL provider"),
        "{null:?}"
    );
    // Concurrent calls: the global module is Sync.
    let shared = g as usize;
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(move || {
                let g = shared as *mut CGlobalModule;
                for _ in 0..100 {
                    unsafe { ((*(*g).lpVtbl).OnGlobalCacheCleanup)(g) };
                }
            });
        }
    });
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    host.terminate();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let calls = calls.lock().unwrap();
    assert_eq!(calls.iter().filter(|c| **c == "cache_cleanup").count(), 201);
    assert_eq!(calls.last(), Some(&"terminate"));
    assert!(calls.contains(&"stop_listening") && calls.contains(&"suspend"));
}

#[test]
fn module_id_and_server_are_captured() {
    let host = Host::load(|| Registration::new().module(Silent).request(RQ_BEGIN_REQUEST));
    assert_eq!(module_id(), Some(MODULE_ID));
    assert!(server().is_some());
    host.terminate();
}

/// A raw pointer moved to another thread by a test (what it points to outlives the thread, and
/// the fakes lock what the module framework touches).
struct Shared<T>(*const T);
// SAFETY: see the type's documentation.
unsafe impl<T> Send for Shared<T> {}
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Shared<T> {}
impl<T> Shared<T> {
    /// The pointer (a method, so that closures capture the whole `Shared`).
    fn get(self) -> *const T {
        self.0
    }
}

/// Records its notifications; `on_execute_request_handler` tells `started` and takes a while,
/// or (with a `call_back`) calls back into its own object first.
#[derive(Default)]
struct Slow {
    log: Arc<Mutex<Vec<String>>>,
    started: Option<std::sync::mpsc::Sender<()>>,
    call_back: Option<Box<dyn FnOnce() -> REQUEST_NOTIFICATION_STATUS + Send>>,
}

impl HttpModule for Slow {
    fn on_begin_request(
        &mut self,
        _: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.log.lock().unwrap().push("begin".into());
        RQ_NOTIFICATION_CONTINUE
    }

    fn on_execute_request_handler(
        &mut self,
        _: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.log.lock().unwrap().push("handler starts".into());
        if let Some(call_back) = self.call_back.take() {
            let status = call_back();
            self.log
                .lock()
                .unwrap()
                .push(format!("call back {}", status.0));
            return RQ_NOTIFICATION_CONTINUE;
        }
        if let Some(started) = self.started.take() {
            started.send(()).unwrap();
        }
        // The completion arrives meanwhile, on another thread.
        std::thread::sleep(std::time::Duration::from_millis(100));
        self.log
            .lock()
            .unwrap()
            .push("handler returns PENDING".into());
        RQ_NOTIFICATION_PENDING
    }

    fn on_async_completion(
        &mut self,
        _: &IHttpContext,
        _: u32,
        _: bool,
        _: &IHttpEventProvider,
        completion: &IHttpCompletionInfo,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let bytes = completion.get_completion_bytes();
        self.log.lock().unwrap().push(format!("completion {bytes}"));
        RQ_NOTIFICATION_FINISH_REQUEST
    }
}

/// IIS may deliver `OnAsyncCompletion` on another thread before the notification that returned
/// `RQ_NOTIFICATION_PENDING` has returned (the module started the operation itself, e.g. with
/// `IHttpContext3::PostCompletion`): the completion waits until the notification returned, so
/// the module is never used by two threads at once.
#[test]
fn a_completion_racing_its_notification_waits_until_the_notification_returned() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (started, wait_started) = std::sync::mpsc::channel();
    let started = Mutex::new(Some(started));
    let modules_log = log.clone();
    let host = Host::load(move || {
        Registration::new()
            .factory(move || Slow {
                log: modules_log.clone(),
                started: started.lock().unwrap().take(),
                call_back: None,
            })
            .request(RQ_EXECUTE_REQUEST_HANDLER)
    });
    let module = host.create_module().unwrap();
    let ctx = Context::new("/race", &[], None);
    let (shared_module, shared_ctx) = (Shared(module.cast_const()), Shared(&raw const ctx));
    std::thread::scope(|s| {
        let host = &host;
        let completion = s.spawn(move || {
            wait_started.recv().unwrap();
            // SAFETY: the module and the context outlive this scope.
            unsafe {
                host.async_completion(
                    shared_module.get().cast_mut(),
                    &*shared_ctx.get(),
                    RQ_EXECUTE_REQUEST_HANDLER,
                    false,
                    42,
                )
            }
        });
        let status = unsafe { host.notify(module, &ctx, RQ_EXECUTE_REQUEST_HANDLER, false) };
        assert_eq!(status, RQ_NOTIFICATION_PENDING);
        assert_eq!(completion.join().unwrap(), RQ_NOTIFICATION_FINISH_REQUEST);
    });
    assert_eq!(
        *log.lock().unwrap(),
        ["handler starts", "handler returns PENDING", "completion 42"]
    );
    unsafe { ((*(*module).lpVtbl).Dispose)(module) };
    host.terminate();
}

/// A call into a module from inside one of its own notifications on the same thread (which IIS
/// does not do) is refused: it would otherwise wait for itself forever.
#[test]
fn a_call_back_into_the_module_on_the_same_thread_is_refused() {
    reports();
    let log = Arc::new(Mutex::new(Vec::new()));
    let host = Arc::new(Mutex::new(None::<Shared<Host>>));
    let target = Arc::new(Mutex::new(None::<(Shared<CHttpModule>, Shared<Context>)>));
    let (modules_log, modules_host, modules_target) = (log.clone(), host.clone(), target.clone());
    let loaded = Host::load(move || {
        Registration::new()
            .factory(move || {
                let (host, target) = (modules_host.clone(), modules_target.clone());
                Slow {
                    log: modules_log.clone(),
                    started: None,
                    call_back: Some(Box::new(move || {
                        let host = host.lock().unwrap().unwrap();
                        let (module, ctx) = target.lock().unwrap().unwrap();
                        // SAFETY: the host, module and context outlive the notification.
                        unsafe {
                            (*host.get()).notify(
                                module.get().cast_mut(),
                                &*ctx.get(),
                                RQ_BEGIN_REQUEST,
                                false,
                            )
                        }
                    })),
                }
            })
            .request(RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER)
    });
    *host.lock().unwrap() = Some(Shared(&raw const loaded));
    let module = loaded.create_module().unwrap();
    let ctx = Context::new("/call-back", &[], None);
    *target.lock().unwrap() = Some((Shared(module.cast_const()), Shared(&raw const ctx)));
    let status = unsafe { loaded.notify(module, &ctx, RQ_EXECUTE_REQUEST_HANDLER, false) };
    assert_eq!(status, RQ_NOTIFICATION_CONTINUE);
    assert_eq!(
        *log.lock().unwrap(),
        [
            "handler starts".to_string(),
            format!("call back {}", RQ_NOTIFICATION_FINISH_REQUEST.0)
        ]
    );
    assert_eq!(ctx.response().status.lock().unwrap().0, 500);
    assert!(
        reported("again from inside one of its notifications")
            .iter()
            .any(|r| r.contains("CHttpModule::OnBeginRequest"))
    );
    // The module is usable again afterwards.
    let status = unsafe { loaded.notify(module, &ctx, RQ_BEGIN_REQUEST, false) };
    assert_eq!(status, RQ_NOTIFICATION_CONTINUE);
    assert_eq!(log.lock().unwrap().last().unwrap(), "begin");
    unsafe { ((*(*module).lpVtbl).Dispose)(module) };
    loaded.terminate();
}
