//! Requests through Rust modules hosted by the MSVC-ABI mock IIS, checked byte for byte.
//! The modules are written against the raw bindings (src/module.rs); the example DLLs built
//! on the module framework run in tests/examples.rs.
#![cfg(mock_iis)]

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use httpserv::*;
use httpserv_host_tests::host::{Host, SERVER_VERSION};
use httpserv_host_tests::module::{
    Counters, E_INVALID_INDEX, Event, S_OK, Spec, extended, load, memory_chunk, stored,
    stored_value, widestring_free,
};
use windows_sys::Win32::Networking::HttpServer::{
    HTTP_REQUEST_V2, HttpHeaderContentType, HttpHeaderHost, HttpHeaderUserAgent, HttpVerbPOST,
};

const GET_HELLO: &str =
    "GET /hello?name=iis HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test/1.0\r\n\r\n";

const ALL_STAGES: u32 = RQ_BEGIN_REQUEST
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

fn hello(ev: &Event) -> REQUEST_NOTIFICATION_STATUS {
    assert_eq!(
        ev.ctx
            .set_response_header("Content-Type", "text/plain", true),
        S_OK
    );
    assert_eq!(ev.ctx.write(b"Hello, world!"), S_OK);
    RQ_NOTIFICATION_FINISH_REQUEST
}

fn no_failures(counters: &Counters) {
    assert_eq!(counters.failures(), Vec::<String>::new());
}

#[test]
fn register_module_is_called_like_iis_does() {
    let host = Host::new();
    let (hr, counters) = load(
        &host,
        "hello",
        Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, hello),
    );
    assert_eq!(hr, S_OK);
    assert_eq!(
        counters.server_version.load(Ordering::SeqCst),
        SERVER_VERSION
    );
    // A module whose RegisterModule fails is not loaded (and never asked for modules).
    let (hr, failed) = load(
        &host,
        "broken",
        Spec {
            register_result: 0x8007_0005_u32 as i32,
            ..Spec::new(RQ_BEGIN_REQUEST, 0, hello)
        },
    );
    assert_eq!(hr, 0x8007_0005_u32 as i32);
    let ex = host.get(GET_HELLO);
    assert!(
        ex.response.starts_with(b"HTTP/1.1 200 OK\r\n"),
        "{}",
        ex.response_text()
    );
    assert_eq!(Counters::get(&failed.created), 0);
    let stats = host.shutdown();
    assert_eq!(stats.factories_terminated, 1);
    assert_eq!(Counters::get(&counters.factory_terminated), 1);
}

#[test]
fn hello_world_byte_for_byte() {
    let host = Host::new();
    let (_, counters) = load(
        &host,
        "hello",
        Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, hello),
    );
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!"
    );
    assert_eq!(
        ex.trace,
        "Request GET /hello?name=iis\nExecuteRequestHandler hello FINISH_REQUEST\nDispose hello\n"
    );
    // HTTP/1.0 and HEAD: status line version, no body but its length.
    let ex = host.get("HEAD /hello HTTP/1.0\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
    );
    no_failures(&counters);
    assert_eq!(Counters::get(&counters.created), 2);
    assert_eq!(Counters::get(&counters.disposed), 2);
    assert_eq!(Counters::get(&counters.dropped), 2);
}

