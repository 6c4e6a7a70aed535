class IFoo
{
 public:
    virtual VOID F() = 0;
    virtual bool operator==(const IFoo & other) const = 0;
};
