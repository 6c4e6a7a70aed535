/*
 * ahadmin.h -- httpserv-rs stand-in.
 *
 * httpserv.h only passes the application-host admin interfaces around
 * by pointer, so incomplete declarations are enough.
 */
#ifndef HTTPSERV_RS_SHIM_AHADMIN_H
#define HTTPSERV_RS_SHIM_AHADMIN_H

struct IAppHostAdminManager;
struct IAppHostConfigException;

#endif /* HTTPSERV_RS_SHIM_AHADMIN_H */
