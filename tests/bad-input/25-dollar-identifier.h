// clang accepts `$` in identifiers (an MSVC extension); Rust does not.
class IFoo
{
 public:
    virtual VOID Get$Value() = 0;
};
