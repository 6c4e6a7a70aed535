// The completion runs after the notification returned: its callback may not borrow locals.
use httpserv::{IHttpRequest3, RQ_NOTIFICATION_CONTINUE};

fn start(request: &IHttpRequest3) {
    let mut total = 0usize;
    let _ = request.read_entity_body_async(Vec::new(), |_, _, data| {
        total += data.len();
        RQ_NOTIFICATION_CONTINUE
    });
}

fn main() {
    let _ = start;
}
