// A header cut off in the middle of a class (an interrupted download or copy).
class __declspec(uuid("e8698f7e-576e-4cac-a309-67435355faef")) IHttpRequest
{
 public:
    virtual HRESULT SetHeader(
        PCSTR pszHeaderName,
        PCSTR pszHeaderValue,
        USHORT cchHeaderValue,