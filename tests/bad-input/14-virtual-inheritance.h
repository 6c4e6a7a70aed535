class IA { public: virtual VOID A() = 0; };
class IB : public virtual IA
{
 public:
    virtual VOID B() = 0;
};
