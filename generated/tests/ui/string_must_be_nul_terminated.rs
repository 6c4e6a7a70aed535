// Inputs that IIS reads up to a NUL must be `&CStr`: a plain `&str` is not accepted.
use httpserv::IHttpRequest;

fn lookup(request: &IHttpRequest) {
    let _ = request.get_header("Host");
}

fn main() {
    let _ = lookup;
}
