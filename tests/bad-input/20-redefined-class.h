class IFoo { public: virtual VOID F() = 0; };
class IFoo { public: virtual VOID G() = 0; };
