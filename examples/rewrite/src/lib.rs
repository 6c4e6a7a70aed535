//! Header and cookie rewriting: an IIS module using `OnBeginRequest` and `OnSendResponse`,
//! with per-request state carried from the first to the second.
//!
//! `OnBeginRequest` (request side):
//! - removes the request header `X-Internal-Debug` (clients must not set it);
//! - if the `Cookie` header has a `session=<id>` cookie, sets the request header
//!   `X-Session-Id: <id>` (replacing any value the client sent) for the handlers behind this
//!   module, and remembers `<id>` in the request's state ([`Session`]).
//!
//! `OnSendResponse` (response side; IIS may call it more than once, every rule is idempotent):
//! - sets `X-Powered-By: httpserv-rs` (replacing) and removes `Server`;
//! - appends `; HttpOnly; Secure` to a `Set-Cookie` header that has no `HttpOnly` attribute
//!   (case-insensitive);
//! - if [`Session`] was stored, sets `X-Session-Seen: <id>`.
//!
//! Both return `RQ_NOTIFICATION_CONTINUE`.

use httpserv::module::{HttpModule, RequestState, StoredContext};
use httpserv::*;

/// The session id found in the request's cookies, kept from `OnBeginRequest` to
/// `OnSendResponse` in the request's module context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session(pub Vec<u8>);

impl StoredContext for Session {}

/// The module: no state of its own, cloned for each request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rewrite;

/// The value of the cookie `name` in a `Cookie` header (`a=1; name=value; b=2`).
pub fn cookie<'a>(header: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    header.split(|&b| b == b';').find_map(|pair| {
        let pair = pair.trim_ascii();
        let eq = pair.iter().position(|&b| b == b'=')?;
        (pair[..eq].trim_ascii() == name).then(|| pair[eq + 1..].trim_ascii())
    })
}

/// `Set-Cookie` value with `; HttpOnly; Secure` appended unless it has `HttpOnly` already.
pub fn harden_cookie(value: &[u8]) -> Option<Vec<u8>> {
    let has_http_only = value
        .split(|&b| b == b';')
        .any(|attribute| attribute.trim_ascii().eq_ignore_ascii_case(b"HttpOnly"));
    (!has_http_only).then(|| [value, b"; HttpOnly; Secure"].concat())
}

/// Deletes a header only when it is there (IIS may report deleting a missing header as an
/// error).
fn delete_if_present(
    value: Option<&[u8]>,
    delete: impl FnOnce() -> httpserv::runtime::Result<()>,
) -> httpserv::runtime::Result<()> {
    match value {
        Some(_) => delete(),
        None => Ok(()),
    }
}

impl HttpModule for Rewrite {
    fn on_begin_request(
        &mut self,
        ctx: &IHttpContext,
        provider: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let request = ctx.get_request();
        let session = request
            .get_header(c"Cookie")
            .and_then(|header| cookie(header, b"session"))
            .filter(|id| !id.is_empty())
            .map(<[u8]>::to_vec);
        let result = delete_if_present(request.get_header(c"X-Internal-Debug"), || {
            request.delete_header(c"X-Internal-Debug")
        })
        .and_then(|()| match &session {
            Some(id) => request.set_header(c"X-Session-Id", id, true),
            None => Ok(()),
        });
        if let Err(error) = result {
            provider.set_error_status(error.code());
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
        if let Some(id) = session {
            // Only fails if IIS has no container for the request: the rewrite still applies.
            let _ = RequestState::set(ctx, Session(id));
        }
        RQ_NOTIFICATION_CONTINUE
    }

    fn on_send_response(
        &mut self,
        ctx: &IHttpContext,
        provider: &ISendResponseProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let response = ctx.get_response();
        let session = RequestState::<Session>::with(ctx, |s| s.0.clone())
            .ok()
            .flatten();
        let hardened = response.get_header(c"Set-Cookie").and_then(harden_cookie);
        let result = response
            .set_header(c"X-Powered-By", b"httpserv-rs", true)
            .and_then(|()| {
                delete_if_present(response.get_header(c"Server"), || {
                    response.delete_header(c"Server")
                })
            })
            .and_then(|()| match &hardened {
                Some(value) => response.set_header(c"Set-Cookie", value, true),
                None => Ok(()),
            })
            .and_then(|()| match &session {
                Some(id) => response.set_header(c"X-Session-Seen", id, true),
                None => Ok(()),
            });
        if let Err(error) = result {
            provider.set_error_status(error.code());
        }
        RQ_NOTIFICATION_CONTINUE
    }
}

httpserv::register_module!(
    module = Rewrite,
    request = RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE
);
