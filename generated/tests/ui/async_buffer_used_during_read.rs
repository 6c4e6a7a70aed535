// The buffer of an asynchronous read belongs to the operation until it completes: the caller
// cannot keep using it.
use httpserv::{IHttpRequest3, RQ_NOTIFICATION_CONTINUE};

fn start(request: &IHttpRequest3) {
    let buffer = Vec::with_capacity(4096);
    let _ = request.read_entity_body_async(buffer, |_, _, _| RQ_NOTIFICATION_CONTINUE);
    let _ = buffer.len();
}

fn main() {
    let _ = start;
}
