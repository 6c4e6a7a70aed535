class IA { public: virtual VOID A() = 0; };
class IB { public: virtual VOID B() = 0; };
class IC : public IA, public IB
{
 public:
    virtual VOID C() = 0;
};
