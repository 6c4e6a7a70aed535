//! Support the safe wrappers build on: the error type and the small conversions the
//! `#[wrap(...)]` conventions name (see `httpserv-macros`). Everything here is `#[inline]` and
//! allocation-free, so a wrapper costs the raw indirect call plus these conversions.

use core::ffi::CStr;
use core::fmt;

use widestring::{U16CStr, U16Str};
use windows_sys::core::{BOOL, HRESULT};

/// The error of a failed IIS call: the `HRESULT` it returned (always negative).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Error {
    code: HRESULT,
}

/// `Result` of an IIS call.
pub type Result<T> = core::result::Result<T, Error>;

/// `E_INVALIDARG`: what a wrapper reports when a Rust value does not fit the C++ parameter
/// (e.g. a slice longer than a `USHORT` length allows).
pub const E_INVALIDARG: HRESULT = 0x8007_0057_u32 as HRESULT;

impl Error {
    /// The error for a failing `HRESULT`.
    #[inline]
    pub const fn from_hresult(code: HRESULT) -> Self {
        Error { code }
    }

    /// The `HRESULT` IIS returned.
    #[inline]
    pub const fn code(self) -> HRESULT {
        self.code
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error(HRESULT 0x{:08X})", self.code as u32)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IIS call failed with HRESULT 0x{:08X}", self.code as u32)
    }
}

impl std::error::Error for Error {}

impl From<Error> for HRESULT {
    #[inline]
    fn from(error: Error) -> HRESULT {
        error.code
    }
}

#[cfg(feature = "windows-core")]
impl From<Error> for windows_core::Error {
    fn from(error: Error) -> Self {
        windows_core::Error::from_hresult(windows_core::HRESULT(error.code))
    }
}

#[cfg(feature = "windows-core")]
impl From<windows_core::Error> for Error {
    fn from(error: windows_core::Error) -> Self {
        Error::from_hresult(error.code().0)
    }
}

#[cfg(feature = "windows-core")]
impl From<Error> for windows_core::HRESULT {
    fn from(error: Error) -> Self {
        windows_core::HRESULT(error.code)
    }
}

/// `Ok(value)` when `hr` is a success code (`>= 0`), else the error.
#[inline]
pub fn check<T>(hr: HRESULT, value: T) -> Result<T> {
    if hr >= 0 {
        Ok(value)
    } else {
        Err(Error::from_hresult(hr))
    }
}

/// `BOOL` → `bool` (any non-zero value is true, as in C).
#[inline]
pub fn to_bool(value: BOOL) -> bool {
    value != 0
}

/// `bool` → `BOOL`.
#[inline]
pub fn from_bool(value: bool) -> BOOL {
    BOOL::from(value)
}

/// A slice length as the C++ count type, or `E_INVALIDARG` when it does not fit.
#[inline]
pub fn length<L: TryFrom<usize>>(len: usize) -> Result<L> {
    L::try_from(len).map_err(|_| Error::from_hresult(E_INVALIDARG))
}

/// A slice length as the C++ count type, for methods that cannot report an error.
///
/// # Panics
/// When the slice is longer than the count type can express.
#[inline]
#[track_caller]
pub fn length_or_panic<L: TryFrom<usize>>(len: usize) -> L {
    match L::try_from(len) {
        Ok(len) => len,
        Err(_) => too_long(len),
    }
}

// The panics are out of line (`#[cold]`, not inlined): every wrapper call site keeps only a
// compare, a branch and one call, not the formatting of the message (`benches/` checks it).
#[cold]
#[inline(never)]
#[track_caller]
fn too_long(len: usize) -> ! {
    panic!("slice of {len} elements is too long for this IIS method")
}

/// A borrowed interface from a pointer IIS returned; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or points to a live object that outlives `'a`.
#[inline]
pub unsafe fn interface<'a, T>(ptr: *mut T) -> Option<&'a T> {
    unsafe { ptr.cast_const().as_ref() }
}

/// A returned interface the documentation promises is never NULL.
///
/// # Panics
/// When IIS breaks that promise: a panic (caught by the module glue) instead of a NULL
/// reference.
#[inline]
#[track_caller]
pub fn non_null<'a, T>(value: Option<&'a T>, method: &'static str) -> &'a T {
    match value {
        Some(value) => value,
        None => null_interface(method),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn null_interface(method: &'static str) -> ! {
    panic!("IIS returned NULL from {method}, which never returns NULL")
}

/// A NUL-terminated narrow string IIS returned; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string that outlives `'a`.
#[inline]
pub unsafe fn c_string<'a>(ptr: *const u8) -> Option<&'a CStr> {
    if ptr.is_null() {
        None
    } else {
        Some(unsafe { CStr::from_ptr(ptr.cast()) })
    }
}

/// A NUL-terminated UTF-16 string IIS returned; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string that outlives `'a`.
#[inline]
pub unsafe fn wide_c_string<'a>(ptr: *const u16) -> Option<&'a U16CStr> {
    if ptr.is_null() {
        None
    } else {
        Some(unsafe { U16CStr::from_ptr_str(ptr) })
    }
}

/// A counted narrow string IIS returned; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that outlive `'a`.
#[inline]
pub unsafe fn bytes<'a, L: Into<u64>>(ptr: *const u8, len: L) -> Option<&'a [u8]> {
    if ptr.is_null() {
        None
    } else {
        Some(unsafe { core::slice::from_raw_parts(ptr, len.into() as usize) })
    }
}

/// A counted UTF-16 string IIS returned; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable code units that outlive `'a`.
#[inline]
pub unsafe fn wide<'a, L: Into<u64>>(ptr: *const u16, len: L) -> Option<&'a U16Str> {
    if ptr.is_null() {
        None
    } else {
        Some(unsafe { U16Str::from_ptr(ptr, len.into() as usize) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hresults_map_to_results() {
        assert_eq!(check(0, 5), Ok(5));
        assert_eq!(check(1, ()), Ok(())); // S_FALSE is a success
        let err = check(E_INVALIDARG, ()).unwrap_err();
        assert_eq!(err.code(), E_INVALIDARG);
        assert_eq!(err.to_string(), "IIS call failed with HRESULT 0x80070057");
        assert_eq!(HRESULT::from(err), E_INVALIDARG);
    }

    #[test]
    fn lengths_are_checked() {
        assert_eq!(length::<u16>(65_535), Ok(65_535));
        assert_eq!(length::<u16>(65_536).unwrap_err().code(), E_INVALIDARG);
    }

    #[test]
    fn null_pointers_are_none_never_references() {
        unsafe {
            assert!(interface::<u32>(core::ptr::null_mut()).is_none());
            assert!(c_string(core::ptr::null()).is_none());
            assert!(wide_c_string(core::ptr::null()).is_none());
            assert!(bytes(core::ptr::null(), 3u16).is_none());
            assert_eq!(bytes(b"abc".as_ptr(), 2u16), Some(&b"ab"[..]));
            assert_eq!(c_string(c"hi".as_ptr().cast()).unwrap(), c"hi");
        }
    }

    #[test]
    #[should_panic(expected = "IIS returned NULL from IHttpContext::GetRequest")]
    fn broken_non_null_promise_panics() {
        non_null::<u32>(None, "IHttpContext::GetRequest");
    }
}
