struct BASE { DWORD dw; };
class IFoo : public BASE
{
 public:
    virtual VOID F() = 0;
};
