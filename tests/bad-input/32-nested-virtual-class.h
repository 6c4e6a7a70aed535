class IOuter
{
 public:
    class ICallback
    {
     public:
        virtual VOID Done() = 0;
    };
    virtual VOID Start(ICallback * pCallback) = 0;
};
