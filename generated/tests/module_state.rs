//! Per-request, per-connection and named state: set in one notification, read in a later
//! one, cleaned up exactly once when IIS cleans the container up.

#[path = "support/fake_iis.rs"]
mod fake_iis;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use fake_iis::*;
use httpserv::module::*;
use httpserv::*;
use widestring::u16cstr;

/// Request state that counts its drops.
struct Timing {
    stage: &'static str,
    seen: u32,
    drops: Arc<AtomicU32>,
}

impl StoredContext for Timing {}

impl Drop for Timing {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

struct Other;
impl StoredContext for Other {}

#[derive(Clone)]
struct Stateful {
    drops: Arc<AtomicU32>,
    log: Arc<Mutex<Vec<String>>>,
}

impl HttpModule for Stateful {
    fn on_begin_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        assert!(!RequestState::<Timing>::exists(ctx));
        let timing = Timing {
            stage: "begin",
            seen: 0,
            drops: self.drops.clone(),
        };
        RequestState::set(ctx, timing).unwrap();
        // A second value for the same slot is refused (and dropped at once).
        let again = Timing {
            stage: "again",
            seen: 0,
            drops: self.drops.clone(),
        };
        let refused = RequestState::set(ctx, again);
        assert_eq!(refused, Err(StateError::Rejected(E_ALREADY_ASSIGNED)));
        // Another type in the same slot is reported, not transmuted.
        assert_eq!(
            RequestState::<Other>::with(ctx, |_| ()),
            Err(StateError::WrongType)
        );
        RQ_NOTIFICATION_CONTINUE
    }

    fn on_execute_request_handler(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let seen = RequestState::<Timing>::with(ctx, |t| {
            t.seen += 1;
            t.stage = "execute";
            t.seen
        });
        assert_eq!(seen, Ok(Some(1)));
        RQ_NOTIFICATION_CONTINUE
    }

    fn on_end_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let read = RequestState::<Timing>::with(ctx, |t| format!("{} {}", t.stage, t.seen));
        self.log.lock().unwrap().push(read.unwrap().unwrap());
        RQ_NOTIFICATION_CONTINUE
    }
}

#[test]
fn request_state_lives_from_one_notification_to_the_next_and_is_dropped_once() {
    let drops = Arc::new(AtomicU32::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let module = Stateful {
        drops: drops.clone(),
        log: log.clone(),
    };
    let host = Host::load(|| {
        Registration::new()
            .module(module)
            .request(RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_END_REQUEST)
    });
    let ctx = Context::new("/", &[], None);
    let outcome = host.run(&ctx);
    assert!(
        outcome.calls.iter().all(|c| c.2 == 0),
        "{:?}",
        outcome.calls
    );
    assert_eq!(*log.lock().unwrap(), ["execute 1"]);
    // The refused second value was dropped at once; the stored one at cleanup, once.
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    assert_eq!(ctx.container().sets.load(Ordering::SeqCst), 1);
    assert_eq!(ctx.container().len(), 0);

    for _ in 0..10 {
        host.get("/", &[]);
    }
    assert_eq!(drops.load(Ordering::SeqCst), 22);
    host.terminate();
}

/// Counts the requests of a connection; told about the disconnect.
struct PerConnection {
    requests: u32,
    events: Arc<Mutex<Vec<String>>>,
}

impl StoredContext for PerConnection {
    fn on_disconnect(&mut self) {
        self.events
            .lock()
            .unwrap()
            .push(format!("disconnect after {}", self.requests));
    }
}

impl Drop for PerConnection {
    fn drop(&mut self) {
        self.events.lock().unwrap().push("dropped".into());
    }
}

#[derive(Clone)]
struct ConnectionCounter(Arc<Mutex<Vec<String>>>);

impl HttpModule for ConnectionCounter {
    fn on_begin_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let events = self.0.clone();
        let n = ConnectionState::get_or_insert_with(
            ctx,
            || PerConnection {
                requests: 0,
                events,
            },
            |c| {
                c.requests += 1;
                c.requests
            },
        );
        let event = match n {
            Ok(n) => format!("request {n}"),
            Err(error) => format!("error: {error}"),
        };
        self.0.lock().unwrap().push(event);
        RQ_NOTIFICATION_CONTINUE
    }
}

