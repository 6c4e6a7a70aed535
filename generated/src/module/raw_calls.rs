//! The few IIS calls the framework itself makes, through the raw vtables.
//!
//! Kept minimal and private: these are to be replaced by the safe wrappers of the generated
//! structs once those land. Every function takes raw pointers and is `unsafe`: the caller
//! passes live IIS objects.

use core::ffi::c_void;
use core::ptr;

use windows_sys::core::{GUID, HRESULT, PCWSTR};

use crate::*;

pub(crate) const S_OK: HRESULT = 0;
pub(crate) const E_FAIL: HRESULT = 0x8000_4005_u32 as HRESULT;
pub(crate) const E_POINTER: HRESULT = 0x8000_4003_u32 as HRESULT;
pub(crate) const E_INVALIDARG: HRESULT = 0x8007_0057_u32 as HRESULT;
pub(crate) const E_NOINTERFACE: HRESULT = 0x8000_4002_u32 as HRESULT;
/// `HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)`.
pub(crate) const E_NOT_SUPPORTED: HRESULT = 0x8007_0032_u32 as HRESULT;
/// `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)`.
pub(crate) const E_INVALID_STATE: HRESULT = 0x8007_139F_u32 as HRESULT;

/// `pHttpContext->GetResponseHeadersSent()`.
pub(crate) unsafe fn response_headers_sent(ctx: *mut IHttpContext) -> bool {
    unsafe { ((*(*ctx).lpVtbl).GetResponseHeadersSent)(ctx) != 0 }
}

/// Unless the headers are sent: `Clear()`, `ClearHeaders()` and
/// `SetStatus(500, "Internal Server Error", 0, E_FAIL)` on the response.
pub(crate) unsafe fn fail_with_500(ctx: *mut IHttpContext) {
    unsafe {
        if ctx.is_null() || response_headers_sent(ctx) {
            return;
        }
        let response = ((*(*ctx).lpVtbl).GetResponse)(ctx);
        if response.is_null() {
            return;
        }
        let vtbl = &*(*response).lpVtbl;
        (vtbl.Clear)(response);
        (vtbl.ClearHeaders)(response);
        (vtbl.SetStatus)(
            response,
            500,
            c"Internal Server Error".as_ptr().cast(),
            0,
            E_FAIL,
            ptr::null_mut(),
            0,
        );
    }
}

pub(crate) unsafe fn registration_id(info: *mut IHttpModuleRegistrationInfo) -> HTTP_MODULE_ID {
    unsafe { ((*(*info).lpVtbl).GetId)(info) }
}

pub(crate) unsafe fn set_request_notifications(
    info: *mut IHttpModuleRegistrationInfo,
    factory: *mut IHttpModuleFactory,
    request: u32,
    post_request: u32,
) -> HRESULT {
    unsafe { ((*(*info).lpVtbl).SetRequestNotifications)(info, factory, request, post_request) }
}

pub(crate) unsafe fn set_global_notifications(
    info: *mut IHttpModuleRegistrationInfo,
    global: *mut CGlobalModule,
    notifications: u32,
) -> HRESULT {
    unsafe { ((*(*info).lpVtbl).SetGlobalNotifications)(info, global, notifications) }
}

pub(crate) unsafe fn set_request_priority(
    info: *mut IHttpModuleRegistrationInfo,
    notification: u32,
    priority: PCWSTR,
) -> HRESULT {
    unsafe { ((*(*info).lpVtbl).SetPriorityForRequestNotification)(info, notification, priority) }
}

pub(crate) unsafe fn set_global_priority(
    info: *mut IHttpModuleRegistrationInfo,
    notification: u32,
    priority: PCWSTR,
) -> HRESULT {
    unsafe { ((*(*info).lpVtbl).SetPriorityForGlobalNotification)(info, notification, priority) }
}

