// A type the header only declares (never defines) becomes an opaque Rust type of that name:
// here it takes the name of IFoo's generated vtable struct.
struct IFoo_Vtbl;
class IFoo { public: virtual VOID F(IFoo_Vtbl * p) = 0; };
