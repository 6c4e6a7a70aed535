class __declspec(uuid("e8698f7e-576e-4cac-a309-67435355faef")) IHttpRequest
{
 public:
    virtual PCSTR GetUrl() = 0;
};

// Copy-paste slip: the same IID as IHttpRequest.
class __declspec(uuid("e8698f7e-576e-4cac-a309-67435355faef")) IHttpResponse
{
 public:
    virtual VOID Clear() = 0;
};
