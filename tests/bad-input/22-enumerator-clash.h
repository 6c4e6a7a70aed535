// C++ scopes the enumerators of an enum class; the generated Rust constants are not.
enum class COLOR { RED, GREEN };
enum class LIGHT { RED, AMBER };
class IFoo { public: virtual VOID Paint(COLOR c, LIGHT l) = 0; };
