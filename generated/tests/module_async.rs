//! `CompletionHandle`: RQ_NOTIFICATION_PENDING → IHttpContext3::PostCompletion →
//! OnAsyncCompletion, including the misuses it makes harmless.

#[path = "support/fake_iis.rs"]
mod fake_iis;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_iis::*;
use httpserv::module::*;
use httpserv::*;

const E_INVALID_STATE: i32 = 0x8007_139F_u32 as i32;
const E_INVALIDARG: i32 = 0x8007_0057_u32 as i32;

fn path(ctx: &IHttpContext) -> String {
    ctx.get_script_name()
        .map(|p| p.to_string_lossy())
        .unwrap_or_default()
}

#[derive(Clone, Default)]
struct Async {
    log: Arc<Mutex<Vec<String>>>,
    kept: Arc<Mutex<Option<CompletionHandle>>>,
    other: Arc<Mutex<usize>>,
    rounds: u32,
}

impl Async {
    fn log(&self, entry: impl Into<String>) {
        self.log.lock().unwrap().push(entry.into());
    }
}

impl HttpModule for Async {
    fn on_execute_request_handler(
        &mut self,
        ctx: &IHttpContext,
        _: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let handle = CompletionHandle::new(ctx).unwrap();
        match path(ctx).as_str() {
            "/worker" | "/again" => {
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(5));
                    handle.post(7).unwrap();
                });
                RQ_NOTIFICATION_PENDING
            }
            "/race" => {
                let log = self.log.clone();
                let worker = std::thread::spawn(move || {
                    handle.post(9).unwrap();
                    log.lock().unwrap().push("posted".into());
                });
                worker.join().unwrap();
                // The completion was requested before this notification returned: deferred.
                std::thread::sleep(Duration::from_millis(20));
                self.log("returning PENDING");
                RQ_NOTIFICATION_PENDING
            }
            "/early" => {
                handle.post(3).unwrap();
                RQ_NOTIFICATION_PENDING
            }
            "/dropped" => {
                drop(handle);
                RQ_NOTIFICATION_PENDING
            }
            "/not-pending" => {
                *self.kept.lock().unwrap() = Some(handle);
                RQ_NOTIFICATION_CONTINUE
            }
            "/twice" => {
                assert_eq!(CompletionHandle::new(ctx).err(), Some(E_INVALID_STATE));
                let other = *self.other.lock().unwrap() as *const IHttpContext;
                assert_eq!(
                    CompletionHandle::new(unsafe { &*other }).err(),
                    Some(E_INVALIDARG)
                );
                handle.post(1).unwrap();
                RQ_NOTIFICATION_PENDING
            }
            "/panic" => {
                *self.kept.lock().unwrap() = Some(handle);
                panic!("panics after taking a completion handle");
            }
            other => panic!("unexpected {other}"),
        }
    }

    fn on_async_completion(
        &mut self,
        ctx: &IHttpContext,
        notification: u32,
        post: bool,
        _: &IHttpEventProvider,
        completion: &IHttpCompletionInfo,
    ) -> REQUEST_NOTIFICATION_STATUS {
        assert_eq!((notification, post), (RQ_EXECUTE_REQUEST_HANDLER, false));
        assert_eq!(completion.get_completion_status(), Ok(()));
        self.log(format!("completion {}", completion.get_completion_bytes()));
        self.rounds += 1;
        if path(ctx) == "/again" && self.rounds == 1 {
            let handle = CompletionHandle::new(ctx).unwrap();
            std::thread::spawn(move || handle.post(8).unwrap());
            return RQ_NOTIFICATION_PENDING;
        }
        RQ_NOTIFICATION_FINISH_REQUEST
    }
}

fn setup() -> (Host, Async) {
    let module = Async::default();
    let clone = module.clone();
    let host = Host::load(|| {
        Registration::new()
            .module(clone)
            .request(RQ_EXECUTE_REQUEST_HANDLER)
    });
    (host, module)
}

fn statuses(outcome: &Outcome) -> Vec<(&str, i32)> {
    outcome
        .calls
        .iter()
        .map(|(n, _, s)| (n.as_str(), *s))
        .collect()
}

