//! The three example modules of `examples/` run by the MSVC-ABI mock IIS exactly as IIS runs
//! a module DLL: each is built as a cdylib, `dlopen`ed, and its `RegisterModule` export (found
//! with `dlsym`) is called by the C++ host through `PFN_REGISTERMODULE` (see src/dylib.rs).
//! Responses and notification order are checked byte for byte.
#![cfg(mock_iis)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use httpserv::*;
use httpserv_host_tests::examples;
use httpserv_host_tests::host::Host;
use httpserv_host_tests::module::{Event, S_OK, Spec, load};

/// `HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)`.
const E_NOT_SUPPORTED: i32 = 0x8007_0032_u32 as i32;

const HELLO_RESPONSE: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\
     Content-Length: 43\r\n\r\nHello from an IIS module written in Rust!\r\n";

const ASYNC_RESPONSE: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\
     X-Completion-Bytes: 29\r\nContent-Length: 29\r\n\r\nHello from a worker thread!\r\n";

fn host_with(modules: &[(&str, PFN_REGISTERMODULE)]) -> Host {
    let host = Host::new();
    for (name, entry) in modules {
        assert_eq!(
            host.register(name, *entry),
            S_OK,
            "RegisterModule of {name}"
        );
    }
    host
}

#[test]
fn the_cdylibs_are_loaded_from_files_cargo_built() {
    let ex = examples!();
    for dll in [&ex.hello, &ex.rewrite, &ex.asynchronous] {
        let file = dll.path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            file,
            format!(
                "{}{}{}",
                std::env::consts::DLL_PREFIX,
                dll.package.replace('-', "_"),
                std::env::consts::DLL_SUFFIX
            ),
            "{}",
            dll.path.display()
        );
        assert!(dll.register_module.is_some());
    }
    // Three DLLs, three different RegisterModule functions.
    let entries =
        [&ex.hello, &ex.rewrite, &ex.asynchronous].map(|d| d.register_module.unwrap() as usize);
    assert!(entries[0] != entries[1] && entries[1] != entries[2] && entries[0] != entries[2]);
}

