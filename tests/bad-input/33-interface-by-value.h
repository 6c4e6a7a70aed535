class IFoo
{
 public:
    virtual VOID F() = 0;
};
class IBar
{
 public:
    virtual VOID Take(IFoo foo) = 0;
};