#[test]
fn posted_from_a_worker_thread() {
    let (host, module) = setup();
    let ctx = Context::new("/worker", &[], None);
    let outcome = host.run(&ctx);
    assert_eq!(
        statuses(&outcome),
        [("ExecuteRequestHandler", 1), ("AsyncCompletion", 2)]
    );
    assert_eq!(*module.log.lock().unwrap(), ["completion 7"]);
    assert_eq!(ctx.data().posts.load(Ordering::SeqCst), 1);
    host.terminate();
}

#[test]
fn pending_again_from_the_completion() {
    let (host, module) = setup();
    let ctx = Context::new("/again", &[], None);
    let outcome = host.run(&ctx);
    assert_eq!(
        statuses(&outcome),
        [
            ("ExecuteRequestHandler", 1),
            ("AsyncCompletion", 1),
            ("AsyncCompletion", 2)
        ]
    );
    assert_eq!(
        *module.log.lock().unwrap(),
        ["completion 7", "completion 8"]
    );
    assert_eq!(ctx.data().posts.load(Ordering::SeqCst), 2);
    host.terminate();
}

#[test]
fn a_post_before_the_notification_returned_is_deferred_until_it_has() {
    let (host, module) = setup();
    for url in ["/race", "/early"] {
        module.log.lock().unwrap().clear();
        let ctx = Context::new(url, &[], None);
        let outcome = host.run(&ctx);
        assert_eq!(
            statuses(&outcome),
            [("ExecuteRequestHandler", 1), ("AsyncCompletion", 2)]
        );
        assert_eq!(ctx.data().posts.load(Ordering::SeqCst), 1, "{url}");
    }
    assert_eq!(*module.log.lock().unwrap(), ["completion 3"]);
    let ctx = Context::new("/race", &[], None);
    module.log.lock().unwrap().clear();
    host.run(&ctx);
    assert_eq!(
        *module.log.lock().unwrap(),
        ["posted", "returning PENDING", "completion 9"]
    );
    host.terminate();
}

#[test]
fn a_dropped_handle_posts_zero_bytes() {
    let (host, module) = setup();
    let outcome = host.get("/dropped", &[]);
    assert_eq!(
        statuses(&outcome),
        [("ExecuteRequestHandler", 1), ("AsyncCompletion", 2)]
    );
    assert_eq!(*module.log.lock().unwrap(), ["completion 0"]);
    host.terminate();
}

#[test]
fn a_handle_of_a_notification_that_did_not_go_pending_posts_nothing() {
    let (host, module) = setup();
    let ctx = Context::new("/not-pending", &[], None);
    let outcome = host.run(&ctx);
    assert_eq!(statuses(&outcome), [("ExecuteRequestHandler", 0)]);
    let handle = module.kept.lock().unwrap().take().unwrap();
    assert_eq!(handle.post(5), Err(E_INVALID_STATE));
    assert_eq!(ctx.data().posts.load(Ordering::SeqCst), 0);

    // Same after a panic (500 + FINISH_REQUEST): the handle is disarmed.
    let ctx = Context::new("/panic", &[], None);
    let outcome = host.run(&ctx);
    assert_eq!(outcome.status, 500);
    drop(module.kept.lock().unwrap().take());
    assert_eq!(ctx.data().posts.load(Ordering::SeqCst), 0);
    host.terminate();
}

#[test]
fn one_handle_per_notification_for_its_own_request_only() {
    let (host, module) = setup();
    let other = Context::new("/other", &[], None);
    *module.other.lock().unwrap() = other.ptr() as usize;
    let ctx = Context::new("/twice", &[], None);
    let outcome = host.run(&ctx);
    assert_eq!(
        statuses(&outcome),
        [("ExecuteRequestHandler", 1), ("AsyncCompletion", 2)]
    );
    assert_eq!(ctx.data().posts.load(Ordering::SeqCst), 1);
    // Outside any notification there is nothing to complete.
    let ctx_ref = unsafe { &*ctx.ptr() };
    assert_eq!(CompletionHandle::new(ctx_ref).err(), Some(E_INVALID_STATE));
    host.terminate();
}

#[test]
fn http_context3_goes_through_http_get_extended_interface() {
    let (host, _) = setup();
    let ctx = Context::new("/", &[], None);
    let ctx3 = http_context3(unsafe { &*ctx.ptr() }).expect("IHttpContext3");
    assert_eq!(
        std::ptr::from_ref(ctx3).cast::<u8>(),
        ctx.ptr().cast::<u8>().cast_const()
    );
    host.terminate();
}
