class IFoo
{
 public:
    virtual VOID F() = 0;
    DWORD m_cRefs;
};
