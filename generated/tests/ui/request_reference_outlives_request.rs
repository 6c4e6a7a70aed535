// A reference obtained from a request-scoped object cannot outlive the object it came from.
use httpserv::{IHttpContext, IHttpRequest};

fn keep(context: &IHttpContext) -> &'static IHttpRequest {
    context.get_request()
}

fn main() {
    let _ = keep;
}