#[test]
fn hello_answers_hello_and_nothing_else() {
    let host = host_with(&[("hello", examples!().hello.register_module)]);
    let ex = host.get("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(ex.response_text(), HELLO_RESPONSE);
    assert_eq!(
        ex.trace,
        "Request GET /hello\nExecuteRequestHandler hello FINISH_REQUEST\nDispose hello\n"
    );
    // The path is GetScriptName: ASCII case-insensitive, without the query string.
    let ex = host.get("GET /HeLLo?name=iis HTTP/1.1\r\n\r\n");
    assert_eq!(ex.response_text(), HELLO_RESPONSE);
    // HEAD: the same head, no body.
    let ex = host.get("HEAD /hello HTTP/1.0\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 43\r\n\r\n"
    );
    // Anything else continues untouched (no other handler: an empty 200).
    for path in ["/hello/world", "/hell", "/", "/hello.txt"] {
        let ex = host.get(&format!("GET {path} HTTP/1.1\r\n\r\n"));
        assert_eq!(
            ex.response_text(),
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            "{path}"
        );
        assert_eq!(
            ex.trace,
            format!("Request GET {path}\nExecuteRequestHandler hello CONTINUE\nDispose hello\n")
        );
    }
    let stats = host.stats();
    assert_eq!((stats.modules_created, stats.modules_disposed), (7, 7));
    let stats = host.shutdown();
    assert_eq!(stats.factories_terminated, 1);
}

#[test]
fn register_module_checks_the_server_version_and_one_dll_can_be_loaded_twice() {
    let hello = examples!().hello.register_module;
    let host = Host::new();
    // IIS 6 is below the framework's minimum (7): not loaded, nothing registered.
    assert_eq!(host.register_version("old", hello, 6), E_NOT_SUPPORTED);
    // The same DLL under two names (two <globalModules> entries): two registrations.
    assert_eq!(host.register_version("first", hello, 7), S_OK);
    assert_eq!(host.register("second", hello), S_OK);
    let ex = host.get("GET /hello HTTP/1.1\r\n\r\n");
    assert_eq!(ex.response_text(), HELLO_RESPONSE);
    // FINISH_REQUEST from the first ends the notification: the second is not called.
    assert_eq!(
        ex.trace,
        "Request GET /hello\nExecuteRequestHandler first FINISH_REQUEST\nDispose first\nDispose second\n"
    );
    let ex = host.get("GET /x HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.trace,
        "Request GET /x\nExecuteRequestHandler first CONTINUE\nExecuteRequestHandler second CONTINUE\n\
         Dispose first\nDispose second\n"
    );
    let stats = host.shutdown();
    assert_eq!(stats.factories_terminated, 2);
    assert_eq!((stats.modules_created, stats.modules_disposed), (4, 4));
}

/// A handler behind the rewrite module: echoes the request headers the rewrite module deals
/// with, and sends `Server` and `Set-Cookie` for it to rewrite.
fn echo_handler(set_cookie: &'static str) -> Spec {
    Spec::new(RQ_EXECUTE_REQUEST_HANDLER, 0, move |ev: &Event| {
        let c = ev.ctx;
        let body = format!(
            "X-Internal-Debug: {:?}\nX-Session-Id: {:?}\n",
            c.request_header("X-Internal-Debug"),
            c.request_header("X-Session-Id")
        );
        assert_eq!(
            c.set_response_header("Content-Type", "text/plain", true),
            S_OK
        );
        assert_eq!(c.set_response_header("Server", "Mock-IIS/10.0", true), S_OK);
        if !set_cookie.is_empty() {
            assert_eq!(c.set_response_header("Set-Cookie", set_cookie, false), S_OK);
        }
        assert_eq!(c.write(body.as_bytes()), S_OK);
        RQ_NOTIFICATION_FINISH_REQUEST
    })
}

fn response(head: &str, body: &str) -> String {
    format!("{head}Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn rewrite_changes_request_and_response_headers_and_carries_the_session() {
    let host = host_with(&[("rewrite", examples!().rewrite.register_module)]);
    let (hr, handler) = load(&host, "handler", echo_handler("id=7; Path=/"));
    // (The mock IIS moves a replaced header to the end, hence Set-Cookie after X-Powered-By.)
    assert_eq!(hr, S_OK);
    let ex = host.get(
        "GET /app HTTP/1.1\r\nHost: example.test\r\nCookie: theme=dark; session=abc123\r\n\
         X-Internal-Debug: yes\r\nX-Session-Id: forged\r\n\r\n",
    );
    assert_eq!(
        ex.response_text(),
        response(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Powered-By: httpserv-rs\r\n\
             Set-Cookie: id=7; Path=/; HttpOnly; Secure\r\nX-Session-Seen: abc123\r\n",
            "X-Internal-Debug: None\nX-Session-Id: Some(\"abc123\")\n"
        )
    );
    assert_eq!(
        ex.trace,
        "Request GET /app\nBeginRequest rewrite CONTINUE\nExecuteRequestHandler handler FINISH_REQUEST\n\
         SendResponse rewrite CONTINUE\nDispose rewrite\nDispose handler\n"
    );
    // The session (RequestState) was cleaned up by the host, once.
    assert_eq!(host.stats().stored_contexts_cleaned, 1);

    // No session cookie: the client's X-Session-Id stays, only the fixed rules apply.
    let ex = host.get("GET /app HTTP/1.1\r\nCookie: session=\r\nX-Session-Id: mine\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        response(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Powered-By: httpserv-rs\r\n\
             Set-Cookie: id=7; Path=/; HttpOnly; Secure\r\n",
            "X-Internal-Debug: None\nX-Session-Id: Some(\"mine\")\n"
        )
    );
    assert_eq!(host.stats().stored_contexts_cleaned, 1);
    assert_eq!(handler.failures(), Vec::<String>::new());
    let stats = host.shutdown();
    assert_eq!((stats.modules_created, stats.modules_disposed), (4, 4));
    assert_eq!(stats.factories_terminated, 2);
}

#[test]
fn rewrite_leaves_hardened_cookies_alone() {
    let host = host_with(&[("rewrite", examples!().rewrite.register_module)]);
    load(&host, "handler", echo_handler("id=7; httponly"));
    let ex = host.get("GET / HTTP/1.1\r\nCookie: session=s1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        response(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: id=7; httponly\r\n\
             X-Powered-By: httpserv-rs\r\nX-Session-Seen: s1\r\n",
            "X-Internal-Debug: None\nX-Session-Id: Some(\"s1\")\n"
        )
    );
    // Without a handler: IIS's empty 200, still rewritten.
    let host = host_with(&[("rewrite", examples!().rewrite.register_module)]);
    let ex = host.get("GET / HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nX-Powered-By: httpserv-rs\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(
        ex.trace,
        "Request GET /\nBeginRequest rewrite CONTINUE\nSendResponse rewrite CONTINUE\nDispose rewrite\n"
    );
}

