// Overloads of F are told apart as F_DWORD / F_PCSTR, which is also the name of a method.
class IFoo
{
 public:
    virtual VOID F(DWORD dw) = 0;
    virtual VOID F(PCSTR psz) = 0;
    virtual VOID F_DWORD(DWORD dw) = 0;
};
