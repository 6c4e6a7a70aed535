//! Reliability of module DLLs under the real ABI: 100,000 requests on 2 threads through the
//! three example cdylibs (`dlopen`ed, entered through `RegisterModule`) and a module written
//! with the framework's traits that keeps per-request state and panics on one path. Every
//! response and every notification trace is checked byte for byte; every module is created
//! and disposed exactly once (host counters), and dropped exactly once (the framework module's
//! own counters); every stored context is cleaned up once; the host's memory is back where it
//! started. (Alone in its binary: the host's allocation counter and the panic hook are
//! process-wide.)
#![cfg(mock_iis)]

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use httpserv::module::{HttpModule, Registration, RequestState, StoredContext};
use httpserv::*;
use httpserv_host_tests::examples;
use httpserv_host_tests::host::{Host, live_allocations};
use httpserv_host_tests::module::S_OK;
use windows_sys::core::HRESULT;

/// `HOST_STRESS_EXAMPLE_REQUESTS` overrides the total (valgrind.sh runs 1,000).
fn total_requests() -> u64 {
    std::env::var("HOST_STRESS_EXAMPLE_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

#[derive(Default)]
struct Counts {
    created: AtomicU64,
    dropped: AtomicU64,
    states_dropped: AtomicU64,
}

/// Request state: the request's number, from `OnBeginRequest` to `OnExecuteRequestHandler`.
struct Number {
    n: u64,
    counts: Arc<Counts>,
}

impl StoredContext for Number {}

impl Drop for Number {
    fn drop(&mut self) {
        self.counts.states_dropped.fetch_add(1, Ordering::SeqCst);
    }
}

/// Stores the request number (`X-N`) in `OnBeginRequest`, checks it in
/// `OnExecuteRequestHandler`, and panics there for `/panic`.
struct Count {
    counts: Arc<Counts>,
}

impl Drop for Count {
    fn drop(&mut self) {
        self.counts.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

fn request_number(ctx: &IHttpContext) -> u64 {
    let header = ctx.get_request().get_header(c"X-N").expect("X-N");
    std::str::from_utf8(header).unwrap().parse().unwrap()
}

impl HttpModule for Count {
    fn on_begin_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let number = Number {
            n: request_number(ctx),
            counts: self.counts.clone(),
        };
        assert!(RequestState::set(ctx, number).is_ok());
        RQ_NOTIFICATION_CONTINUE
    }

    fn on_execute_request_handler(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let stored = RequestState::<Number>::with(ctx, |s| s.n).unwrap();
        assert_eq!(stored, Some(request_number(ctx)));
        if ctx
            .get_script_name()
            .is_some_and(|p| p.as_slice() == "/panic".encode_utf16().collect::<Vec<_>>())
        {
            panic!("stress: request {}", stored.unwrap());
        }
        RQ_NOTIFICATION_CONTINUE
    }
}

thread_local! {
    static COUNTS: RefCell<Option<Arc<Counts>>> = const { RefCell::new(None) };
}

#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn register_count(
    version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    let counts = COUNTS.with(|c| c.borrow_mut().take()).expect("counts");
    // SAFETY: the host's arguments.
    unsafe {
        httpserv::module::register(version, info, server, move || {
            Registration::new()
                .factory(move || {
                    counts.created.fetch_add(1, Ordering::SeqCst);
                    Count {
                        counts: counts.clone(),
                    }
                })
                .request(RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER)
        })
    }
}

/// Request `n`: its path, whether it carries a session cookie, and the exact response and
/// trace the worker process must produce.
fn exchange(n: u64) -> (String, String, String) {
    let path = match n % 10 {
        0 | 5 => "/async",
        2 => "/panic",
        7 => "/other",
        _ => "/hello",
    };
    let session = n % 3 == 0;
    let cookie = if session {
        format!("Cookie: theme=x; session=s{n}\r\n")
    } else {
        String::new()
    };
    let request = format!("GET {path} HTTP/1.1\r\nX-N: {n}\r\n{cookie}\r\n");
    let rewrite = format!(
        "X-Powered-By: httpserv-rs\r\n{}",
        if session {
            format!("X-Session-Seen: s{n}\r\n")
        } else {
            String::new()
        }
    );
    let text = "Content-Type: text/plain; charset=utf-8\r\n";
    let (response, handlers) = match path {
        "/hello" => (
            format!(
                "HTTP/1.1 200 OK\r\n{text}{rewrite}Content-Length: 43\r\n\r\n\
                 Hello from an IIS module written in Rust!\r\n"
            ),
            "ExecuteRequestHandler count CONTINUE\nExecuteRequestHandler hello FINISH_REQUEST\n",
        ),
        "/async" => (
            format!(
                "HTTP/1.1 200 OK\r\n{text}X-Completion-Bytes: 29\r\n{rewrite}Content-Length: 29\r\n\r\n\
                 Hello from a worker thread!\r\n"
            ),
            "ExecuteRequestHandler count CONTINUE\nExecuteRequestHandler hello CONTINUE\n\
             ExecuteRequestHandler async PENDING\nAsyncCompletion async FINISH_REQUEST\n",
        ),
        "/panic" => (
            format!("HTTP/1.1 500 Internal Server Error\r\n{rewrite}Content-Length: 0\r\n\r\n"),
            "ExecuteRequestHandler count FINISH_REQUEST\n",
        ),
        _ => (
            format!("HTTP/1.1 200 OK\r\n{rewrite}Content-Length: 0\r\n\r\n"),
            "ExecuteRequestHandler count CONTINUE\nExecuteRequestHandler hello CONTINUE\n\
             ExecuteRequestHandler async CONTINUE\n",
        ),
    };
    let trace = format!(
        "Request GET {path}\nBeginRequest rewrite CONTINUE\nBeginRequest count CONTINUE\n{handlers}\
         SendResponse rewrite CONTINUE\nDispose rewrite\nDispose count\nDispose hello\nDispose async\n"
    );
    (request, response, trace)
}

#[test]
fn example_dlls_and_a_framework_module_on_two_threads() {
    let total = total_requests() / 2 * 2;
    let ex = examples!();
    let panics = Arc::new(AtomicU64::new(0));
    let p = panics.clone();
    httpserv::module::set_panic_hook(move |report| {
        assert!(report.message.starts_with("stress: request "));
        p.fetch_add(1, Ordering::SeqCst);
    });
    let baseline = live_allocations();
    let host = Arc::new(Host::new());
    let counts = Arc::new(Counts::default());
    assert_eq!(host.register("rewrite", ex.rewrite.register_module), S_OK);
    COUNTS.with(|c| *c.borrow_mut() = Some(counts.clone()));
    assert_eq!(host.register("count", Some(register_count)), S_OK);
    assert_eq!(host.register("hello", ex.hello.register_module), S_OK);
    assert_eq!(
        host.register("async", ex.asynchronous.register_module),
        S_OK
    );

    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..2u64 {
            let host = host.clone();
            s.spawn(move || {
                for i in 0..total / 2 {
                    let n = i * 2 + t;
                    let (request, response, trace) = exchange(n);
                    let got = host.get(&request);
                    assert_eq!(got.response_text(), response, "request {n}");
                    assert_eq!(got.trace, trace, "request {n}");
                }
            });
        }
    });
    let elapsed = start.elapsed();
    eprintln!(
        "stress (example DLLs): {total} requests on 2 threads in {:.2?} ({:.0} requests/s)",
        elapsed,
        total as f64 / elapsed.as_secs_f64()
    );

    let count = |f: fn(u64) -> bool| (0..total).filter(|&n| f(n)).count() as u64;
    let asynchronous = count(|n| n % 10 == 0 || n % 10 == 5);
    let panicked = count(|n| n % 10 == 2);
    let sessions = count(|n| n % 3 == 0);
    let stats = host.stats();
    assert_eq!(stats.requests_started, total);
    assert_eq!(stats.requests_completed, total);
    assert_eq!(stats.modules_created, 4 * total);
    assert_eq!(stats.modules_disposed, 4 * total);
    assert_eq!(stats.async_completions, asynchronous);
    assert_eq!(stats.pending_timeouts, 0);
    // The session of rewrite (RequestState) and the number of count, each cleaned up once.
    assert_eq!(stats.stored_contexts_cleaned, sessions + total);
    assert_eq!(counts.created.load(Ordering::SeqCst), total);
    assert_eq!(counts.dropped.load(Ordering::SeqCst), total);
    assert_eq!(counts.states_dropped.load(Ordering::SeqCst), total);
    assert_eq!(panics.load(Ordering::SeqCst), panicked);

    let host = Arc::into_inner(host).expect("threads are done");
    let stats = host.shutdown();
    assert_eq!(stats.factories_terminated, 4);
    assert_eq!(live_allocations(), baseline, "the host leaked");
}