#[test]
fn connection_state_spans_requests_and_hears_the_disconnect() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let module = ConnectionCounter(events.clone());
    let host = Host::load(|| Registration::new().module(module).request(RQ_BEGIN_REQUEST));
    let connection = Connection::new();
    for _ in 0..3 {
        host.run(&Context::new("/", &[], Some(&connection)));
    }
    assert_eq!(connection.container().len(), 1, "kept across requests");
    connection.close();
    assert_eq!(
        *events.lock().unwrap(),
        [
            "request 1",
            "request 2",
            "request 3",
            "disconnect after 3",
            "dropped"
        ]
    );
    // Without a connection object IIS would return NULL: reported, not a crash.
    let ctx = Context::new("/", &[], None);
    let outcome = host.run(&ctx);
    assert_eq!(outcome.calls[0].2, 0);
    assert_eq!(
        events.lock().unwrap().last().unwrap(),
        "error: IIS provided no context container"
    );
    host.terminate();
}

/// A stored context of another module (a C++ object as far as we know): not ours.
struct Foreign;
impl IHttpStoredContext_Impl for Foreign {
    unsafe fn CleanupStoredContext(_this: *mut RustObject<Self>) {}
}
static FOREIGN_VTBL: IHttpStoredContext_Vtbl = IHttpStoredContext_Vtbl::new::<Foreign>();

#[derive(Clone)]
struct NamedUser(Arc<Mutex<Vec<String>>>);

struct Shared(&'static str);
impl StoredContext for Shared {}

impl HttpModule for NamedUser {
    fn on_begin_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        NamedState::set(ctx, u16cstr!("greeting"), Shared("hello")).unwrap();
        assert_eq!(
            NamedState::<Shared>::with(ctx, u16cstr!("foreign"), |_| ()),
            Err(StateError::WrongType)
        );
        RQ_NOTIFICATION_CONTINUE
    }
    fn on_end_request(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let value = NamedState::<Shared>::with(ctx, u16cstr!("greeting"), |s| s.0)
            .unwrap()
            .unwrap();
        let missing = NamedState::<Shared>::with(ctx, u16cstr!("nothing"), |s| s.0).unwrap();
        self.0.lock().unwrap().push(format!("{value} {missing:?}"));
        RQ_NOTIFICATION_CONTINUE
    }
}

#[test]
fn named_state_is_shared_by_name_and_other_modules_objects_are_not_touched() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let module = NamedUser(log.clone());
    let host = Host::load(|| {
        Registration::new()
            .module(module)
            .request(RQ_BEGIN_REQUEST | RQ_END_REQUEST)
    });
    let ctx = Context::new("/", &[], None);
    let mut foreign = Box::new(RustObject {
        lpVtbl: (&raw const FOREIGN_VTBL).cast(),
        value: Foreign,
    });
    ctx.named()
        .slots
        .lock()
        .unwrap()
        .push(("foreign".into(), (&raw mut *foreign) as usize));
    let outcome = host.run(&ctx);
    assert!(
        outcome.calls.iter().all(|c| c.2 == 0),
        "{:?}",
        outcome.calls
    );
    assert_eq!(*log.lock().unwrap(), ["hello None"]);
    drop(foreign);
    host.terminate();
}

#[test]
fn state_errors_are_typed() {
    assert_eq!(
        StateError::WrongType.to_string(),
        "the stored context has another type"
    );
    assert_eq!(
        StateError::Rejected(E_ALREADY_ASSIGNED).to_string(),
        "IIS refused the stored context (HRESULT 0x80070055)"
    );
}
