//! Asynchronous completion: an IIS module that finishes requests on a worker thread.
//!
//! For a request whose path is `/async` (ASCII case-insensitive), `OnExecuteRequestHandler`
//! takes a [`CompletionHandle`], sends it with a job to the module's worker thread and returns
//! `RQ_NOTIFICATION_PENDING`. The worker produces the body ([`BODY`]) and posts the completion
//! (`IHttpContext3::PostCompletion` with the body's length as byte count). IIS then calls
//! `OnAsyncCompletion`, which writes status `200 OK`, `Content-Type: text/plain;
//! charset=utf-8`, `X-Completion-Bytes: <byte count>` and the body, and returns
//! `RQ_NOTIFICATION_FINISH_REQUEST`. Other requests continue unchanged.
//!
//! The worker thread belongs to the factory: started in `RegisterModule`, stopped (and joined)
//! when IIS terminates the factory.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use httpserv::module::{CompletionHandle, HttpModule, HttpModuleFactory};
use httpserv::*;
use windows_sys::Win32::Networking::HttpServer::{HTTP_DATA_CHUNK, HttpDataChunkFromMemory};

/// The response body the worker produces.
pub const BODY: &[u8] = b"Hello from a worker thread!\r\n";

/// What the worker gets: the completion to post and where to put the body.
struct Job {
    completion: CompletionHandle,
    body: Arc<Mutex<Vec<u8>>>,
}

/// The factory: owns the worker thread.
pub struct AsyncFactory {
    jobs: Option<Sender<Job>>,
    worker: Option<JoinHandle<()>>,
}

impl AsyncFactory {
    /// Starts the worker thread.
    pub fn new() -> Self {
        let (jobs, queue) = channel::<Job>();
        let worker = std::thread::Builder::new()
            .name("httpserv-async-worker".into())
            .spawn(move || {
                for job in queue {
                    let mut body = job.body.lock().unwrap_or_else(PoisonError::into_inner);
                    *body = BODY.to_vec();
                    let bytes = body.len() as u32;
                    drop(body);
                    // Fails only if the request is gone; nothing to do then.
                    let _ = job.completion.post(bytes);
                }
            })
            .expect("spawning the worker thread");
        AsyncFactory {
            jobs: Some(jobs),
            worker: Some(worker),
        }
    }
}

impl Default for AsyncFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for AsyncFactory {
    /// Stops the worker: closing the queue ends its loop.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl HttpModuleFactory for AsyncFactory {
    type Module = AsyncModule;

    fn create_module(&self) -> AsyncModule {
        AsyncModule {
            jobs: self.jobs.clone().expect("the factory is running"),
            body: Arc::default(),
        }
    }
}

/// The request module.
pub struct AsyncModule {
    jobs: Sender<Job>,
    body: Arc<Mutex<Vec<u8>>>,
}

fn is_async_path(ctx: &IHttpContext) -> bool {
    ctx.get_script_name().is_some_and(|path| {
        let path = path.as_slice();
        path.len() == 6
            && path
                .iter()
                .zip(b"/async")
                .all(|(&c, e)| u8::try_from(c).is_ok_and(|c| c.eq_ignore_ascii_case(e)))
    })
}

impl HttpModule for AsyncModule {
    fn on_execute_request_handler(
        &mut self,
        ctx: &IHttpContext,
        provider: &IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        if !is_async_path(ctx) {
            return RQ_NOTIFICATION_CONTINUE;
        }
        let completion = match CompletionHandle::new(ctx) {
            Ok(completion) => completion,
            Err(hr) => {
                provider.set_error_status(hr);
                return RQ_NOTIFICATION_FINISH_REQUEST;
            }
        };
        let job = Job {
            completion,
            body: self.body.clone(),
        };
        if self.jobs.send(job).is_err() {
            // The worker is gone (shutting down): the returned job, and its handle, are
            // dropped; since we do not return PENDING, nothing is posted.
            provider.set_error_status(0x8000_4005_u32 as i32);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
        RQ_NOTIFICATION_PENDING
    }

    fn on_async_completion(
        &mut self,
        ctx: &IHttpContext,
        _notification: u32,
        _post_notification: bool,
        provider: &IHttpEventProvider,
        completion: &IHttpCompletionInfo,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let body = std::mem::take(&mut *self.body.lock().unwrap_or_else(PoisonError::into_inner));
        if let Err(error) = respond(ctx.get_response(), &body, completion.get_completion_bytes()) {
            provider.set_error_status(error.code());
        }
        RQ_NOTIFICATION_FINISH_REQUEST
    }
}

fn respond(response: &IHttpResponse, body: &[u8], bytes: u32) -> httpserv::runtime::Result<()> {
    response.set_status(200, c"OK")?;
    response.set_header(c"Content-Type", b"text/plain; charset=utf-8", true)?;
    response.set_header(c"X-Completion-Bytes", bytes.to_string().as_bytes(), true)?;
    let mut chunk = HTTP_DATA_CHUNK {
        DataChunkType: HttpDataChunkFromMemory,
        ..Default::default()
    };
    chunk.Anonymous.FromMemory.pBuffer = body.as_ptr().cast_mut().cast();
    chunk.Anonymous.FromMemory.BufferLength = body.len() as u32;
    // SAFETY: one valid chunk whose data lives across this synchronous write.
    unsafe { response.write_entity_chunks(&mut chunk, 1, false, false) }.map(|_| ())
}

httpserv::register_module!(
    factory = AsyncFactory::new(),
    request = RQ_EXECUTE_REQUEST_HANDLER
);
