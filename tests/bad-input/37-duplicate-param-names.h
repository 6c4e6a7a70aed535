// The unnamed first parameter becomes `param0`, like the second one.
class IFoo
{
 public:
    virtual VOID Set(DWORD, DWORD param0) = 0;
};
