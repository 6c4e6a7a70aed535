class IFoo
{
 public:
    virtual VOID Close() = 0;
};
};
