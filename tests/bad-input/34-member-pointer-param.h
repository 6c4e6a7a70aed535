class IFoo
{
 public:
    virtual VOID Bind(DWORD IFoo::* pField) = 0;
};