#[test]
fn malformed_request_gets_400_without_modules() {
    let host = Host::new();
    let (_, counters) = load(&host, "hello", Spec::new(RQ_BEGIN_REQUEST, 0, hello));
    let ex = host.get("NONSENSE\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(Counters::get(&counters.created), 0);
}

#[test]
fn every_notification_in_iis_order() {
    let host = Host::new();
    let mask = ALL_STAGES | RQ_SEND_RESPONSE;
    let (_, counters) = load(
        &host,
        "all",
        Spec::new(mask, ALL_STAGES, |_| RQ_NOTIFICATION_CONTINUE),
    );
    let ex = host.get(GET_HELLO);
    let expected = "Request GET /hello?name=iis
BeginRequest all CONTINUE
PostBeginRequest all CONTINUE
AuthenticateRequest all CONTINUE
PostAuthenticateRequest all CONTINUE
AuthorizeRequest all CONTINUE
PostAuthorizeRequest all CONTINUE
ResolveRequestCache all CONTINUE
PostResolveRequestCache all CONTINUE
MapRequestHandler all CONTINUE
PostMapRequestHandler all CONTINUE
AcquireRequestState all CONTINUE
PostAcquireRequestState all CONTINUE
PreExecuteRequestHandler all CONTINUE
PostPreExecuteRequestHandler all CONTINUE
ExecuteRequestHandler all CONTINUE
PostExecuteRequestHandler all CONTINUE
ReleaseRequestState all CONTINUE
PostReleaseRequestState all CONTINUE
UpdateRequestCache all CONTINUE
PostUpdateRequestCache all CONTINUE
SendResponse all CONTINUE
LogRequest all CONTINUE
PostLogRequest all CONTINUE
EndRequest all CONTINUE
PostEndRequest all CONTINUE
Dispose all
";
    assert_eq!(ex.trace, expected);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    );
    no_failures(&counters);
}

#[test]
fn masks_priorities_and_finish_request() {
    let host = Host::new();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = |tag: &'static str, seen: &Arc<Mutex<Vec<String>>>| {
        let seen = seen.clone();
        move |ev: &Event| {
            seen.lock().unwrap().push(format!("{tag}:{}", ev.name));
            RQ_NOTIFICATION_CONTINUE
        }
    };
    let mask = RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE | RQ_END_REQUEST;
    load(
        &host,
        "a",
        Spec::new(mask, RQ_BEGIN_REQUEST, log("a", &seen)),
    );
    let mut b = Spec::new(mask, RQ_BEGIN_REQUEST, log("b", &seen));
    b.priorities = vec![(RQ_BEGIN_REQUEST, false, &widestring_free::HIGH)];
    load(&host, "b", b);
    // c finishes the request in BeginRequest: later stages are skipped, the response is still
    // sent and EndRequest still runs.
    let mut c = Spec::new(
        RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_END_REQUEST,
        0,
        |ev: &Event| {
            if ev.name == "BeginRequest" {
                ev.ctx.set_status(403, "Forbidden");
                return RQ_NOTIFICATION_FINISH_REQUEST;
            }
            RQ_NOTIFICATION_CONTINUE
        },
    );
    c.priorities = vec![(RQ_BEGIN_REQUEST, false, &widestring_free::LOW)];
    load(&host, "c", c);
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.trace,
        "Request GET /hello?name=iis
BeginRequest b CONTINUE
BeginRequest a CONTINUE
BeginRequest c FINISH_REQUEST
SendResponse b CONTINUE
SendResponse a CONTINUE
EndRequest a CONTINUE
EndRequest b CONTINUE
EndRequest c CONTINUE
Dispose a
Dispose b
Dispose c
"
    );
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn post_notification_priority_through_registration_info2() {
    let host = Host::new();
    load(
        &host,
        "a",
        Spec::new(RQ_BEGIN_REQUEST, RQ_BEGIN_REQUEST, |_| {
            RQ_NOTIFICATION_CONTINUE
        }),
    );
    let mut b = Spec::new(RQ_BEGIN_REQUEST, RQ_BEGIN_REQUEST, |_| {
        RQ_NOTIFICATION_CONTINUE
    });
    b.priorities = vec![(RQ_BEGIN_REQUEST, true, &widestring_free::FIRST)];
    load(&host, "b", b);
    let ex = host.get(GET_HELLO);
    assert!(
        ex.trace.contains(
            "BeginRequest a CONTINUE\nBeginRequest b CONTINUE\nPostBeginRequest b CONTINUE\nPostBeginRequest a CONTINUE\n"
        ),
        "{}",
        ex.trace
    );
}

