class IFoo
{
 public:
    static virtual VOID F() = 0;
};
