#define HEADER_NAME "mine"
class IFoo { public: virtual VOID F() = 0; };