#[test]
fn request_headers_server_variables_and_raw_request() {
    let host = Host::new();
    let (_, counters) = load(
        &host,
        "echo",
        Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, |ev: &Event| {
            let c = ev.ctx;
            assert_eq!(c.method(), "POST");
            assert_eq!(c.request_header("user-agent").as_deref(), Some("test/1.0"));
            assert_eq!(
                c.request_header_id(HttpHeaderUserAgent).as_deref(),
                Some("test/1.0")
            );
            assert_eq!(c.request_header("X-Missing"), None);
            assert_eq!(c.set_request_header("X-Added", "1", true), S_OK);
            assert_eq!(c.set_request_header("x-added", "2", false), S_OK);
            assert_eq!(c.request_header("X-ADDED").as_deref(), Some("1, 2"));
            assert_eq!(c.server_variable("REQUEST_METHOD").as_deref(), Ok("POST"));
            assert_eq!(c.server_variable("URL").as_deref(), Ok("/echo"));
            assert_eq!(c.server_variable("QUERY_STRING").as_deref(), Ok("a=1&b=2"));
            assert_eq!(
                c.server_variable("HTTP_USER_AGENT").as_deref(),
                Ok("test/1.0")
            );
            assert_eq!(
                c.server_variable_wide("SERVER_NAME").as_deref(),
                Ok("example.test")
            );
            assert_eq!(c.server_variable("CONTENT_LENGTH").as_deref(), Ok("11"));
            assert_eq!(c.server_variable("NO_SUCH_VARIABLE"), Err(E_INVALID_INDEX));
            assert_eq!(c.set_server_variable("MY_VAR", "v\u{e9}"), S_OK);
            assert_eq!(c.server_variable_wide("MY_VAR").as_deref(), Ok("v\u{e9}"));
            // GetRawHttpRequest: the HTTP_REQUEST_V2 windows-sys describes.
            unsafe {
                let r = c.request();
                let raw = ((*(*r).lpVtbl).GetRawHttpRequest)(r).cast::<HTTP_REQUEST_V2>();
                let base = &(*raw).Base;
                assert_eq!(base.Verb, HttpVerbPOST);
                let url = std::slice::from_raw_parts(base.pRawUrl, base.RawUrlLength as usize);
                assert_eq!(url, b"/echo?a=1&b=2");
                let host = &base.Headers.KnownHeaders[HttpHeaderHost as usize];
                assert_eq!(
                    std::slice::from_raw_parts(host.pRawValue, host.RawValueLength as usize),
                    b"example.test"
                );
                assert_eq!(base.Headers.UnknownHeaderCount, 1); // X-Added
                assert_eq!(base.BytesReceived, 11);
                let path = std::slice::from_raw_parts(
                    base.CookedUrl.pAbsPath,
                    base.CookedUrl.AbsPathLength as usize / 2,
                );
                assert_eq!(String::from_utf16_lossy(path), "/echo");
            }
            // Echo the body back.
            let body = c.read_body(4).unwrap();
            assert_eq!(
                c.set_response_header_id(HttpHeaderContentType, "application/octet-stream", true),
                S_OK
            );
            assert_eq!(c.write(&body), S_OK);
            RQ_NOTIFICATION_FINISH_REQUEST
        }),
    );
    let ex = host.get(
        "POST /echo?a=1&b=2 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: test/1.0\r\nContent-Length: 11\r\n\r\nhello body!",
    );
    no_failures(&counters);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 11\r\n\r\nhello body!"
    );
}

