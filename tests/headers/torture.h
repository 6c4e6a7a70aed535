// torture.h -- hand-written stress header for the httpserv-rs ABI referee tests (tests/tests/vtable_layout_vs_clang.rs, call_abi_vs_clang.rs): every MSVC vtable quirk we know of, compared slot by slot with clang for x86_64/i686/aarch64-pc-windows-msvc. Uses only names from <windows.h> (codegen/sdk/shims).
//
// Written for this project (not taken from any SDK). It is parsed exactly like
// httpserv.h: the translation unit is `#include <windows.h>` followed by this
// file, compiled as C++14 with -fms-extensions -fms-compatibility -fno-rtti.
// The expected slot order in the comments follows MSVC's rules (and is what
// clang's -fdump-vtable-layouts prints); the tests never read these comments,
// they ask clang.

#ifndef HTTPSERV_RS_TORTURE_H
#define HTTPSERV_RS_TORTURE_H

#include <windows.h>

// ITortureLevel1::Over hides the base's Over overloads on purpose (that is
// one of the things under test); keep -Woverloaded-virtual quiet for it.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Woverloaded-virtual"
#endif

// Returned by value below. MSVC returns every class type from a member
// function through a hidden pointer that follows `this`, however small.
typedef struct _TORTURE_POINT
{
    int x;
    double y;
    int z;
} TORTURE_POINT;

typedef struct _TORTURE_SMALL
{
    int a;
} TORTURE_SMALL;

typedef enum _TORTURE_MODE
{
    TortureModeFirst,
    TortureModeSecond
} TORTURE_MODE;

typedef VOID (WINAPI * PFN_TORTURE_CALLBACK)(IN DWORD dwCode, IN PVOID pvContext);

// No virtual method: must not appear among the vtable types.
class CTortureNoVtable
{
public:
    int Get() const { return m_value; }
    int m_value;
};

// Forward declaration with a uuid, defined further down (as httpserv.h does).
class __declspec(uuid("7c1f3a52-0d4b-4e8a-9b36-5a2e1f0c9d01")) ITortureLevel3;

// Root interface. Slots:
//   0 Alpha
//   1 Over(PCWSTR, DWORD)   \  overload group at the position of the first
//   2 Over(char)             > "Over", in reverse declaration order,
//   3 Over(int)             /   although Beta and Helper sit in between
//   4 Beta
//   5 GetName()             \  const/non-const overloads, reversed
//   6 GetName() const       /
//   7 GetPoint              struct return (hidden pointer)
class __declspec(uuid("7c1f3a52-0d4b-4e8a-9b36-5a2e1f0c9d02")) ITortureBase
{
public:
    virtual HRESULT Alpha(IN DWORD dwFlags) = 0;

    virtual VOID Over(IN int value) = 0;

    virtual BOOL Beta(VOID) = 0;

    // Non-virtual, between two members of a virtual overload set.
    VOID Helper(VOID) {}

    virtual VOID Over(IN char value) = 0;

    virtual VOID Over(_In_reads_(cchValue) PCWSTR pszValue, IN DWORD cchValue = 0) = 0;

    virtual PCSTR GetName(VOID) const = 0;

    virtual PCSTR GetName(VOID) = 0;

    virtual TORTURE_POINT GetPoint(IN int index) const = 0;
};

// Level 2 of 4. Slots 0-7 inherited, then:
//   8 Over(float)   a derived overload of a base name is a new slot at the end
//                   of the base's table (it hides the base's Over, no merging)
//   9 Flags
//  10 Wide
class __declspec(uuid("7c1f3a52-0d4b-4e8a-9b36-5a2e1f0c9d03")) ITortureLevel1 : public ITortureBase
{
public:
    virtual VOID Over(IN float value) = 0;

    virtual bool Flags(IN bool fFlag, IN BOOL fBool, IN float flValue, IN double dblValue) = 0;

    virtual __int64 Wide(
        IN __int64 i64Signed,
        IN unsigned __int64 u64Unsigned,
        IN char chNarrow,
        IN wchar_t wchWide,
        IN short sShort
    ) = 0;
};

// Level 3 of 4, no uuid. Slots 0-10 inherited, then:
//  11 Gamma
//     (Beta and Alpha(DWORD) are re-declared overriders: no new slot)
//  12 Alpha(PCSTR, DWORD)  new overload; its group sits where the overrider
//                          Alpha(DWORD) is declared, i.e. before Delta
//  13 Delta
//  14 GetRatio
class ITortureLevel2 : public ITortureLevel1
{
public:
    virtual VOID Gamma(VOID) = 0;

    virtual BOOL Beta(VOID) = 0;

    virtual HRESULT Alpha(IN DWORD dwFlags) = 0;

    virtual VOID Delta(VOID) = 0;

    virtual HRESULT Alpha(IN PCSTR pszName, IN DWORD dwFlags = 0) = 0;

    virtual double GetRatio(OUT float * pflScale) const = 0;
};

