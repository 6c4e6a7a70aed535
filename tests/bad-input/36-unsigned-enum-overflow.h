enum BIG_FLAGS : unsigned long long
{
    BIG_FLAG_LOW = 1,
    BIG_FLAG_TOP = 0x8000000000000000,
};
class IFoo { public: virtual VOID Set(BIG_FLAGS f) = 0; };
