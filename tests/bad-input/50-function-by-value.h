typedef VOID FN(DWORD);
struct HOLDER { FN * pfn; DWORD dw; };
class IFoo { public: virtual VOID F(HOLDER h) = 0; };
