//! `IHttpServer::http_get_extended_interface`: the two-step lookup of the header's
//! `HttpGetExtendedInterface` template, on fake objects.

// The `_Impl` traits use the C++ names of methods and parameters.
#![allow(non_snake_case)]

use std::ffi::c_void;
use std::ptr;

use httpserv::*;
use windows_sys::core::{GUID, HRESULT};

struct FakeServer {
    server2: *mut IHttpServer2,
}
impl IHttpServer_Impl for FakeServer {
    unsafe fn GetExtendedInterface(
        this: *mut RustObject<Self>,
        version: HTTP_SERVER_INTERFACE_VERSION,
        ppInterface: *mut *mut c_void,
    ) -> HRESULT {
        assert_eq!(version, HTTP_SERVER_INTERFACE_V2);
        unsafe { *ppInterface = (*this).value.server2.cast() };
        0
    }
}
impl IHttpServer2_Impl for FakeServer {
    unsafe fn GetExtendedInterface(
        _this: *mut RustObject<Self>,
        Version1: *const GUID,
        pInput: *mut c_void,
        Version2: *const GUID,
        ppOutput: *mut *mut c_void,
    ) -> HRESULT {
        let (from, to) = unsafe { (&*Version1, &*Version2) };
        let known = |g: &GUID, iid: GUID| {
            (g.data1, g.data2, g.data3, g.data4) == (iid.data1, iid.data2, iid.data3, iid.data4)
        };
        if known(from, IHttpContext::IID) && known(to, IHttpContext3::IID) {
            // The same object seen as its newer interface, as IIS does.
            unsafe { *ppOutput = pInput };
            0
        } else {
            E_NOINTERFACE
        }
    }
}
impl IHttpServer3_Impl for FakeServer {}
static SERVER_VTABLE: IHttpServer3_Vtbl = IHttpServer3_Vtbl::new::<FakeServer>();

struct FakeContext;
impl IHttpContext_Impl for FakeContext {}
impl IHttpContext2_Impl for FakeContext {}
impl IHttpContext3_Impl for FakeContext {}
static CONTEXT_VTABLE: IHttpContext3_Vtbl = IHttpContext3_Vtbl::new::<FakeContext>();

#[test]
fn context_to_context3_through_server2() {
    let server = Box::leak(Box::new(RustObject {
        lpVtbl: ptr::from_ref(&SERVER_VTABLE).cast(),
        value: FakeServer {
            server2: ptr::null_mut(),
        },
    }));
    server.value.server2 = ptr::from_mut(server).cast();
    let server: &IHttpServer = unsafe { &*ptr::from_mut(server).cast::<IHttpServer>() };
    let context = RustObject {
        lpVtbl: ptr::from_ref(&CONTEXT_VTABLE).cast(),
        value: FakeContext,
    };
    let base: &IHttpContext = unsafe { &*ptr::from_ref(&context).cast::<IHttpContext>() };

    let newer: &IHttpContext3 = server.http_get_extended_interface(base).unwrap();
    assert!(ptr::addr_eq(newer, base));

    let unknown = server.http_get_extended_interface::<IHttpContext, IHttpUser>(base);
    assert_eq!(unknown.unwrap_err().code(), E_NOINTERFACE);
}
