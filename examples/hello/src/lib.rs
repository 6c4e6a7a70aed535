//! Hello world: an IIS module that answers `/hello` with a fixed text body.
//!
//! For a request whose path (`IHttpContext::GetScriptName`) is `/hello` (ASCII
//! case-insensitive), `OnExecuteRequestHandler` sets status `200 OK`, the header
//! `Content-Type: text/plain; charset=utf-8` and the body [`BODY`], and returns
//! `RQ_NOTIFICATION_FINISH_REQUEST`. Every other request continues unchanged
//! (`RQ_NOTIFICATION_CONTINUE`).

use httpserv::module::HttpModule;
use httpserv::*;
use windows_sys::Win32::Networking::HttpServer::{HTTP_DATA_CHUNK, HttpDataChunkFromMemory};

/// The response body.
pub const BODY: &[u8] = b"Hello from an IIS module written in Rust!\r\n";

/// The module: no state, cloned for each request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hello;

impl HttpModule for Hello {
    fn on_execute_request_handler(
        &mut self,
        ctx: &IHttpContext,
        provider: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let is_hello = ctx
            .get_script_name()
            .is_some_and(|path| eq_ignore_ascii_case(path.as_slice(), "/hello"));
        if !is_hello {
            return RQ_NOTIFICATION_CONTINUE;
        }
        if let Err(error) = respond(ctx.get_response()) {
            provider.set_error_status(error.code());
        }
        RQ_NOTIFICATION_FINISH_REQUEST
    }
}

/// UTF-16 `path` equals ASCII `expected`, ignoring ASCII case.
fn eq_ignore_ascii_case(path: &[u16], expected: &str) -> bool {
    path.len() == expected.len()
        && path
            .iter()
            .zip(expected.bytes())
            .all(|(&c, e)| u8::try_from(c).is_ok_and(|c| c.eq_ignore_ascii_case(&e)))
}

fn respond(response: &IHttpResponse) -> httpserv::runtime::Result<()> {
    response.set_status(200, c"OK")?;
    response.set_header(c"Content-Type", b"text/plain; charset=utf-8", true)?;
    let mut chunk = HTTP_DATA_CHUNK {
        DataChunkType: HttpDataChunkFromMemory,
        ..Default::default()
    };
    chunk.Anonymous.FromMemory.pBuffer = BODY.as_ptr().cast_mut().cast();
    chunk.Anonymous.FromMemory.BufferLength = BODY.len() as u32;
    // SAFETY: the chunk is copied by IIS; the data it points to is 'static.
    unsafe { response.write_entity_chunk_by_reference(&mut chunk) }
}

httpserv::register_module!(module = Hello, request = RQ_EXECUTE_REQUEST_HANDLER);
