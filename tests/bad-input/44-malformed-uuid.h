class __declspec(uuid("e8698f7e-576e-4cac-a309-67435355faeg")) IFoo
{
 public:
    virtual VOID F() = 0;
};
