// A type declared but not defined here, used by value: its size is unknown.
struct HTTP_SOMETHING_NEW;
class IFoo
{
 public:
    virtual VOID Take(HTTP_SOMETHING_NEW value) = 0;
};
