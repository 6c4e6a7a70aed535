namespace iis
{
class IFoo { public: virtual VOID F() = 0; };
}
