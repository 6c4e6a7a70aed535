//! The safe API in a notification handler: read a request header, set a response header,
//! and hand the request back to IIS asynchronously with `post_completion`.
//!
//! Runs only inside IIS (the module glue of `httpserv::module` calls `handle` with the request's
//! context); `main` here just documents the shape. Build: `cargo build -p httpserv --examples`.

use httpserv::runtime::Result;
use httpserv::{IHttpContext3, REQUEST_NOTIFICATION_STATUS, RQ_NOTIFICATION_PENDING};

/// Copies the `X-Request-Id` request header to the response (or `none`), then completes later.
pub fn handle(context: &IHttpContext3) -> Result<REQUEST_NOTIFICATION_STATUS> {
    // Upcasts are implicit: `IHttpContext3` derefs to `IHttpContext`.
    let request = context.get_request();
    let id = request.get_header(c"X-Request-Id").unwrap_or(b"none");
    let response = context.get_response();
    response.set_header(c"X-Request-Id", id, true)?;
    response.set_status(202, c"Accepted")?;
    // SAFETY: called from a notification of this request, which then returns PENDING; no
    // completion routine and no context, so nothing must outlive the call.
    unsafe { context.post_completion(0, None, core::ptr::null_mut()) }?;
    Ok(RQ_NOTIFICATION_PENDING)
}

fn main() {
    println!("`handle` runs inside IIS; see the `examples/` module crates for complete modules.");
    let _ = handle;
}
