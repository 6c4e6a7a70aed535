class ILog
{
 public:
    virtual VOID Printf(PCSTR pszFormat, ...) = 0;
};
