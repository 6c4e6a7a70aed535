// A `#[wrap]` description with a key the macro does not know: the error points at the key.
use httpserv::RustObject;

#[repr(C)]
pub struct IFoo {
    pub lpVtbl: *const IFoo_Vtbl,
}

#[httpserv_macros::vtable]
#[repr(C)]
pub struct IFoo_Vtbl {
    #[wrap(name = get, cpp = "IFoo::Get", slot = 0, colour = "blue")]
    pub Get: unsafe extern "system" fn(this: *mut IFoo) -> u32,
}

fn main() {}
