//! Reliability under the real ABI: 100,000 requests on 2 threads through one host, every
//! module instance created, disposed and dropped exactly once, every stored context cleaned
//! up once, and the host's memory back where it started. (Alone in its binary, so the
//! allocation counters see no other test.)
#![cfg(mock_iis)]

use std::sync::Arc;
use std::time::Instant;

use httpserv::*;
use httpserv_host_tests::host::{Host, live_allocations};
use httpserv_host_tests::module::{Counters, Event, S_OK, Spec, load, stored};

/// Requests per thread; `HOST_STRESS_REQUESTS` overrides the total (e.g. under valgrind).
fn total_requests() -> u64 {
    std::env::var("HOST_STRESS_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

#[test]
fn requests_on_two_threads_dispose_every_module_exactly_once() {
    let total = total_requests();
    let baseline = live_allocations();
    let host = Arc::new(Host::new());
    let slot: Arc<std::sync::OnceLock<Arc<Counters>>> = Arc::new(std::sync::OnceLock::new());
    let s = slot.clone();
    let mask = RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_END_REQUEST;
    let (hr, counters) = load(
        &host,
        "stress",
        Spec::new(mask, RQ_BEGIN_REQUEST, move |ev: &Event| {
            let c = ev.ctx;
            match (ev.name, ev.completion) {
                ("BeginRequest", _) => {
                    let counters = s.get().unwrap();
                    let state = stored("state", counters).cast();
                    assert_eq!(unsafe { c.set_module_context(ev.module_id, state) }, S_OK);
                    RQ_NOTIFICATION_CONTINUE
                }
                ("PostBeginRequest", _) | ("EndRequest", _) => RQ_NOTIFICATION_CONTINUE,
                // Requests whose number ends in 0 go through PENDING + PostCompletion.
                ("ExecuteRequestHandler", None)
                    if c.request_header("X-N").unwrap().ends_with('0') =>
                {
                    assert_eq!(c.post_completion(3), S_OK);
                    RQ_NOTIFICATION_PENDING
                }
                ("ExecuteRequestHandler", _) | ("AsyncCompletion", _) => {
                    let n = c.request_header("X-N").unwrap();
                    c.set_response_header("Content-Type", "text/plain", true);
                    c.write(format!("request {n}").as_bytes());
                    RQ_NOTIFICATION_FINISH_REQUEST
                }
                (other, _) => panic!("unexpected {other}"),
            }
        }),
    );
    assert_eq!(hr, S_OK);
    slot.set(counters.clone()).ok();
    // A second module on every request, allocated from request memory.
    let (_, pooled) = load(
        &host,
        "pooled",
        Spec {
            use_module_allocator: true,
            ..Spec::new(RQ_BEGIN_REQUEST, 0, |_| RQ_NOTIFICATION_CONTINUE)
        },
    );

    let start = Instant::now();
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            let host = host.clone();
            std::thread::spawn(move || {
                for i in 0..total / 2 {
                    let n = t * 1_000_000 + i * 2;
                    let ex = host.get(&format!("GET /s HTTP/1.1\r\nX-N: {n}\r\n\r\n"));
                    let body = format!("request {n}");
                    let want = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    assert_eq!(ex.response, want.as_bytes());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = start.elapsed();
    eprintln!(
        "stress: {total} requests on 2 threads in {:.2?} ({:.0} requests/s)",
        elapsed,
        total as f64 / elapsed.as_secs_f64()
    );

    assert_eq!(counters.failures(), Vec::<String>::new());
    let stats = host.stats();
    assert_eq!(stats.requests_started, total);
    assert_eq!(stats.requests_completed, total);
    assert_eq!(stats.modules_created, 2 * total);
    assert_eq!(stats.modules_disposed, 2 * total);
    assert_eq!(stats.stored_contexts_cleaned, total);
    // Request numbers are even, so one in five ends in 0 and goes through PENDING.
    assert_eq!(stats.async_completions, 2 * (total / 2).div_ceil(5));
    assert_eq!(stats.pending_timeouts, 0);
    for c in [&counters, &pooled] {
        assert_eq!(Counters::get(&c.created), total);
        assert_eq!(Counters::get(&c.disposed), total);
        assert_eq!(Counters::get(&c.dropped), total);
    }
    assert_eq!(Counters::get(&counters.stored_cleaned), total);

    let host = Arc::into_inner(host).expect("threads are done");
    let final_stats = host.shutdown();
    assert_eq!(final_stats.factories_terminated, 2);
    assert_eq!(live_allocations(), baseline, "the host leaked");
}
