//! The hello example driven as IIS drives it, through its exported `RegisterModule`.

#[path = "../../../generated/tests/support/fake_iis.rs"]
mod fake_iis;

use fake_iis::*;
use httpserv::*;

fn host() -> Host {
    let register: PFN_REGISTERMODULE = Some(httpserv_hello::RegisterModule);
    Host::load_export(register)
}

#[test]
fn registers_for_the_execute_handler_only() {
    let host = host();
    assert_eq!(
        host.factory().map(|(_, r, p)| (r, p)),
        Some((RQ_EXECUTE_REQUEST_HANDLER, 0))
    );
    assert!(host.global().is_none());
    host.terminate();
}

#[test]
fn answers_hello_with_the_fixed_body() {
    let host = host();
    for path in ["/hello", "/HeLLo"] {
        let outcome = host.get(path, &[]);
        assert_eq!((outcome.status, outcome.reason.as_str()), (200, "OK"));
        assert_eq!(
            outcome.header("Content-Type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(outcome.body, httpserv_hello::BODY);
        assert_eq!(
            outcome.body_str(),
            "Hello from an IIS module written in Rust!\r\n"
        );
        assert_eq!(
            outcome.calls,
            [(
                "ExecuteRequestHandler".to_string(),
                false,
                RQ_NOTIFICATION_FINISH_REQUEST.0
            )]
        );
    }
    host.terminate();
}

#[test]
fn leaves_other_urls_alone() {
    let host = host();
    for path in ["/", "/hello/", "/hello.txt", "/hell"] {
        let outcome = host.get(path, &[]);
        assert_eq!(outcome.body, b"");
        assert!(outcome.headers.is_empty());
        assert_eq!(
            outcome.calls,
            [(
                "ExecuteRequestHandler".to_string(),
                false,
                RQ_NOTIFICATION_CONTINUE.0
            )]
        );
    }
    host.terminate();
}

#[test]
fn the_cdylib_exports_register_module_unmangled_and_nothing_else() {
    assert_eq!(cdylib_exports("httpserv_hello"), ["RegisterModule"]);
}