#[test]
fn response_headers_cookies_redirect_and_send_response_rewrite() {
    let host = Host::new();
    let (_, a) = load(
        &host,
        "rewrite",
        Spec::new(RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE, 0, |ev: &Event| {
            let c = ev.ctx;
            match ev.name {
                "BeginRequest" => {
                    // Rewrite a request header before the handler sees it.
                    c.set_request_header("X-Forwarded-Proto", "https", true);
                }
                "SendResponse" => {
                    // Rewrite the response on its way out (headers are being sent).
                    c.delete_response_header("X-Powered-By");
                    c.set_response_header("Set-Cookie", "session=abc; HttpOnly", false);
                }
                _ => unreachable!(),
            }
            RQ_NOTIFICATION_CONTINUE
        }),
    );
    let (_, b) = load(
        &host,
        "handler",
        Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, |ev: &Event| {
            let c = ev.ctx;
            assert_eq!(
                c.request_header("X-Forwarded-Proto").as_deref(),
                Some("https")
            );
            c.set_response_header("X-Powered-By", "Rust", true);
            c.set_response_header("Set-Cookie", "theme=dark", false);
            c.set_response_header("Cache-Control", "no-cache", true);
            c.set_response_header("Cache-Control", "no-store", false);
            assert_eq!(
                c.response_header("cache-control").as_deref(),
                Some("no-cache, no-store")
            );
            if c.server_variable("URL").unwrap() == "/old" {
                let r = c.response();
                let url = c"/new";
                assert_eq!(
                    unsafe { ((*(*r).lpVtbl).Redirect)(r, url.as_ptr().cast(), 1, 1) },
                    S_OK
                );
            } else {
                c.write(b"ok");
            }
            RQ_NOTIFICATION_FINISH_REQUEST
        }),
    );
    let ex = host.get("GET /page HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nSet-Cookie: theme=dark\r\nCache-Control: no-cache, no-store\r\n\
         Set-Cookie: session=abc; HttpOnly\r\nContent-Length: 2\r\n\r\nok"
    );
    let ex = host.get("GET /old?x=1 HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 302 Redirect\r\nSet-Cookie: theme=dark\r\nCache-Control: no-cache, no-store\r\n\
         Location: /new?x=1\r\nSet-Cookie: session=abc; HttpOnly\r\nContent-Length: 0\r\n\r\n"
    );
    no_failures(&a);
    no_failures(&b);
}

#[test]
fn flush_sends_headers_early_and_chunks_the_body() {
    let host = Host::new();
    let (_, counters) = load(
        &host,
        "stream",
        Spec::new(
            RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE,
            0,
            |ev: &Event| {
                let c = ev.ctx;
                if ev.name == "SendResponse" {
                    return RQ_NOTIFICATION_CONTINUE;
                }
                c.write(b"first,");
                assert_eq!(c.flush(), S_OK);
                // Headers are gone: too late to change them.
                assert!(c.set_response_header("X-Late", "1", true) < 0);
                c.write(b"second");
                unsafe {
                    let r = c.response();
                    let name = c"X-Checksum";
                    let value = b"42";
                    let r4 = r.cast::<IHttpResponse4>();
                    assert_eq!(
                        ((*(*r4).lpVtbl).SetTrailer)(
                            r4,
                            name.as_ptr().cast(),
                            value.as_ptr(),
                            2,
                            1
                        ),
                        S_OK
                    );
                }
                RQ_NOTIFICATION_FINISH_REQUEST
            },
        ),
    );
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst,\r\n6\r\nsecond\r\n0\r\nX-Checksum: 42\r\n\r\n"
    );
    assert!(
        ex.trace.contains(
            "ExecuteRequestHandler stream FINISH_REQUEST\nSendResponse stream CONTINUE\n"
        )
    );
    no_failures(&counters);
}

#[test]
fn pending_until_post_completion_from_another_thread() {
    let host = Host::new();
    let (_, counters) = load(
        &host,
        "async",
        Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, |ev: &Event| {
            match ev.completion {
                None => {
                    let ctx = ev.ctx;
                    std::thread::spawn(move || {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        ctx.write(b"done later");
                        assert_eq!(ctx.post_completion(1234), S_OK);
                    });
                    RQ_NOTIFICATION_PENDING
                }
                Some((bytes, status, op)) => {
                    assert_eq!((bytes, status, op), (1234, S_OK, 0));
                    assert_eq!(ev.notification, RQ_EXECUTE_REQUEST_HANDLER);
                    assert!(!ev.post);
                    RQ_NOTIFICATION_FINISH_REQUEST
                }
            }
        }),
    );
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ndone later"
    );
    assert_eq!(
        ex.trace,
        "Request GET /hello?name=iis\nExecuteRequestHandler async PENDING\nAsyncCompletion async FINISH_REQUEST\nDispose async\n"
    );
    no_failures(&counters);
    assert_eq!(host.stats().async_completions, 1);
}

