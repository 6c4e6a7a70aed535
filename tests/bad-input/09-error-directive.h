// `#error` stops the parse with the header's own message.
#ifdef _WIN64
#error httpserv.h for this SDK needs _HTTPSERV_LEGACY on 64-bit targets
#endif
class IFoo { public: virtual VOID F() = 0; };
