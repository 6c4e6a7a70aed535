// A valid header: this case fails when writing the output, not when parsing.
class __declspec(uuid("8059e6f8-10ce-4d61-b47e-5a1d8d9a8b67")) IHttpUser
{
 public:
    virtual HRESULT GetServerVariableNumber0(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber1(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber2(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber3(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber4(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber5(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber6(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber7(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber8(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber9(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber10(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
    virtual HRESULT GetServerVariableNumber11(PCSTR pszName, PCWSTR * ppszValue, DWORD * pcchValueLength) = 0;
};
