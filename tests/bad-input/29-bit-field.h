struct FLAGS
{
    DWORD fSecure : 1;
    DWORD fCached : 1;
};
class IFoo { public: virtual FLAGS GetFlags() = 0; };
