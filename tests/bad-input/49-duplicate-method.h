class IFoo
{
 public:
    virtual VOID F(DWORD dw) = 0;
    virtual VOID F(DWORD dw) = 0;
};
