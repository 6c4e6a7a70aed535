class IFoo
{
 public:
    virtual HRESULT GetWidget(IWidget ** ppWidget) = 0;
};
