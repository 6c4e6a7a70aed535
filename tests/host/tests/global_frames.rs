//! The frame of a global notification under the real ABI: inside a `CGlobalModule` handler,
//! `module_id()` and `server()` name the registration of the global module IIS called (not the
//! most recent registration, and not the request module whose notification raised it), the
//! frames of the request notification around it are found again afterwards, and a panic in a
//! global handler is caught and reported with its location, IIS getting
//! `GL_NOTIFICATION_CONTINUE`. (The global path's fast path enters that frame inline in the slot
//! function: `generated/src/module/global_module.rs`.)
#![cfg(mock_iis)]

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use httpserv::module::{GlobalModule, HttpModule, Registration, module_id, server};
use httpserv::*;
use httpserv_host_tests::host::Host;
use httpserv_host_tests::module::S_OK;
use windows_sys::core::HRESULT;

/// What the handlers saw: (where, `module_id()` there, as an address).
type Seen = Arc<Mutex<Vec<(&'static str, usize)>>>;

/// `module_id()` as an address (0: none).
fn id() -> usize {
    module_id().map_or(0, |id| id as usize)
}

/// The global module: records `module_id()` in its handlers; panics in `GL_CACHE_CLEANUP`.
struct Global {
    seen: Seen,
}

impl GlobalModule for Global {
    fn on_global_pre_begin_request(
        &self,
        provider: &IPreBeginRequestProvider,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        let _ = provider.get_http_context().get_request();
        assert!(server().is_some());
        self.seen.lock().unwrap().push(("pre_begin_request", id()));
        GL_NOTIFICATION_CONTINUE
    }

    fn on_global_custom_notification(
        &self,
        _: &ICustomNotificationProvider,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        self.seen.lock().unwrap().push(("custom", id()));
        GL_NOTIFICATION_HANDLED
    }

    fn on_global_cache_cleanup(&self) -> GLOBAL_NOTIFICATION_STATUS {
        panic!("global_frames: in OnGlobalCacheCleanup");
    }
}

/// The request module of the second registration: raises the custom global notification from
/// inside its own notification.
#[derive(Clone)]
struct Requester {
    seen: Seen,
}

struct Custom;
impl IHttpEventProvider_Impl for Custom {}
impl ICustomNotificationProvider_Impl for Custom {}
static CUSTOM_VTBL: ICustomNotificationProvider_Vtbl =
    ICustomNotificationProvider_Vtbl::new::<Custom>();

impl HttpModule for Requester {
    fn on_begin_request(
        &mut self,
        _: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let record = |at| self.seen.lock().unwrap().push((at, id()));
        record("begin_request");
        let provider = RustObject {
            lpVtbl: (&raw const CUSTOM_VTBL).cast(),
            value: Custom,
        };
        // SAFETY: a live provider object with the vtable of its class.
        let provider = unsafe { &*(&raw const provider).cast::<ICustomNotificationProvider>() };
        let status = server().unwrap().notify_custom_notification(provider);
        assert_eq!(status, GL_NOTIFICATION_HANDLED);
        record("after_custom");
        RQ_NOTIFICATION_CONTINUE
    }
}

thread_local! {
    /// What the next `RegisterModule` on this thread registers.
    static NEXT: RefCell<Option<Registration>> = const { RefCell::new(None) };
}

#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn register_module(
    version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    let registration = NEXT
        .with(|n| n.borrow_mut().take())
        .expect("a registration");
    // SAFETY: the host's arguments.
    unsafe { httpserv::module::register(version, info, server, move || registration) }
}

fn register(host: &Host, name: &str, registration: Registration) -> usize {
    NEXT.with(|n| *n.borrow_mut() = Some(registration));
    assert_eq!(host.register(name, Some(register_module)), S_OK);
    // Outside any notification: the most recent registration.
    id()
}

#[test]
fn a_global_notification_runs_in_the_frame_of_its_own_registration() {
    let reports = Arc::new(Mutex::new(Vec::<String>::new()));
    let r = reports.clone();
    httpserv::module::set_panic_hook(move |report| {
        r.lock().unwrap().push(format!(
            "{} | {} | {}",
            report.method,
            report.message,
            report.location.unwrap_or("?")
        ))
    });
    let host = Host::new();
    let seen = Seen::default();
    let global = register(
        &host,
        "global",
        Registration::new()
            .global(Global { seen: seen.clone() })
            .global_notifications(GL_PRE_BEGIN_REQUEST | GL_CUSTOM_NOTIFICATION | GL_CACHE_CLEANUP),
    );
    let requester = register(
        &host,
        "requester",
        Registration::new()
            .module(Requester { seen: seen.clone() })
            .request(RQ_BEGIN_REQUEST),
    );
    assert!(global != 0 && requester != 0 && global != requester);

    let ex = host.get("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
    assert!(
        ex.trace.contains("GlobalPreBeginRequest global CONTINUE\n"),
        "{}",
        ex.trace
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("pre_begin_request", global),
            ("begin_request", requester),
            // Nested in the request module's notification, on the same thread.
            ("custom", global),
            ("after_custom", requester),
        ]
    );
    // Left: outside any notification again.
    assert_eq!(id(), requester);

    // A panic: caught, reported once with its location, CONTINUE for IIS.
    assert!(host.notify_global(GL_CACHE_CLEANUP));
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].starts_with(
            "CGlobalModule::OnGlobalCacheCleanup | global_frames: in OnGlobalCacheCleanup | "
        ) && reports[0].contains("global_frames.rs:"),
        "{reports:?}"
    );
    assert_eq!(id(), requester);
    let stats = host.shutdown();
    assert_eq!(stats.global_modules_terminated, 1);
}
