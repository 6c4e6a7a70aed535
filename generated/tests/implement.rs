//! Rust objects that C++ calls: `<Class>_Impl` + `<Class>_Vtbl::new::<T>()` from `#[vtable]`.

use std::cell::Cell;

use httpserv::*;

struct Context {
    cleaned: Cell<u32>,
    connection_cleaned: Cell<u32>,
}

impl IHttpStoredContext_Impl for Context {
    unsafe fn CleanupStoredContext(this: *mut RustObject<Self>) {
        let value = unsafe { &(*this).value };
        value.cleaned.set(value.cleaned.get() + 1);
    }
}

impl IHttpConnectionStoredContext_Impl for Context {
    unsafe fn NotifyDisconnect(this: *mut RustObject<Self>) {
        let value = unsafe { &(*this).value };
        value
            .connection_cleaned
            .set(value.connection_cleaned.get() + 1);
    }
}

static VTABLE: IHttpConnectionStoredContext_Vtbl =
    IHttpConnectionStoredContext_Vtbl::new::<Context>();

#[test]
fn calls_through_the_vtable_reach_the_rust_methods_of_every_level() {
    let mut object = RustObject {
        lpVtbl: (&raw const VTABLE).cast(),
        value: Context {
            cleaned: Cell::new(0),
            connection_cleaned: Cell::new(0),
        },
    };
    let as_cpp = (&raw mut object).cast::<IHttpConnectionStoredContext>();
    unsafe {
        let vtbl = &*(*as_cpp).lpVtbl;
        (vtbl.NotifyDisconnect)(as_cpp);
        // Slot 0 through the base part of the table, as C++ holding an IHttpStoredContext* does.
        let base = &*as_cpp;
        let base: &IHttpStoredContext = base;
        let base_ptr = base as *const IHttpStoredContext as *mut IHttpStoredContext;
        ((*(*base_ptr).lpVtbl).CleanupStoredContext)(base_ptr);
        (vtbl.base__.CleanupStoredContext)(base_ptr);
    }
    assert_eq!(object.value.cleaned.get(), 2);
    assert_eq!(object.value.connection_cleaned.get(), 1);
}