#[test]
fn pending_until_indicate_completion() {
    let host = Host::new();
    let (_, counters) = load(
        &host,
        "indicate",
        Spec::new(
            RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER,
            0,
            |ev: &Event| {
                if ev.name == "BeginRequest" {
                    let ctx = ev.ctx;
                    std::thread::spawn(move || ctx.indicate_completion(RQ_NOTIFICATION_CONTINUE));
                    return RQ_NOTIFICATION_PENDING;
                }
                ev.ctx.write(b"resumed");
                RQ_NOTIFICATION_FINISH_REQUEST
            },
        ),
    );
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nresumed"
    );
    assert!(ex.trace.contains(
        "BeginRequest indicate PENDING\nIndicateCompletion indicate CONTINUE\nExecuteRequestHandler indicate FINISH_REQUEST\n"
    ));
    no_failures(&counters);
}

#[test]
fn asynchronous_read_entity_body_completes_in_on_async_completion() {
    let host = Host::new();
    let buffer = Arc::new(Mutex::new(vec![0u8; 64]));
    let buf = buffer.clone();
    let (_, counters) = load(
        &host,
        "reader",
        Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, move |ev: &Event| {
            let c = ev.ctx;
            match ev.completion {
                None => unsafe {
                    let r = c.request();
                    let (mut got, mut pending) = (0u32, 0);
                    let mut b = buf.lock().unwrap();
                    let hr = ((*(*r).lpVtbl).ReadEntityBody)(
                        r,
                        b.as_mut_ptr().cast(),
                        64,
                        1,
                        &mut got,
                        &mut pending,
                    );
                    assert_eq!((hr, pending), (S_OK, 1));
                    RQ_NOTIFICATION_PENDING
                },
                Some((bytes, status, op)) => {
                    assert_eq!((status, op), (S_OK, 1));
                    let b = buf.lock().unwrap();
                    c.write(&b[..bytes as usize]);
                    RQ_NOTIFICATION_FINISH_REQUEST
                }
            }
        }),
    );
    let ex = host.get("PUT /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde"
    );
    no_failures(&counters);
    drop(buffer);
}

#[test]
fn http_get_extended_interface_and_context3_post_completion() {
    let host = Host::new();
    let (_, counters) = load(
        &host,
        "ext",
        Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, |ev: &Event| {
            let c = ev.ctx;
            match ev.completion {
                None => unsafe {
                    let ctx3 = extended::<IHttpContext3>(
                        ev.server,
                        &IHttpContext::IID,
                        c.0.cast(),
                        &IHttpContext3::IID,
                    )
                    .expect("IHttpContext3");
                    let ctx4 = extended::<IHttpContext4>(
                        ev.server,
                        &IHttpContext::IID,
                        c.0.cast(),
                        &IHttpContext4::IID,
                    )
                    .expect("IHttpContext4");
                    assert!(
                        ((*(*ctx4).lpVtbl).GetRequestStartTime)(ctx4) > 116_444_736_000_000_000
                    );
                    let hr =
                        ((*(*ctx3).lpVtbl).PostCompletion)(ctx3, 7, None, core::ptr::null_mut());
                    assert_eq!(hr, S_OK);
                    RQ_NOTIFICATION_PENDING
                },
                Some((bytes, _, _)) => {
                    c.write(format!("{bytes}").as_bytes());
                    RQ_NOTIFICATION_FINISH_REQUEST
                }
            }
        }),
    );
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n7"
    );
    no_failures(&counters);
}

