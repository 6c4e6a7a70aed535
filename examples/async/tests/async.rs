//! The async example driven as IIS drives it: PENDING → PostCompletion (from the worker
//! thread) → OnAsyncCompletion → FINISH_REQUEST.

#[path = "../../../generated/tests/support/fake_iis.rs"]
mod fake_iis;

use std::sync::atomic::Ordering;

use fake_iis::*;
use httpserv::*;
use httpserv_async::BODY;

fn host() -> Host {
    Host::load_export(Some(httpserv_async::RegisterModule))
}

#[test]
fn pending_then_post_completion_then_async_completion() {
    let host = host();
    assert_eq!(
        host.factory().map(|(_, r, p)| (r, p)),
        Some((RQ_EXECUTE_REQUEST_HANDLER, 0))
    );
    let ctx = Context::new("/async", &[], None);
    let outcome = host.run(&ctx);
    assert_eq!(
        outcome.calls,
        [
            (
                "ExecuteRequestHandler".to_string(),
                false,
                RQ_NOTIFICATION_PENDING.0
            ),
            (
                "AsyncCompletion".to_string(),
                false,
                RQ_NOTIFICATION_FINISH_REQUEST.0
            ),
        ]
    );
    assert_eq!(
        ctx.data().posts.load(Ordering::Relaxed),
        1,
        "one PostCompletion"
    );
    assert_eq!((outcome.status, outcome.reason.as_str()), (200, "OK"));
    assert_eq!(
        outcome.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(outcome.header("X-Completion-Bytes"), Some("29"));
    assert_eq!(outcome.body, BODY);
    assert_eq!(outcome.body_str(), "Hello from a worker thread!\r\n");
    host.terminate();
}

#[test]
fn other_urls_continue_synchronously() {
    let host = host();
    let ctx = Context::new("/sync", &[], None);
    let outcome = host.run(&ctx);
    assert_eq!(
        outcome.calls,
        [("ExecuteRequestHandler".to_string(), false, 0)]
    );
    assert_eq!(ctx.data().posts.load(Ordering::Relaxed), 0);
    assert_eq!(outcome.body, b"");
    host.terminate();
}

#[test]
fn concurrent_requests_each_complete_once() {
    let host = host();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for i in 0..2_000 {
                    let path = if i % 2 == 0 { "/async" } else { "/ASYNC" };
                    let ctx = Context::new(path, &[], None);
                    let outcome = host.run(&ctx);
                    assert_eq!(outcome.body, BODY);
                    assert_eq!(ctx.data().posts.load(Ordering::Relaxed), 1);
                }
            });
        }
    });
    assert_eq!(host.requests_served.load(Ordering::Relaxed), 4_000);
    // Terminate stops and joins the worker thread.
    host.terminate();
}

#[test]
fn the_cdylib_exports_register_module_unmangled_and_nothing_else() {
    assert_eq!(cdylib_exports("httpserv_async"), ["RegisterModule"]);
}
