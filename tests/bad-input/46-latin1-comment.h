// Handled: © Microsoft, written in Latin-1 (été) before the declarations.
class IFoo
{
 public:
    virtual VOID GetValue() = 0;
    virtual VOID SetValue(DWORD dw) = 0;
};
