// Handled: method and parameter names that are Rust keywords are escaped.
class __declspec(uuid("11111111-2222-3333-4444-555555555555")) IKeywords
{
 public:
    virtual HRESULT type(DWORD match) = 0;
    virtual VOID self(DWORD fn) = 0;
    virtual VOID move(PCSTR self, DWORD crate) = 0;
};
