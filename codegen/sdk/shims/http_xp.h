/*
 * http_xp.h -- httpserv-rs stand-in.
 *
 * httpserv.h picks this file when _WIN32_WINNT < 0x0600.  The stand-in
 * http.h already handles both cases, so just forward to it.
 */
#include "http.h"
