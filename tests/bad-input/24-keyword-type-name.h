class type
{
 public:
    virtual VOID F() = 0;
};
