//! The few IIS calls the framework itself makes, in one place.
//!
//! They go through the safe wrappers of the generated structs (`get_id`, `set_status`...),
//! except the two container getters, which stay raw calls because the framework treats a NULL
//! from IIS as "no container" where the wrappers would panic. The functions take the raw
//! pointers the trampolines hold and return `HRESULT`s; each is `unsafe`: the caller passes
//! live IIS objects.

use core::ptr;

use widestring::U16CStr;
use windows_sys::core::HRESULT;

use crate::runtime::Result as IisResult;
use crate::*;

/// `S_OK` or the error's `HRESULT`.
fn hresult(result: IisResult<()>) -> HRESULT {
    result.map_or_else(|error| error.code(), |()| S_OK)
}

pub(crate) const S_OK: HRESULT = 0;
pub(crate) const E_FAIL: HRESULT = 0x8000_4005_u32 as HRESULT;
pub(crate) const E_POINTER: HRESULT = 0x8000_4003_u32 as HRESULT;
pub(crate) use crate::runtime::E_INVALIDARG;
/// `HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)`.
pub(crate) const E_NOT_SUPPORTED: HRESULT = 0x8007_0032_u32 as HRESULT;
/// `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)`.
pub(crate) const E_INVALID_STATE: HRESULT = 0x8007_139F_u32 as HRESULT;

/// Unless the headers are sent: `Clear()`, `ClearHeaders()` and
/// `SetStatus(500, "Internal Server Error", 0, E_FAIL)` on the response.
pub(crate) unsafe fn fail_with_500(ctx: *mut IHttpContext) {
    // SAFETY: NULL or a live context.
    let Some(ctx) = (unsafe { ctx.as_ref() }) else {
        return;
    };
    // `get_response` panics if IIS returns NULL: never let that unwind into IIS.
    let _ = super::panic::guard("IHttpResponse::SetStatus", || {
        if ctx.get_response_headers_sent() {
            return;
        }
        let response = ctx.get_response();
        response.clear();
        response.clear_headers();
        let _ = response.set_status_with(500, c"Internal Server Error", 0, E_FAIL, None, false);
    });
}

pub(crate) unsafe fn registration_id(info: *mut IHttpModuleRegistrationInfo) -> HTTP_MODULE_ID {
    unsafe { (*info).get_id() }
}

pub(crate) unsafe fn set_request_notifications(
    info: *mut IHttpModuleRegistrationInfo,
    factory: *mut IHttpModuleFactory,
    request: u32,
    post_request: u32,
) -> HRESULT {
    hresult(unsafe {
        (*info).set_request_notifications(
            factory,
            RequestNotifications(request),
            RequestNotifications(post_request),
        )
    })
}

pub(crate) unsafe fn set_global_notifications(
    info: *mut IHttpModuleRegistrationInfo,
    global: *mut CGlobalModule,
    notifications: u32,
) -> HRESULT {
    hresult(unsafe { (*info).set_global_notifications(global, GlobalNotifications(notifications)) })
}

pub(crate) unsafe fn set_request_priority(
    info: *mut IHttpModuleRegistrationInfo,
    notification: u32,
    priority: &U16CStr,
) -> HRESULT {
    hresult(unsafe {
        (*info).set_priority_for_request_notification(RequestNotifications(notification), priority)
    })
}

pub(crate) unsafe fn set_global_priority(
    info: *mut IHttpModuleRegistrationInfo,
    notification: u32,
    priority: &U16CStr,
) -> HRESULT {
    hresult(unsafe {
        (*info).set_priority_for_global_notification(GlobalNotifications(notification), priority)
    })
}

/// `pHttpContext->GetModuleContextContainer()`.
pub(crate) unsafe fn request_container(ctx: *mut IHttpContext) -> *mut IHttpModuleContextContainer {
    unsafe { ((*(*ctx).lpVtbl).GetModuleContextContainer)(ctx) }
}

pub(crate) unsafe fn get_module_context(
    container: *mut IHttpModuleContextContainer,
    id: HTTP_MODULE_ID,
) -> *mut IHttpStoredContext {
    unsafe { (*container).get_module_context(id) }
        .map_or(ptr::null_mut(), |c| ptr::from_ref(c).cast_mut())
}

pub(crate) unsafe fn set_module_context(
    container: *mut IHttpModuleContextContainer,
    stored: *mut IHttpStoredContext,
    id: HTTP_MODULE_ID,
) -> HRESULT {
    hresult(unsafe { (*container).set_module_context(stored, id) })
}

/// `pHttpContext->GetConnection()->GetModuleContextContainer()` (NULL if either is NULL).
pub(crate) unsafe fn connection_container(
    ctx: *mut IHttpContext,
) -> *mut IHttpConnectionModuleContextContainer {
    unsafe {
        let connection = ((*(*ctx).lpVtbl).GetConnection)(ctx);
        if connection.is_null() {
            return ptr::null_mut();
        }
        ((*(*connection).lpVtbl).GetModuleContextContainer)(connection)
    }
}

pub(crate) unsafe fn get_connection_context(
    container: *mut IHttpConnectionModuleContextContainer,
    id: HTTP_MODULE_ID,
) -> *mut IHttpConnectionStoredContext {
    unsafe { (*container).get_connection_module_context(id) }
        .map_or(ptr::null_mut(), |c| ptr::from_ref(c).cast_mut())
}

pub(crate) unsafe fn set_connection_context(
    container: *mut IHttpConnectionModuleContextContainer,
    stored: *mut IHttpConnectionStoredContext,
    id: HTTP_MODULE_ID,
) -> HRESULT {
    hresult(unsafe { (*container).set_connection_module_context(stored, id) })
}

/// `pHttpContext3->GetNamedContextContainer()`.
pub(crate) unsafe fn named_container(ctx: *mut IHttpContext3) -> *mut INamedContextContainer {
    unsafe { (*ctx).get_named_context_container() }
        .map_or(ptr::null_mut(), |c| ptr::from_ref(c).cast_mut())
}

pub(crate) unsafe fn get_named_context(
    container: *mut INamedContextContainer,
    name: &U16CStr,
) -> *mut IHttpStoredContext {
    unsafe { (*container).get_named_context(name) }
        .map_or(ptr::null_mut(), |c| ptr::from_ref(c).cast_mut())
}

pub(crate) unsafe fn set_named_context(
    container: *mut INamedContextContainer,
    stored: *mut IHttpStoredContext,
    name: &U16CStr,
) -> HRESULT {
    hresult(unsafe { (*container).set_named_context(stored, name) })
}

/// `pHttpContext3->PostCompletion(cbBytes, NULL, NULL)`.
pub(crate) unsafe fn post_completion(ctx: *mut IHttpContext3, bytes: u32) -> HRESULT {
    hresult(unsafe { (*ctx).post_completion(bytes, None, ptr::null_mut()) })
}