// Level 4 of 4. Slots 0-14 inherited, then 15 OldAlpha ... 23 GetPointPtr in
// declaration order (no overloads).
class __declspec(uuid("7c1f3a52-0d4b-4e8a-9b36-5a2e1f0c9d01")) ITortureLevel3 : public ITortureLevel2
{
public:
    __declspec(deprecated("Use Alpha instead."))
    virtual HRESULT OldAlpha(IN DWORD dwFlags = 1) = 0;

    // Explicit calling conventions: __stdcall and __cdecl instead of the
    // default __thiscall on i686; all three are the C convention on 64-bit.
    virtual HRESULT __stdcall StdcallMethod(IN DWORD dwValue, __out DWORD * pdwResult) = 0;

    virtual int __cdecl CdeclMethod(IN int a, IN int b = -1) = 0;

    virtual TORTURE_SMALL GetSmall(VOID) = 0;

    virtual TORTURE_MODE GetMode(
        IN TORTURE_MODE mode,
        IN PFN_TORTURE_CALLBACK pfnCallback,
        IN const GUID & guid,
        __out_ecount(4) DWORD rgdwValues[4]
    ) = 0;

    virtual float GetScale(VOID) const = 0;

    virtual wchar_t GetWide(IN unsigned short usIndex, IN unsigned char ucFlags) = 0;

    virtual char GetNarrow(_Out_opt_ short * psValue) = 0;

    virtual const TORTURE_POINT * GetPointPtr(IN OUT ULONGLONG * pullCookie = NULL) const = 0;
};

// A non-virtual method declared BEFORE a virtual overload set of the same
// name fixes the set's position. Slots:
//   0 First
//   1 Moved(BOOL, DWORD)
//   2 Moved(DWORD)
//   3 Second
class ITortureMoved
{
public:
    virtual VOID First(VOID) = 0;

    HRESULT Moved(IN PCSTR pszName) { UNREFERENCED_PARAMETER(pszName); return S_OK; }

    virtual VOID Second(VOID) = 0;

    virtual VOID Moved(IN DWORD dwValue) = 0;

    virtual VOID Moved(IN BOOL fValue, IN DWORD dwValue) = 0;
};

// Method (and parameter) names that are Rust keywords or reserved words, two
// names that differ only in case (self/Self), and a name that <windows.h>
// defines as an A/W macro (GetUserName -> GetUserNameW). Declaration order.
class __declspec(uuid("7c1f3a52-0d4b-4e8a-9b36-5a2e1f0c9d04")) ITortureKeywords
{
public:
    virtual VOID type(VOID) = 0;
    virtual VOID match(IN int type) = 0;
    virtual VOID move(VOID) = 0;
    virtual VOID ref(IN int self) = 0;
    virtual VOID self(VOID) = 0;
    virtual VOID Self(VOID) = 0;
    virtual VOID crate(VOID) = 0;
    virtual VOID super(VOID) = 0;
    virtual VOID fn(IN int impl, IN int loop) = 0;
    virtual VOID impl(VOID) = 0;
    virtual VOID mod(VOID) = 0;
    virtual VOID gen(VOID) = 0;
    virtual VOID async(VOID) = 0;
    virtual VOID await(VOID) = 0;
    virtual VOID dyn(VOID) = 0;
    virtual VOID unsafe(VOID) = 0;
    virtual VOID where(VOID) = 0;
    virtual VOID use(VOID) = 0;
    virtual VOID loop(VOID) = 0;

    virtual BOOL GetUserName(
        __out_ecount(*pcchBuffer) PWSTR pszBuffer,
        IN OUT DWORD * pcchBuffer
    ) = 0;
};

// Class with bodies and a protected virtual destructor in the middle, like
// CHttpModule. Slots:
//   0 OnFirst
//   1 ~CTortureModule   (MSVC: one slot, the scalar deleting destructor)
//   2 OnSecond
//   3 Dispose
class CTortureModule
{
public:
    virtual BOOL OnFirst(IN DWORD dwNotification)
    {
        UNREFERENCED_PARAMETER(dwNotification);
        return TRUE;
    }

protected:
    CTortureModule() {}

    virtual ~CTortureModule() {}

public:
    virtual VOID OnSecond(IN OUT DWORD * pdwState)
    {
        UNREFERENCED_PARAMETER(pdwState);
    }

    virtual VOID Dispose(VOID)
    {
        delete this;
    }
};

// Inherits the virtual destructor without declaring one, and overrides a base
// method. Slots:
//   0 OnFirst                   (overridden here: no new slot)
//   1 ~CTortureDerivedModule    (the implicit destructor's scalar deleting destructor)
//   2 OnSecond
//   3 Dispose
//   4 OnThird
class CTortureDerivedModule : public CTortureModule
{
public:
    virtual BOOL OnFirst(IN DWORD dwNotification)
    {
        return dwNotification != 0 ? TRUE : FALSE;
    }

    virtual VOID OnThird(
        __in PCSTR pszText,
        __out_ecount(cchOut) PWSTR pszOut,
        IN DWORD cchOut
    ) = 0;
};

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#endif // HTTPSERV_RS_TORTURE_H