/// `pHttpContext->GetModuleContextContainer()`.
pub(crate) unsafe fn request_container(ctx: *mut IHttpContext) -> *mut IHttpModuleContextContainer {
    unsafe { ((*(*ctx).lpVtbl).GetModuleContextContainer)(ctx) }
}

pub(crate) unsafe fn get_module_context(
    container: *mut IHttpModuleContextContainer,
    id: HTTP_MODULE_ID,
) -> *mut IHttpStoredContext {
    unsafe { ((*(*container).lpVtbl).GetModuleContext)(container, id) }
}

pub(crate) unsafe fn set_module_context(
    container: *mut IHttpModuleContextContainer,
    stored: *mut IHttpStoredContext,
    id: HTTP_MODULE_ID,
) -> HRESULT {
    unsafe { ((*(*container).lpVtbl).SetModuleContext)(container, stored, id) }
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
    unsafe { ((*(*container).lpVtbl).GetConnectionModuleContext)(container, id) }
}

pub(crate) unsafe fn set_connection_context(
    container: *mut IHttpConnectionModuleContextContainer,
    stored: *mut IHttpConnectionStoredContext,
    id: HTTP_MODULE_ID,
) -> HRESULT {
    unsafe { ((*(*container).lpVtbl).SetConnectionModuleContext)(container, stored, id) }
}

/// `pHttpContext3->GetNamedContextContainer()`.
pub(crate) unsafe fn named_container(ctx: *mut IHttpContext3) -> *mut INamedContextContainer {
    unsafe { ((*(*ctx).lpVtbl).GetNamedContextContainer)(ctx) }
}

pub(crate) unsafe fn get_named_context(
    container: *mut INamedContextContainer,
    name: PCWSTR,
) -> *mut IHttpStoredContext {
    unsafe { ((*(*container).lpVtbl).GetNamedContext)(container, name) }
}

pub(crate) unsafe fn set_named_context(
    container: *mut INamedContextContainer,
    stored: *mut IHttpStoredContext,
    name: PCWSTR,
) -> HRESULT {
    unsafe { ((*(*container).lpVtbl).SetNamedContext)(container, stored, name) }
}

/// `HttpGetExtendedInterface(pServer, pInput, &pOutput)` of httpserv.h: through
/// `IHttpServer::GetExtendedInterface(HTTP_SERVER_INTERFACE_V2)` to `IHttpServer2`, then its
/// `GetExtendedInterface(__uuidof(In), pInput, __uuidof(Out))`.
pub(crate) unsafe fn extended_interface(
    server: *mut IHttpServer,
    input_iid: &GUID,
    input: *mut c_void,
    output_iid: &GUID,
) -> Result<*mut c_void, HRESULT> {
    unsafe {
        if server.is_null() || input.is_null() {
            return Err(E_POINTER);
        }
        let mut server2: *mut c_void = ptr::null_mut();
        let hr = ((*(*server).lpVtbl).GetExtendedInterface)(
            server,
            HTTP_SERVER_INTERFACE_V2,
            &mut server2,
        );
        if hr < 0 {
            return Err(hr);
        }
        let server2 = server2.cast::<IHttpServer2>();
        if server2.is_null() {
            return Err(E_NOINTERFACE);
        }
        let mut output: *mut c_void = ptr::null_mut();
        let hr = ((*(*server2).lpVtbl).GetExtendedInterface)(
            server2,
            input_iid,
            input,
            output_iid,
            &mut output,
        );
        if hr < 0 {
            Err(hr)
        } else if output.is_null() {
            Err(E_NOINTERFACE)
        } else {
            Ok(output)
        }
    }
}

/// `pHttpContext3->PostCompletion(cbBytes, NULL, NULL)`.
pub(crate) unsafe fn post_completion(ctx: *mut IHttpContext3, bytes: u32) -> HRESULT {
    unsafe { ((*(*ctx).lpVtbl).PostCompletion)(ctx, bytes, None, ptr::null_mut()) }
}
