/*
 * windows.h -- httpserv-rs stand-in.
 *
 * A deliberately small replacement for the Win32 umbrella header, just
 * large enough for codegen/sdk/httpserv.h to parse under
 * clang -target *-pc-windows-msvc.  Written for this project; not derived
 * from any Windows SDK or mingw-w64 header.  Type sizes match the Win32
 * LLP64 / ILP32 data models, which is all the generator relies on.
 */
#ifndef HTTPSERV_RS_SHIM_WINDOWS_H
#define HTTPSERV_RS_SHIM_WINDOWS_H

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif

/* Like the real header set, default to the wide-character (W) API
 * names.  Define HTTPSERV_SHIM_NO_UNICODE to get the A names instead. */
#if !defined(HTTPSERV_SHIM_NO_UNICODE)
#ifndef UNICODE
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
#endif

#include "specstrings.h"

/* ---- calling convention, markers, small helpers ---- */
#ifndef WINAPI
#define WINAPI __stdcall
#endif
#ifndef CALLBACK
#define CALLBACK __stdcall
#endif
#ifndef WINBASEAPI
#define WINBASEAPI __declspec(dllimport)
#endif
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef VOID
#define VOID void
#endif
#ifndef NULL
#ifdef __cplusplus
#define NULL 0
#else
#define NULL ((void *)0)
#endif
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef interface
#define interface struct
#endif

/* Casting to void keeps -Wunused-value quiet. */
#ifndef UNREFERENCED_PARAMETER
#define UNREFERENCED_PARAMETER(x) ((void)(x))
#endif

/* ---- scalar types ---- */
typedef int BOOL;
typedef BOOL *PBOOL;
typedef unsigned char BYTE;
typedef BYTE *PBYTE;
typedef BYTE *LPBYTE;
typedef unsigned char UCHAR;
typedef unsigned short USHORT;
typedef unsigned short WORD;
typedef unsigned long ULONG;
typedef ULONG *PULONG;
typedef unsigned long DWORD;
typedef DWORD *PDWORD;
typedef DWORD *LPDWORD;
typedef long LONG;
typedef long HRESULT;
typedef __int64 LONGLONG;
typedef unsigned __int64 ULONGLONG;
typedef int INT;
typedef unsigned int UINT;

#if defined(_WIN64)
typedef __int64 LONG_PTR;
typedef unsigned __int64 ULONG_PTR;
#else
typedef long LONG_PTR;
typedef unsigned long ULONG_PTR;
#endif
typedef ULONG_PTR SIZE_T;

/* ---- characters and strings ---- */
typedef char CHAR;
typedef wchar_t WCHAR;
typedef CHAR *PSTR;
typedef CHAR *LPSTR;
typedef const CHAR *PCSTR;
typedef const CHAR *LPCSTR;
typedef WCHAR *PWSTR;
typedef WCHAR *LPWSTR;
typedef const WCHAR *PCWSTR;
typedef const WCHAR *LPCWSTR;

/* ---- generic pointers and handles ---- */
typedef void *PVOID;
typedef void *LPVOID;
typedef void *HANDLE;
typedef HANDLE *PHANDLE;
typedef PVOID PSID;

/* ---- HRESULT helpers ---- */
#ifndef S_OK
#define S_OK ((HRESULT)0L)
#endif
#ifndef S_FALSE
#define S_FALSE ((HRESULT)1L)
#endif
#ifndef SUCCEEDED
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#endif
#ifndef FAILED
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif

/* ---- small structures ---- */
typedef struct _FILETIME {
    DWORD dwLowDateTime;
    DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef union _ULARGE_INTEGER {
    struct {
        DWORD LowPart;
        DWORD HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct _OVERLAPPED {
    ULONG_PTR Internal;
    ULONG_PTR InternalHigh;
    union {
        struct {
            DWORD Offset;
            DWORD OffsetHigh;
        } s;
        PVOID Pointer;
    } u;
    HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED;

typedef VOID (WINAPI *LPOVERLAPPED_COMPLETION_ROUTINE)(
    DWORD dwErrorCode,
    DWORD dwNumberOfBytesTransfered,
    LPOVERLAPPED lpOverlapped);

/* clang's __uuidof() yields "const _GUID", so the tag must be _GUID. */
#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    unsigned long Data1;
    unsigned short Data2;
    unsigned short Data3;
    unsigned char Data4[8];
} GUID;
#endif
typedef GUID *LPGUID;
typedef const GUID *LPCGUID;
typedef GUID IID;
#ifdef __cplusplus
typedef const GUID &REFGUID;
typedef const IID &REFIID;
#else
typedef const GUID *REFGUID;
typedef const IID *REFIID;
#endif

/* Generic socket address (winsock layout: family + 14 bytes). */
typedef USHORT ADDRESS_FAMILY;
typedef struct sockaddr {
    ADDRESS_FAMILY sa_family;
    CHAR sa_data[14];
} SOCKADDR, *PSOCKADDR, *LPSOCKADDR;

/* ---- functions used by the inline bodies in httpserv.h ---- */
#ifdef __cplusplus
extern "C" {
#endif

WINBASEAPI VOID WINAPI OutputDebugStringA(LPCSTR lpOutputString);
WINBASEAPI VOID WINAPI OutputDebugStringW(LPCWSTR lpOutputString);
WINBASEAPI VOID WINAPI DebugBreak(VOID);

WINBASEAPI BOOL WINAPI GetUserNameA(LPSTR lpBuffer, LPDWORD pcbBuffer);
WINBASEAPI BOOL WINAPI GetUserNameW(LPWSTR lpBuffer, LPDWORD pcbBuffer);

#ifdef __cplusplus
}
#endif

/* A/W name selection, as the real headers do it.  This is a real hazard
 * for httpserv.h: IHttpUser::GetUserName is renamed by the preprocessor
 * too, and the generator has to recover the spelling from the source. */
#ifdef UNICODE
#define OutputDebugString OutputDebugStringW
#define GetUserName GetUserNameW
#else
#define OutputDebugString OutputDebugStringA
#define GetUserName GetUserNameA
#endif

#endif /* HTTPSERV_RS_SHIM_WINDOWS_H */
