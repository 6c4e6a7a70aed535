class IFoo
{
 public:
    virtual VOID Close() = 0; /* the rest of the file is a comment
};
