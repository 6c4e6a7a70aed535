class IFoo
{
 public:
    virtual HRESULT Open(PCSTR pszName = 0;
    virtual VOID Close() = 0;
};
