//! The rewrite example driven as IIS drives it, through its exported `RegisterModule`.

#[path = "../../../generated/tests/support/fake_iis.rs"]
mod fake_iis;

use fake_iis::*;
use httpserv::*;
use httpserv_rewrite::{cookie, harden_cookie};

fn host() -> Host {
    Host::load_export(Some(httpserv_rewrite::RegisterModule))
}

/// A request whose handler (played by the test) sets `Server` and `Set-Cookie`.
fn run(
    host: &Host,
    request_headers: &[(&str, &str)],
    set_cookie: Option<&str>,
) -> (Outcome, Context) {
    let ctx = Context::new("/app", request_headers, None);
    let response = ctx.response();
    response.headers.set("Server", "Microsoft-IIS/10.0", true);
    if let Some(value) = set_cookie {
        response.headers.set("Set-Cookie", value, true);
    }
    let outcome = host.run(&ctx);
    (outcome, ctx)
}

#[test]
fn registers_begin_request_and_send_response() {
    let host = host();
    assert_eq!(
        host.factory().map(|(_, r, p)| (r, p)),
        Some((RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE, 0))
    );
    host.terminate();
}

#[test]
fn rewrites_request_headers_and_carries_the_session_to_the_response() {
    let host = host();
    let (outcome, ctx) = run(
        &host,
        &[
            ("Cookie", "theme=dark; session=abc123; lang=en"),
            ("X-Internal-Debug", "1"),
            ("X-Session-Id", "forged"),
        ],
        Some("id=42; Path=/"),
    );
    let request = &ctx.request().headers;
    assert_eq!(request.get("X-Internal-Debug"), None);
    assert_eq!(request.get("X-Session-Id").as_deref(), Some("abc123"));
    assert_eq!(outcome.header("X-Powered-By"), Some("httpserv-rs"));
    assert_eq!(outcome.header("Server"), None);
    assert_eq!(
        outcome.header("Set-Cookie"),
        Some("id=42; Path=/; HttpOnly; Secure")
    );
    assert_eq!(outcome.header("X-Session-Seen"), Some("abc123"));
    assert_eq!(
        outcome.calls,
        [
            ("BeginRequest".to_string(), false, 0),
            ("SendResponse".to_string(), false, 0),
        ]
    );
    // The state was stored once and cleaned up (dropped) at the end of the request.
    assert_eq!(
        ctx.container()
            .sets
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    assert_eq!(ctx.container().len(), 0);
    host.terminate();
}

#[test]
fn without_session_or_cookie_only_the_fixed_rules_apply() {
    let host = host();
    let (outcome, ctx) = run(&host, &[("Cookie", "theme=dark")], Some("id=1; httponly"));
    assert_eq!(ctx.request().headers.get("X-Session-Id"), None);
    assert_eq!(outcome.header("X-Session-Seen"), None);
    assert_eq!(
        outcome.header("Set-Cookie"),
        Some("id=1; httponly"),
        "already HttpOnly"
    );
    assert_eq!(outcome.header("X-Powered-By"), Some("httpserv-rs"));
    assert_eq!(
        ctx.container()
            .sets
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );

    let (outcome, _) = run(&host, &[], None);
    assert_eq!(outcome.header("Set-Cookie"), None);
    assert_eq!(
        outcome.headers,
        [("X-Powered-By".to_string(), "httpserv-rs".to_string())]
    );
    host.terminate();
}

#[test]
fn cookie_parsing() {
    assert_eq!(cookie(b"session=x", b"session"), Some(&b"x"[..]));
    assert_eq!(
        cookie(b" a=1 ;  session = y ; b", b"session"),
        Some(&b"y"[..])
    );
    assert_eq!(cookie(b"mysession=z", b"session"), None);
    assert_eq!(
        harden_cookie(b"a=1"),
        Some(b"a=1; HttpOnly; Secure".to_vec())
    );
    assert_eq!(harden_cookie(b"a=1; HTTPONLY"), None);
}

#[test]
fn the_cdylib_exports_register_module_unmangled_and_nothing_else() {
    assert_eq!(cdylib_exports("httpserv_rewrite"), ["RegisterModule"]);
}
