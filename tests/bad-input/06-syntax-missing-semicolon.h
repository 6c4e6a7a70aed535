class IFoo
{
 public:
    virtual VOID Close() = 0;
}

class IBar
{
 public:
    virtual VOID Open() = 0;
};
