// Strings IIS returns borrow from the object that returned them.
use httpserv::IHttpRequest;

fn host(request_owner: Box<IHttpRequest>) -> Option<&'static [u8]> {
    let value = request_owner.get_header(c"Host");
    drop(request_owner);
    value
}

fn main() {
    let _ = host;
}
