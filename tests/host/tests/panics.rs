//! Panic safety of the module framework (`httpserv::module`, issue 4) under the real ABI: a
//! module written with the framework's traits, registered through `httpserv::module::register`
//! from a `PFN_REGISTERMODULE` function, panics in each place IIS can call it. The panic never
//! reaches the C++ host: a request notification gives a 500 and `FINISH_REQUEST`, the host
//! keeps serving (here also the `hello` example DLL next to it), and every module is created,
//! disposed and dropped exactly once.
#![cfg(mock_iis)]

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};

use httpserv::module::{CompletionHandle, GlobalModule, HttpModule, Registration};
use httpserv::*;
use httpserv_host_tests::examples;
use httpserv_host_tests::host::Host;
use httpserv_host_tests::module::S_OK;
use windows_sys::Win32::Networking::HttpServer::{HTTP_DATA_CHUNK, HttpDataChunkFromMemory};
use windows_sys::core::HRESULT;

const E_FAIL: HRESULT = 0x8000_4005_u32 as HRESULT;
const INTERNAL_ERROR: &str = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
const HELLO_RESPONSE: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\
     Content-Length: 43\r\n\r\nHello from an IIS module written in Rust!\r\n";

// ---- the panic hook: every report of this process, as "method | message | file"

static REPORTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        httpserv::module::set_panic_hook(|report| {
            let file = report
                .location
                .and_then(|l| l.split(':').next())
                .unwrap_or("?");
            REPORTS
                .lock()
                .unwrap()
                .push(format!("{} | {} | {}", report.method, report.message, file));
        })
    });
}

/// The reports whose message starts with `tag` (tests run in parallel).
fn reports(tag: &str) -> Vec<String> {
    REPORTS
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.split(" | ").nth(1).is_some_and(|m| m.starts_with(tag)))
        .cloned()
        .collect()
}

// ---- the module

/// What happened to one registration's objects.
#[derive(Default)]
struct Counts {
    tag: &'static str,
    /// GetHttpModule calls, and the modules they returned.
    calls: AtomicU64,
    created: AtomicU64,
    dropped: AtomicU64,
    ended: AtomicU64,
    global_terminated: AtomicU64,
}

/// Panics where the request path says: `/panic/begin`, `/panic/handler`, `/panic/async`
/// (in `OnAsyncCompletion`), `/panic/flushed` (after the headers were sent), `/panic/drop`
/// (in `Drop`, i.e. `Dispose`); `/ok` answers "ok"; anything else continues.
struct Boom {
    counts: Arc<Counts>,
    panic_in_drop: bool,
}

impl Drop for Boom {
    fn drop(&mut self) {
        self.counts.dropped.fetch_add(1, Ordering::SeqCst);
        if self.panic_in_drop {
            panic!("{}: in Drop", self.counts.tag);
        }
    }
}

fn path(ctx: &IHttpContext) -> String {
    ctx.get_script_name()
        .map(|p| String::from_utf16_lossy(p.as_slice()))
        .unwrap_or_default()
}

fn write(response: &IHttpResponse, body: &'static [u8]) {
    let mut chunk = HTTP_DATA_CHUNK {
        DataChunkType: HttpDataChunkFromMemory,
        ..Default::default()
    };
    chunk.Anonymous.FromMemory.pBuffer = body.as_ptr().cast_mut().cast();
    chunk.Anonymous.FromMemory.BufferLength = body.len() as u32;
    // SAFETY: one chunk of 'static data, written synchronously.
    unsafe { response.write_entity_chunks(&mut chunk, 1, false, false) }.unwrap();
}