#[test]
fn module_contexts_are_kept_for_the_request_and_cleaned_up_once() {
    let host = Host::new();
    let mask = RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_END_REQUEST;
    let counters_slot: Arc<Mutex<Option<Arc<Counters>>>> = Arc::new(Mutex::new(None));
    let slot = counters_slot.clone();
    let (_, counters) = load(
        &host,
        "ctx",
        Spec::new(mask, 0, move |ev: &Event| {
            let counters = slot.lock().unwrap().clone().unwrap();
            let c = ev.ctx;
            match ev.name {
                "BeginRequest" => {
                    let s = stored("per-request", &counters);
                    assert_eq!(
                        unsafe { c.set_module_context(ev.module_id, s.cast()) },
                        S_OK
                    );
                    // Set once, like IIS.
                    let again = stored("again", &counters);
                    assert!(unsafe { c.set_module_context(ev.module_id, again.cast()) } < 0);
                    unsafe { ((*(*again).lpVtbl).base__.CleanupStoredContext)(again.cast()) };
                    // A connection context: NotifyDisconnect, then cleanup, when the connection ends.
                    let conn = c.connection();
                    unsafe {
                        let container = ((*(*conn).lpVtbl).GetModuleContextContainer)(conn);
                        let cs = stored("per-connection", &counters);
                        assert_eq!(
                            ((*(*container).lpVtbl).SetConnectionModuleContext)(
                                container,
                                cs,
                                ev.module_id
                            ),
                            S_OK
                        );
                    }
                }
                "ExecuteRequestHandler" => {
                    let s = unsafe { c.module_context(ev.module_id) };
                    assert!(!s.is_null());
                    let v = unsafe { stored_value(s) };
                    c.write(v.as_bytes());
                }
                "EndRequest" => {
                    assert!(
                        !unsafe { c.module_context(ev.module_id) }.is_null(),
                        "still there in EndRequest"
                    );
                    assert_eq!(Counters::get(&counters.stored_cleaned), 1); // only `again` so far
                }
                _ => unreachable!(),
            }
            RQ_NOTIFICATION_CONTINUE
        }),
    );
    *counters_slot.lock().unwrap() = Some(counters.clone());
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nper-request"
    );
    no_failures(&counters);
    assert_eq!(Counters::get(&counters.stored_cleaned), 3);
    assert_eq!(Counters::get(&counters.disconnects), 1);
    assert_eq!(host.stats().stored_contexts_cleaned, 2); // the host cleaned the two it held
    *counters_slot.lock().unwrap() = None;
}

#[test]
fn disable_notifications_for_the_rest_of_the_request() {
    let host = Host::new();
    let (_, counters) = load(
        &host,
        "once",
        Spec::new(ALL_STAGES, ALL_STAGES, |ev: &Event| {
            if ev.name == "BeginRequest" {
                ev.ctx
                    .disable_notifications(ALL_STAGES & !RQ_END_REQUEST, ALL_STAGES);
            }
            RQ_NOTIFICATION_CONTINUE
        }),
    );
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.trace,
        "Request GET /hello?name=iis\nBeginRequest once CONTINUE\nEndRequest once CONTINUE\nDispose once\n"
    );
    no_failures(&counters);
}

#[test]
fn module_allocator_memory_and_failing_factories() {
    let host = Host::new();
    let (_, pooled) = load(
        &host,
        "pooled",
        Spec {
            use_module_allocator: true,
            ..Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, hello)
        },
    );
    let ex = host.get(GET_HELLO);
    assert!(ex.response_text().ends_with("Hello, world!"));
    assert_eq!(Counters::get(&pooled.disposed), 1);
    assert_eq!(Counters::get(&pooled.dropped), 1);
    // A factory that fails: IIS answers 500 and runs no notification.
    let (_, failing) = load(
        &host,
        "failing",
        Spec {
            fail_get_module: true,
            ..Spec::new(RQ_BEGIN_REQUEST, 0, hello)
        },
    );
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
    );
    assert!(
        ex.trace.contains("GetHttpModule failing FAILED\n"),
        "{}",
        ex.trace
    );
    assert_eq!(Counters::get(&failing.created), 0);
    assert_eq!(Counters::get(&pooled.disposed), 2);
}

