// Includes a file that includes this one back, with no include guard.
#include "11-include-cycle.d/other.h"
class IFoo { public: virtual VOID F() = 0; };