impl HttpModule for Boom {
    fn on_begin_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        if path(ctx) == "/panic/begin" {
            panic!("{}: in OnBeginRequest", self.counts.tag);
        }
        RQ_NOTIFICATION_CONTINUE
    }

    fn on_execute_request_handler(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let response = ctx.get_response();
        match path(ctx).as_str() {
            "/ok" => {
                write(response, b"ok");
                RQ_NOTIFICATION_FINISH_REQUEST
            }
            "/panic/handler" => {
                // Half a response: the framework clears it for the 500.
                response.set_header(c"X-Half", b"1", true).unwrap();
                write(response, b"half");
                panic!("{}: in OnExecuteRequestHandler", self.counts.tag);
            }
            "/panic/async" => {
                let handle = CompletionHandle::new(ctx).unwrap();
                std::thread::spawn(move || handle.post(5).unwrap());
                RQ_NOTIFICATION_PENDING
            }
            "/panic/flushed" => {
                write(response, b"partial");
                response.flush(false, true).unwrap();
                panic!("{}: after the headers were sent", self.counts.tag);
            }
            "/panic/drop" => {
                self.panic_in_drop = true;
                write(response, b"ok");
                RQ_NOTIFICATION_FINISH_REQUEST
            }
            _ => RQ_NOTIFICATION_CONTINUE,
        }
    }

    fn on_async_completion(
        &mut self,
        _: &IHttpContext,
        _: u32,
        _: bool,
        _: &IHttpEventProvider,
        completion: &IHttpCompletionInfo,
    ) -> REQUEST_NOTIFICATION_STATUS {
        panic!(
            "{}: in OnAsyncCompletion ({} bytes)",
            self.counts.tag,
            completion.get_completion_bytes()
        );
    }

    fn on_end_request(
        &mut self,
        _: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.counts.ended.fetch_add(1, Ordering::SeqCst);
        RQ_NOTIFICATION_CONTINUE
    }
}

/// A global module that panics in `GL_CACHE_CLEANUP` and in `Terminate`.
struct GlobalBoom {
    counts: Arc<Counts>,
}

impl GlobalModule for GlobalBoom {
    fn on_global_cache_cleanup(&self) -> GLOBAL_NOTIFICATION_STATUS {
        panic!("{}: in OnGlobalCacheCleanup", self.counts.tag);
    }

    fn on_global_health_check(&self) -> GLOBAL_NOTIFICATION_STATUS {
        GL_NOTIFICATION_HANDLED
    }

    fn terminate(&mut self) {
        self.counts.global_terminated.fetch_add(1, Ordering::SeqCst);
        panic!("{}: in CGlobalModule::Terminate", self.counts.tag);
    }
}

// ---- RegisterModule