#[test]
fn global_module_notifications_and_terminate() {
    let host = Host::new();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s = seen.clone();
    let global_mask = GL_PRE_BEGIN_REQUEST
        | GL_APPLICATION_START
        | GL_APPLICATION_STOP
        | GL_STOP_LISTENING
        | GL_CACHE_CLEANUP
        | GL_HEALTH_CHECK
        | GL_CONFIGURATION_CHANGE;
    let (_, counters) = load(
        &host,
        "global",
        Spec {
            global: Some((
                global_mask,
                Arc::new(move |name: &'static str, provider| {
                    s.lock().unwrap().push(name.to_string());
                    if name == "GlobalPreBeginRequest" {
                        // The provider hands out the request's context.
                        let p = provider.cast::<IPreBeginRequestProvider>();
                        let ctx = unsafe { ((*(*p).lpVtbl).GetHttpContext)(p) };
                        assert!(!ctx.is_null());
                    }
                    if name == "GlobalHealthCheck" {
                        GL_NOTIFICATION_HANDLED
                    } else {
                        GL_NOTIFICATION_CONTINUE
                    }
                }),
            )),
            ..Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, hello)
        },
    );
    let ex = host.get(GET_HELLO);
    assert!(ex.trace.starts_with(
        "Request GET /hello?name=iis\nGlobalApplicationStart global CONTINUE\nGlobalPreBeginRequest global CONTINUE\n"
    ), "{}", ex.trace);
    host.get(GET_HELLO);
    assert!(host.notify_global(GL_CACHE_CLEANUP));
    assert!(!host.notify_global(GL_HEALTH_CHECK));
    assert!(host.notify_global(GL_CONFIGURATION_CHANGE));
    let stats = host.shutdown();
    assert_eq!(stats.global_modules_terminated, 1);
    assert_eq!(Counters::get(&counters.global_terminated), 1);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "GlobalApplicationStart",
            "GlobalPreBeginRequest",
            "GlobalPreBeginRequest",
            "GlobalCacheCleanup",
            "GlobalHealthCheck",
            "GlobalConfigurationChange",
            "GlobalStopListening",
            "GlobalApplicationStop",
        ]
    );
    no_failures(&counters);
}

#[test]
fn server_services_modules_use() {
    let host = Host::new();
    let (_, counters) = load(
        &host,
        "server",
        Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, |ev: &Event| unsafe {
            let s = ev.server;
            let vt = &*(*s).lpVtbl;
            let pool = (vt.GetAppPoolName)(s);
            assert_eq!(
                String::from_utf16_lossy(std::slice::from_raw_parts(pool, 14)),
                "DefaultAppPool"
            );
            assert_eq!((vt.IsCommandLineLaunch)(s), 0);
            // Fragment cache round trip, then a response built from it.
            let name = httpserv_host_tests::module::wstr("frag");
            let mut chunk = memory_chunk(b"cached!");
            assert_eq!((vt.AddFragmentToCache)(s, &mut chunk, name.as_ptr()), S_OK);
            let mut buf = [0u8; 16];
            let mut copied = 0u32;
            assert_eq!(
                (vt.ReadFragmentFromCache)(s, name.as_ptr(), buf.as_mut_ptr(), 16, &mut copied),
                S_OK
            );
            assert_eq!(&buf[..copied as usize], b"cached!");
            // A dispensed container owns its contexts until ReleaseContainer.
            let container = (vt.DispenseContainer)(s);
            let counters = COUNTERS.lock().unwrap().clone().unwrap();
            let st = stored("dispensed", &counters);
            assert_eq!(
                ((*(*container).lpVtbl).base__.SetModuleContext)(
                    container.cast(),
                    st.cast(),
                    ev.module_id
                ),
                S_OK
            );
            ((*(*container).lpVtbl).ReleaseContainer)(container);
            assert_eq!(Counters::get(&counters.stored_cleaned), 1);
            let reason = httpserv_host_tests::module::wstr("testing");
            (vt.ReportUnhealthy)(s, reason.as_ptr(), S_OK);
            let pre = httpserv_host_tests::module::wstr("integratedMode,bitness64");
            assert_eq!(
                (vt.SatisfiesPrecondition)(s, pre.as_ptr(), core::ptr::null_mut()),
                1
            );
            ev.ctx.write(&buf[..copied as usize]);
            RQ_NOTIFICATION_FINISH_REQUEST
        }),
    );
    *COUNTERS.lock().unwrap() = Some(counters.clone());
    let ex = host.get(GET_HELLO);
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ncached!"
    );
    assert_eq!(host.events(), "ReportUnhealthy: testing\n");
    no_failures(&counters);
    *COUNTERS.lock().unwrap() = None;
}

static COUNTERS: Mutex<Option<Arc<Counters>>> = Mutex::new(None);
