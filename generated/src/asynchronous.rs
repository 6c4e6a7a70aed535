//! Safe asynchronous I/O where the contract can be carried by types.
//!
//! IIS keeps the buffer and the callback of an asynchronous `ReadEntityBody` until the
//! operation completes. The safe form takes both **by value**: they move into a heap block whose
//! ownership passes to IIS with the call, and exactly one party takes it back — the call itself
//! when IIS reports an error or a synchronous completion (`pfCompletionPending` = FALSE), or the
//! completion callback otherwise. The caller cannot touch the buffer while IIS writes into it,
//! because it no longer has it.
//!
//! Not made safe, and why:
//! - `IHttpContext3::post_completion` takes an `LPOVERLAPPED_COMPLETION_ROUTINE`, and the
//!   documentation does not say how IIS passes `pvCompletionContext` back to it, nor on which
//!   thread; a safe closure form would rest on a guess.
//! - `IHttpResponse2::write_entity_chunks` with `fAsync`: `HTTP_DATA_CHUNK`s may reference
//!   files and fragment caches as well as memory, which a Rust type cannot own on IIS's behalf.
//!   Both stay `unsafe fn` with their contract in `# Safety`.

use core::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::runtime::Result;
use crate::{
    IHttpCompletionInfo2, IHttpContext3, IHttpRequest3, REQUEST_NOTIFICATION_STATUS,
    RQ_NOTIFICATION_FINISH_REQUEST,
};

/// What an asynchronous read turned into.
#[derive(Debug)]
pub enum ReadStarted {
    /// IIS finished at once: the buffer is back, truncated to the bytes read. The callback
    /// will not run and has been dropped.
    Completed(Vec<u8>),
    /// IIS owns the buffer and the callback until the completion; return
    /// `RQ_NOTIFICATION_PENDING` from the notification.
    Pending,
}

/// The callback of [`IHttpRequest3::read_entity_body_async`]: gets the request's context, the
/// completion info (bytes, status) and the buffer back, truncated to the bytes read.
pub trait ReadCompletion:
    FnOnce(&IHttpContext3, &IHttpCompletionInfo2, Vec<u8>) -> REQUEST_NOTIFICATION_STATUS
    + Send
    + 'static
{
}

impl<F> ReadCompletion for F where
    F: FnOnce(&IHttpContext3, &IHttpCompletionInfo2, Vec<u8>) -> REQUEST_NOTIFICATION_STATUS
        + Send
        + 'static
{
}

/// What IIS holds during the operation.
struct PendingRead<F> {
    buffer: Vec<u8>,
    callback: F,
}

impl IHttpRequest3 {
    /// Reads request body data asynchronously into `buffer` (up to its capacity), handing the
    /// buffer and `callback` to IIS for the duration of the operation.
    ///
    /// On an error the buffer and callback are dropped and the error returned.
    /// `IHttpRequest3::ReadEntityBody` with `fAsync = TRUE` and our completion routine.
    pub fn read_entity_body_async<F: ReadCompletion>(
        &self,
        buffer: Vec<u8>,
        callback: F,
    ) -> Result<ReadStarted> {
        let capacity = crate::runtime::length::<u32>(buffer.capacity())?;
        let state = Box::into_raw(Box::new(PendingRead { buffer, callback }));
        // SAFETY: the buffer is writable for `capacity` bytes and, like the callback, lives in
        // `state`, which IIS owns until the completion (or which we take back below).
        let result = unsafe {
            let data = (*state).buffer.as_mut_ptr().cast::<c_void>();
            self.read_entity_body(
                data,
                capacity,
                true,
                Some(read_completion::<F>),
                state.cast(),
            )
        };
        match result {
            Ok((_, true)) => Ok(ReadStarted::Pending),
            Ok((bytes, false)) => {
                // SAFETY: synchronous completion: IIS will not call back; the state is ours.
                let state = unsafe { Box::from_raw(state) };
                let mut buffer = state.buffer;
                // SAFETY: IIS wrote `bytes` (at most `capacity`) bytes.
                unsafe { buffer.set_len((bytes as usize).min(buffer.capacity())) };
                Ok(ReadStarted::Completed(buffer))
            }
            Err(error) => {
                // SAFETY: the call failed: IIS took nothing.
                drop(unsafe { Box::from_raw(state) });
                Err(error)
            }
        }
    }
}

/// The `PFN_ASYNC_COMPLETION` IIS calls: takes the state back (exactly once: IIS calls a
/// completion once) and runs the callback. A panic cannot unwind into IIS: it finishes the
/// request instead.
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn read_completion<F: ReadCompletion>(
    context: *mut IHttpContext3,
    info: *mut IHttpCompletionInfo2,
    state: *mut c_void,
) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: `state` is the box `read_entity_body_async` leaked for this operation.
    let state = unsafe { Box::from_raw(state.cast::<PendingRead<F>>()) };
    let (Some(context), Some(info)) = (unsafe { context.as_ref() }, unsafe { info.as_ref() })
    else {
        return RQ_NOTIFICATION_FINISH_REQUEST;
    };
    let PendingRead {
        mut buffer,
        callback,
    } = *state;
    let bytes = (info.get_completion_bytes() as usize).min(buffer.capacity());
    // SAFETY: IIS wrote `bytes` bytes into the buffer before completing.
    unsafe { buffer.set_len(bytes) };
    catch_unwind(AssertUnwindSafe(|| callback(context, info, buffer)))
        .unwrap_or(RQ_NOTIFICATION_FINISH_REQUEST)
}
