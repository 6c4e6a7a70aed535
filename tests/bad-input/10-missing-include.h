#include "httpserv_missing_part.h"
class IFoo { public: virtual VOID F() = 0; };
