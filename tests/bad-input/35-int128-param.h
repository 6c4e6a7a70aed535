class IFoo
{
 public:
    virtual VOID Set(__int128 value) = 0;
};
