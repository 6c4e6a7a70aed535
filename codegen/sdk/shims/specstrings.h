/*
 * specstrings.h -- httpserv-rs stand-in.
 *
 * Source-annotation (SAL) markers, all expanding to nothing.  Only the
 * spellings that codegen/sdk/httpserv.h uses (plus a few close
 * relatives) are provided.  Each one is guarded so that a real SDK
 * definition seen earlier wins.
 */
#ifndef HTTPSERV_RS_SHIM_SPECSTRINGS_H
#define HTTPSERV_RS_SHIM_SPECSTRINGS_H

/* ---- legacy (double-underscore) markers ---- */
#ifndef __in
#define __in
#endif
#ifndef __out
#define __out
#endif
#ifndef __inout
#define __inout
#endif
#ifndef __in_opt
#define __in_opt
#endif
#ifndef __out_opt
#define __out_opt
#endif
#ifndef __inout_opt
#define __inout_opt
#endif
#ifndef __deref_out
#define __deref_out
#endif
#ifndef __deref_out_opt
#define __deref_out_opt
#endif
#ifndef __in_ecount
#define __in_ecount(n)
#endif
#ifndef __out_ecount
#define __out_ecount(n)
#endif
#ifndef __in_bcount
#define __in_bcount(n)
#endif
#ifndef __out_bcount
#define __out_bcount(n)
#endif
#ifndef __out_bcount_opt
#define __out_bcount_opt(n)
#endif
#ifndef __deref_out_ecount
#define __deref_out_ecount(n)
#endif
#ifndef __deref_out_bcount
#define __deref_out_bcount(n)
#endif
#ifndef __deref_out_bcount_part
#define __deref_out_bcount_part(size, length)
#endif

/* ---- SAL 2 markers ---- */
#ifndef _In_
#define _In_
#endif
#ifndef _In_opt_
#define _In_opt_
#endif
#ifndef _Out_
#define _Out_
#endif
#ifndef _Out_opt_
#define _Out_opt_
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _Inout_opt_
#define _Inout_opt_
#endif
#ifndef _Outptr_
#define _Outptr_
#endif
#ifndef _Outptr_opt_
#define _Outptr_opt_
#endif
#ifndef _Outptr_result_maybenull_
#define _Outptr_result_maybenull_
#endif
#ifndef _In_reads_
#define _In_reads_(n)
#endif
#ifndef _In_reads_opt_
#define _In_reads_opt_(n)
#endif
#ifndef _In_reads_bytes_
#define _In_reads_bytes_(n)
#endif
#ifndef _In_reads_bytes_opt_
#define _In_reads_bytes_opt_(n)
#endif
#ifndef _Out_writes_
#define _Out_writes_(n)
#endif
#ifndef _Out_writes_opt_
#define _Out_writes_opt_(n)
#endif
#ifndef _Out_writes_bytes_
#define _Out_writes_bytes_(n)
#endif
#ifndef _Out_writes_bytes_all_
#define _Out_writes_bytes_all_(n)
#endif
#ifndef _Out_writes_bytes_to_opt_
#define _Out_writes_bytes_to_opt_(size, count)
#endif
#ifndef _Ret_maybenull_
#define _Ret_maybenull_
#endif

#endif /* HTTPSERV_RS_SHIM_SPECSTRINGS_H */
