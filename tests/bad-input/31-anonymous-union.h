struct VALUE
{
    DWORD kind;
    union
    {
        DWORD dw;
        PCSTR psz;
    };
};
class IFoo { public: virtual VOID Set(VALUE * p) = 0; };
