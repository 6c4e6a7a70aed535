typedef unsigned int u32;
class IFoo { public: virtual u32 Count() = 0; };
