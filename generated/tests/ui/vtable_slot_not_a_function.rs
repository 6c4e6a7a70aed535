// A vtable field that is not a function pointer taking `this`: the error points at its type.
use httpserv::RustObject;

#[repr(C)]
pub struct IFoo {
    pub lpVtbl: *const IFoo_Vtbl,
}

#[httpserv_macros::vtable]
#[repr(C)]
pub struct IFoo_Vtbl {
    pub Get: unsafe extern "system" fn(this: *mut IFoo) -> u32,
    pub Count: u32,
}

fn main() {}
