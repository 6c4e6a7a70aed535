//! A safe `HttpGetExtendedInterface`: from an interface to its newer version (e.g.
//! `IHttpContext` → `IHttpContext3`) by uuid, as the header's template does.

use core::ptr;

use crate::runtime::{Error, Result};
use crate::{HTTP_SERVER_INTERFACE_V2, IHttpServer, IHttpServer2, Interface};

/// `E_NOINTERFACE`: IIS does not offer the requested interface.
pub const E_NOINTERFACE: windows_sys::core::HRESULT = 0x8000_4002_u32 as windows_sys::core::HRESULT;

impl IHttpServer {
    /// The `O` view of `input` (`IHttpContext` → `IHttpContext3`, `IHttpServer` →
    /// `IHttpServer2`...), as the header's `HttpGetExtendedInterface` template gets it: through
    /// `IHttpServer::GetExtendedInterface(HTTP_SERVER_INTERFACE_V2)` then
    /// `IHttpServer2::GetExtendedInterface(__uuidof(I), input, __uuidof(O))`. The result borrows
    /// `input`: it is the same IIS object seen through another interface.
    pub fn http_get_extended_interface<'a, I: Interface, O: Interface>(
        &self,
        input: &'a I,
    ) -> Result<&'a O> {
        let server2 = self.get_extended_interface(HTTP_SERVER_INTERFACE_V2)?;
        // SAFETY: IIS answers HTTP_SERVER_INTERFACE_V2 with its IHttpServer2, which lives as
        // long as the server.
        let server2 = unsafe { server2.cast::<IHttpServer2>().as_ref() }
            .ok_or(Error::from_hresult(E_NOINTERFACE))?;
        // SAFETY: `input` is a live object of the interface `I::IID` names (the `Interface`
        // contract); the GUIDs outlive the call.
        let output = unsafe {
            server2.get_extended_interface(&I::IID, ptr::from_ref(input).cast_mut().cast(), &O::IID)
        }?;
        // SAFETY: IIS returned an object implementing `O::IID`, a view of `input`.
        unsafe { output.cast::<O>().as_ref() }.ok_or(Error::from_hresult(E_NOINTERFACE))
    }
}
