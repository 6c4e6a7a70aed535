// The generated vtable struct of IFoo is called IFoo_Vtbl: a header type of that name clashes.
typedef struct IFoo_Vtbl { DWORD dwReserved; } IFoo_Vtbl;
class IFoo { public: virtual VOID F(IFoo_Vtbl * p) = 0; };
