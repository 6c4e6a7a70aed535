template <class T>
class IHolder
{
 public:
    virtual T * Get() = 0;
};
class IFoo { public: virtual VOID F() = 0; };
