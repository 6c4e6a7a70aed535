// Handled: MSVC ignores __stdcall on a variadic function (it is __cdecl); the binding says "C".
typedef VOID (__stdcall * PFN_LOG)(PCSTR pszFormat, ...);
class IFoo { public: virtual VOID SetLogger(PFN_LOG pfn) = 0; };
