// Template for a 10 MB header: the test replaces the PADDING line below with 10 MB of
// declarations-free comment lines (so the error's line number is known) before running it.
class IFoo { public: virtual VOID F() = 0; };
// @PADDING@
class IBar { public: virtual VOID G(IMissing * p) = 0; };
