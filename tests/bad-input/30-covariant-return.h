class IA { public: virtual IA * Clone() = 0; };
class IB : public IA
{
 public:
    virtual IB * Clone() = 0;
};
