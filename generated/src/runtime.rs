//! Support the safe wrappers build on: the error type and the small conversions the
//! `#[wrap(...)]` conventions name (see `httpserv-macros`). Everything here is `#[inline]` and
//! allocation-free, so a wrapper costs the raw indirect call plus these conversions; only the
//! panics (and `strlen` on the test host) are out of line, as `extern "system"` functions (see
//! `too_long`).

use core::ffi::CStr;
use core::fmt;
use core::panic::Location;

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
/// When the slice is longer than the count type can express; the message names the caller's
/// location.
#[inline]
#[track_caller]
pub fn length_or_panic<L: TryFrom<usize>>(len: usize) -> L {
    match L::try_from(len) {
        Ok(len) => len,
        Err(_) => too_long(len, Location::caller()),
    }
}

// The panics are out of line (`#[cold]`, not inlined): every wrapper call site keeps only a
// compare, a branch and one call, not the formatting of the message (`benches/` checks it).
//
// They are `extern "system-unwind"` (through `#[abi(winapi)]`: `win64-unwind` on x86_64 outside
// Windows), not Rust functions: the wrappers are inlined into the slot functions IIS calls,
// which have the `system` convention, and on the MSVC-ABI test host a call from one of them to
// a Rust function is a Win64 -> SysV transition, which makes the caller save and restore
// xmm6-xmm15 on every call, also when the panic is never reached. (On Windows `system` keeps the
// same registers as Rust's convention; nothing changes there.) They may unwind: the panic has to
// reach the framework's `catch_unwind`. `#[track_caller]` is for Rust functions only, so the
// `#[inline]` entries above take the caller's location and pass it on, and the message names it
// (the panic's own location is this file).

/// The out-of-line panic of [`length_or_panic`].
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
extern "system-unwind" fn too_long(len: usize, caller: &'static Location<'static>) -> ! {
    panic!("slice of {len} elements is too long for this IIS method (called at {caller})")
}

/// A borrowed interface from a pointer IIS returned; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or points to a live object that outlives `'a`.
#[inline]
pub unsafe fn interface<'a, T>(ptr: *mut T) -> Option<&'a T> {
    unsafe { ptr.cast_const().as_ref() }
}

/// A returned interface the documentation promises is never NULL. `method` names the C++
/// method (`&"IHttpContext::GetRequest"`: one pointer to pass on).
///
/// # Panics
/// When IIS breaks that promise: a panic (caught by the module glue) instead of a NULL
/// reference; the message names the method and the caller's location.
#[inline]
#[track_caller]
pub fn non_null<'a, T>(value: Option<&'a T>, method: &'static &'static str) -> &'a T {
    match value {
        Some(value) => value,
        None => null_interface(method, Location::caller()),
    }
}

/// The out-of-line panic of [`non_null`] (see `too_long` for its ABI).
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
extern "system-unwind" fn null_interface(
    method: &'static &'static str,
    caller: &'static Location<'static>,
) -> ! {
    panic!("IIS returned NULL from {method}, which never returns NULL (called at {caller})")
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
        // SAFETY: the caller's contract: `len` bytes, then the NUL.
        unsafe {
            let len = c_string_len(ptr);
            let bytes = core::slice::from_raw_parts(ptr, len + 1);
            Some(CStr::from_bytes_with_nul_unchecked(bytes))
        }
    }
}

/// `strlen`. On x86_64 outside Windows (the test host) out of line and `win64`, like the slot
/// functions the wrappers are inlined into: the C library's `strlen` (which a loop would become
/// too) is a SysV function there, and calling it directly would make every slot function that
/// reads a string save and restore xmm6-xmm15 (see `too_long`). Elsewhere inlined: one C call.
///
/// # Safety
/// `ptr` is a NUL-terminated string.
#[cfg_attr(all(target_arch = "x86_64", not(windows)), inline(never))]
#[cfg_attr(not(all(target_arch = "x86_64", not(windows))), inline)]
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn c_string_len(ptr: *const u8) -> usize {
    // SAFETY: the caller's contract.
    unsafe { CStr::from_ptr(ptr.cast()) }.count_bytes()
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
        // The length here, not through `U16CStr::from_ptr_str`, which is not inlined across
        // crates: a Rust call, i.e. a SysV call on the test host (see `c_string_len`).
        let mut len = 0;
        // SAFETY: the caller's contract: readable up to and including the NUL.
        while unsafe { *ptr.add(len) } != 0 {
            len += 1;
        }
        // SAFETY: `len` code units, then the NUL.
        unsafe {
            let units = core::slice::from_raw_parts(ptr, len + 1);
            Some(U16CStr::from_slice_unchecked(units))
        }
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
            assert_eq!(c_string(c"".as_ptr().cast()).unwrap(), c"");
            let wide = widestring::u16cstr!("héllo");
            assert_eq!(wide_c_string(wide.as_ptr()).unwrap(), wide);
            let empty = widestring::u16cstr!("");
            assert_eq!(wide_c_string(empty.as_ptr()).unwrap().len(), 0);
        }
    }

    #[test]
    #[should_panic(
        expected = "IIS returned NULL from IHttpContext::GetRequest, which never returns NULL"
    )]
    fn broken_non_null_promise_panics() {
        non_null::<u32>(None, &"IHttpContext::GetRequest");
    }

    #[test]
    #[should_panic(expected = "slice of 65536 elements is too long for this IIS method")]
    fn too_long_slices_panic() {
        let _: u16 = length_or_panic(65_536);
    }

    /// The message of the panic `f` raises.
    fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let payload = std::panic::catch_unwind(f).expect_err("a panic");
        match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => payload
                .downcast_ref::<&str>()
                .map_or_else(|| "not a string".to_string(), |s| s.to_string()),
        }
    }

    #[test]
    fn the_panics_name_the_callers_location() {
        let message = panic_message(|| {
            non_null::<u32>(None, &"IHttpContext::GetResponse");
        });
        let called_at = format!("(called at {}:{}:13)", file!(), line!() - 2);
        assert!(message.ends_with(&called_at), "{message}: {called_at}");
        let message = panic_message(|| {
            let _: u8 = length_or_panic(256);
        });
        let called_at = format!("(called at {}:{}:25)", file!(), line!() - 2);
        assert!(message.ends_with(&called_at), "{message}: {called_at}");
    }
}