#[test]
fn async_goes_pending_and_finishes_in_on_async_completion() {
    let host = host_with(&[("async", examples!().asynchronous.register_module)]);
    let ex = host.get("GET /async HTTP/1.1\r\n\r\n");
    assert_eq!(ex.response_text(), ASYNC_RESPONSE);
    // PENDING, then the worker thread's PostCompletion(29) reaches OnAsyncCompletion, whose
    // IHttpCompletionInfo gives the 29 of X-Completion-Bytes.
    assert_eq!(
        ex.trace,
        "Request GET /async\nExecuteRequestHandler async PENDING\n\
         AsyncCompletion async FINISH_REQUEST\nDispose async\n"
    );
    assert_eq!(host.stats().async_completions, 1);
    let ex = host.get("GET /sync HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(
        ex.trace,
        "Request GET /sync\nExecuteRequestHandler async CONTINUE\nDispose async\n"
    );
    let stats = host.stats();
    assert_eq!((stats.async_completions, stats.pending_timeouts), (1, 0));
    // Terminate stops and joins the worker thread.
    let stats = host.shutdown();
    assert_eq!(stats.factories_terminated, 1);
    assert_eq!((stats.modules_created, stats.modules_disposed), (2, 2));
}

#[test]
fn async_on_two_threads() {
    const PER_THREAD: u64 = 500;
    let host = Arc::new(host_with(&[(
        "async",
        examples!().asynchronous.register_module,
    )]));
    std::thread::scope(|s| {
        for path in ["/async", "/ASYNC"] {
            let host = host.clone();
            s.spawn(move || {
                for _ in 0..PER_THREAD {
                    let ex = host.get(&format!("GET {path} HTTP/1.1\r\n\r\n"));
                    assert_eq!(ex.response_text(), ASYNC_RESPONSE);
                }
            });
        }
    });
    let host = Arc::into_inner(host).unwrap();
    let stats = host.shutdown();
    assert_eq!(stats.async_completions, 2 * PER_THREAD);
    assert_eq!(stats.modules_disposed, 2 * PER_THREAD);
    assert_eq!(stats.pending_timeouts, 0);
    assert_eq!(stats.factories_terminated, 1);
}

#[test]
fn the_three_examples_in_one_worker_process() {
    let ex = examples!();
    let host = host_with(&[
        ("rewrite", ex.rewrite.register_module),
        ("hello", ex.hello.register_module),
        ("async", ex.asynchronous.register_module),
    ]);
    // A module after them sees every request end.
    let ended = Arc::new(AtomicU64::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (e, s) = (ended.clone(), seen.clone());
    let (_, last) = load(
        &host,
        "last",
        Spec::new(RQ_END_REQUEST, 0, move |ev: &Event| {
            e.fetch_add(1, Ordering::SeqCst);
            s.lock()
                .unwrap()
                .push(ev.ctx.request_header("X-Session-Id"));
            RQ_NOTIFICATION_CONTINUE
        }),
    );
    let ex = host.get("GET /hello HTTP/1.1\r\nCookie: session=s9\r\nX-Internal-Debug: 1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nX-Powered-By: httpserv-rs\r\n\
         X-Session-Seen: s9\r\nContent-Length: 43\r\n\r\nHello from an IIS module written in Rust!\r\n"
    );
    assert_eq!(
        ex.trace,
        "Request GET /hello\nBeginRequest rewrite CONTINUE\nExecuteRequestHandler hello FINISH_REQUEST\n\
         SendResponse rewrite CONTINUE\nEndRequest last CONTINUE\n\
         Dispose rewrite\nDispose hello\nDispose async\nDispose last\n"
    );
    let ex = host.get("GET /async HTTP/1.1\r\n\r\n");
    assert_eq!(
        ex.response_text(),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nX-Completion-Bytes: 29\r\n\
         X-Powered-By: httpserv-rs\r\nContent-Length: 29\r\n\r\nHello from a worker thread!\r\n"
    );
    assert_eq!(
        ex.trace,
        "Request GET /async\nBeginRequest rewrite CONTINUE\nExecuteRequestHandler hello CONTINUE\n\
         ExecuteRequestHandler async PENDING\nAsyncCompletion async FINISH_REQUEST\n\
         SendResponse rewrite CONTINUE\nEndRequest last CONTINUE\n\
         Dispose rewrite\nDispose hello\nDispose async\nDispose last\n"
    );
    assert_eq!(ended.load(Ordering::SeqCst), 2);
    assert_eq!(
        *seen.lock().unwrap(),
        [Some("s9".to_string()), None],
        "rewrite set X-Session-Id for the modules behind it"
    );
    assert_eq!(last.failures(), Vec::<String>::new());
    let stats = host.shutdown();
    assert_eq!(stats.factories_terminated, 4);
    assert_eq!((stats.modules_created, stats.modules_disposed), (8, 8));
    assert_eq!(stats.stored_contexts_cleaned, 1);
}