/// What the next `RegisterModule` call on this thread registers (the host calls it on the
/// registering thread; tests run in parallel, each with its own counters).
enum Plan {
    /// `Boom` from a factory closure; with `factory_panics`, every second `GetHttpModule`
    /// panics.
    Boom {
        counts: Arc<Counts>,
        factory_panics: bool,
    },
    /// The registration builder itself panics.
    PanicInRegisterModule(&'static str),
}

thread_local! {
    static PLAN: RefCell<Option<Plan>> = const { RefCell::new(None) };
}

/// A `PFN_REGISTERMODULE` built on the framework, like `register_module!` expands to (which
/// would export one unmangled `RegisterModule` per binary).
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn register_module(
    version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    let plan = PLAN.with(|p| p.borrow_mut().take()).expect("a plan");
    // SAFETY: the host's arguments.
    unsafe {
        httpserv::module::register(version, info, server, move || match plan {
            Plan::Boom {
                counts,
                factory_panics,
            } => {
                let c = counts.clone();
                Registration::new()
                    .factory(move || {
                        let n = c.calls.fetch_add(1, Ordering::SeqCst);
                        if factory_panics && n % 2 == 1 {
                            panic!("{}: in GetHttpModule", c.tag);
                        }
                        c.created.fetch_add(1, Ordering::SeqCst);
                        Boom {
                            counts: c.clone(),
                            panic_in_drop: false,
                        }
                    })
                    .request(RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_END_REQUEST)
                    .global(GlobalBoom { counts })
                    .global_notifications(GL_CACHE_CLEANUP | GL_HEALTH_CHECK)
            }
            Plan::PanicInRegisterModule(tag) => panic!("{tag}: while building the registration"),
        })
    }
}

fn register(host: &Host, name: &str, plan: Plan) -> HRESULT {
    install_hook();
    PLAN.with(|p| *p.borrow_mut() = Some(plan));
    host.register(name, Some(register_module))
}

fn boom(host: &Host, tag: &'static str, factory_panics: bool) -> Arc<Counts> {
    let counts = Arc::new(Counts {
        tag,
        ..Counts::default()
    });
    let plan = Plan::Boom {
        counts: counts.clone(),
        factory_panics,
    };
    assert_eq!(register(host, "boom", plan), S_OK);
    counts
}

const BOOM_TRACE_END: &str = "EndRequest boom CONTINUE\nDispose boom\nDispose hello\n";

#[test]
fn a_panicking_handler_gives_500_and_the_host_keeps_serving() {
    let host = Host::new();
    let counts = boom(&host, "request", false);
    assert_eq!(
        host.register("hello", examples!().hello.register_module),
        S_OK
    );

    let hello = |host: &Host| {
        let ex = host.get("GET /hello HTTP/1.1\r\n\r\n");
        assert_eq!(ex.response_text(), HELLO_RESPONSE);
        assert_eq!(
            ex.trace,
            format!(
                "Request GET /hello\nBeginRequest boom CONTINUE\nExecuteRequestHandler boom CONTINUE\n\
                 ExecuteRequestHandler hello FINISH_REQUEST\n{BOOM_TRACE_END}"
            )
        );
    };
    hello(&host);

    // In OnBeginRequest: 500, the later stages are skipped, EndRequest still runs.
    let ex = host.get("GET /panic/begin HTTP/1.1\r\n\r\n");
    assert_eq!(ex.response_text(), INTERNAL_ERROR);
    assert_eq!(
        ex.trace,
        format!("Request GET /panic/begin\nBeginRequest boom FINISH_REQUEST\n{BOOM_TRACE_END}")
    );
    hello(&host);

    // In the handler, after it set a header and wrote a body: both are cleared.
    let ex = host.get("GET /panic/handler HTTP/1.1\r\n\r\n");
    assert_eq!(ex.response_text(), INTERNAL_ERROR);
    assert_eq!(
        ex.trace,
        format!(
            "Request GET /panic/handler\nBeginRequest boom CONTINUE\n\
             ExecuteRequestHandler boom FINISH_REQUEST\n{BOOM_TRACE_END}"
        )
    );

    // In OnAsyncCompletion, after PENDING and a PostCompletion from another thread.
    let ex = host.get("GET /panic/async HTTP/1.1\r\n\r\n");
    assert_eq!(ex.response_text(), INTERNAL_ERROR);
    assert_eq!(
        ex.trace,
        format!(
            "Request GET /panic/async\nBeginRequest boom CONTINUE\nExecuteRequestHandler boom PENDING\n\
             AsyncCompletion boom FINISH_REQUEST\n{BOOM_TRACE_END}"
        )
    );

    // After the headers went out no 500 is possible: the client gets what was sent.
    let ex = host.get("GET /panic/flushed HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\npartial\r\n0\r\n\r\n"
    );
    assert_eq!(
        ex.trace,
        format!(
            "Request GET /panic/flushed\nBeginRequest boom CONTINUE\n\
             ExecuteRequestHandler boom FINISH_REQUEST\n{BOOM_TRACE_END}"
        )
    );

    // In Drop (Dispose): the response was complete; the panic is swallowed, memory freed.
    let ex = host.get("GET /panic/drop HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    );
    hello(&host);
    let ex = host.get("GET /ok HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    );

    // Global notifications: a panic gives GL_NOTIFICATION_CONTINUE.
    assert!(host.notify_global(GL_CACHE_CLEANUP));
    assert!(!host.notify_global(GL_HEALTH_CHECK)); // HANDLED: it still works

    let stats = host.stats();
    assert_eq!(stats.requests_completed, 9);
    assert_eq!((stats.modules_created, stats.modules_disposed), (18, 18));
    assert_eq!(stats.async_completions, 1);
    assert_eq!(counts.created.load(Ordering::SeqCst), 9);
    assert_eq!(counts.dropped.load(Ordering::SeqCst), 9);
    assert_eq!(counts.ended.load(Ordering::SeqCst), 9);

    // Terminate panics too (the global module is still freed: valgrind checks that).
    let stats = host.shutdown();
    assert_eq!(stats.factories_terminated, 2);
    assert_eq!(stats.global_modules_terminated, 1);
    assert_eq!(counts.global_terminated.load(Ordering::SeqCst), 1);

    // Each panic reported once, with the C++ method IIS called and this file as location.
    let file = "tests/host/tests/panics.rs";
    assert_eq!(
        reports("request:"),
        [
            format!("CHttpModule::OnBeginRequest | request: in OnBeginRequest | {file}"),
            format!(
                "CHttpModule::OnExecuteRequestHandler | request: in OnExecuteRequestHandler | {file}"
            ),
            format!(
                "CHttpModule::OnAsyncCompletion | request: in OnAsyncCompletion (5 bytes) | {file}"
            ),
            format!(
                "CHttpModule::OnExecuteRequestHandler | request: after the headers were sent | {file}"
            ),
            format!("CHttpModule::Dispose | request: in Drop | {file}"),
            format!(
                "CGlobalModule::OnGlobalCacheCleanup | request: in OnGlobalCacheCleanup | {file}"
            ),
            format!("CGlobalModule::Terminate | request: in CGlobalModule::Terminate | {file}"),
        ]
    );
}

#[test]
fn a_panicking_factory_fails_only_that_request() {
    let host = Host::new();
    let counts = boom(&host, "factory", true);
    for i in 0..6 {
        let ex = host.get("GET /ok HTTP/1.1\r\n\r\n");
        if i % 2 == 0 {
            assert_eq!(
                ex.response_text(),
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            );
        } else {
            // GetHttpModule returned E_FAIL: IIS answers 500 and runs no notification.
            assert_eq!(ex.response_text(), INTERNAL_ERROR);
            assert_eq!(ex.trace, "Request GET /ok\nGetHttpModule boom FAILED\n");
        }
    }
    assert_eq!(counts.created.load(Ordering::SeqCst), 3);
    assert_eq!(counts.dropped.load(Ordering::SeqCst), 3);
    let stats = host.shutdown();
    assert_eq!((stats.modules_created, stats.modules_disposed), (3, 3));
    let get = "IHttpModuleFactory::GetHttpModule | factory: in GetHttpModule";
    let terminate = "CGlobalModule::Terminate | factory: in CGlobalModule::Terminate";
    assert_eq!(
        reports("factory:"),
        [get, get, get, terminate].map(|r| format!("{r} | tests/host/tests/panics.rs"))
    );
}

#[test]
fn a_panicking_register_module_gives_e_fail_and_loads_nothing() {
    let host = Host::new();
    assert_eq!(
        register(&host, "broken", Plan::PanicInRegisterModule("register")),
        E_FAIL
    );
    assert_eq!(
        host.register("hello", examples!().hello.register_module),
        S_OK
    );
    let ex = host.get("GET /hello HTTP/1.1\r\n\r\n");
    assert_eq!(ex.response_text(), HELLO_RESPONSE);
    assert_eq!(
        ex.trace,
        "Request GET /hello\nExecuteRequestHandler hello FINISH_REQUEST\nDispose hello\n"
    );
    assert_eq!(
        reports("register:"),
        ["RegisterModule | register: while building the registration | tests/host/tests/panics.rs"]
    );
    assert_eq!(host.shutdown().factories_terminated, 1);
}
