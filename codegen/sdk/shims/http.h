/*
 * http.h -- httpserv-rs stand-in for the HTTP Server API header.
 *
 * Only what httpserv.h needs: the two enums it takes by value (with the
 * enumerator names and values of the public HTTP Server API), the
 * HTTP_OPAQUE_ID integer type, and incomplete declarations of the
 * structures it only ever uses through pointers.  Expects <windows.h>
 * (or this directory's stand-in) to have been included first.
 */
#ifndef HTTPSERV_RS_SHIM_HTTP_H
#define HTTPSERV_RS_SHIM_HTTP_H

typedef ULONGLONG HTTP_OPAQUE_ID, *PHTTP_OPAQUE_ID;

/* Known-header indices.  Request and response headers share the first
 * 20 slots (general + entity headers) and then diverge. */
typedef enum _HTTP_HEADER_ID
{
    /* general headers */
    HttpHeaderCacheControl          = 0,
    HttpHeaderConnection            = 1,
    HttpHeaderDate                  = 2,
    HttpHeaderKeepAlive             = 3,
    HttpHeaderPragma                = 4,
    HttpHeaderTrailer               = 5,
    HttpHeaderTransferEncoding      = 6,
    HttpHeaderUpgrade               = 7,
    HttpHeaderVia                   = 8,
    HttpHeaderWarning               = 9,

    /* entity headers */
    HttpHeaderAllow                 = 10,
    HttpHeaderContentLength         = 11,
    HttpHeaderContentType           = 12,
    HttpHeaderContentEncoding       = 13,
    HttpHeaderContentLanguage       = 14,
    HttpHeaderContentLocation       = 15,
    HttpHeaderContentMd5            = 16,
    HttpHeaderContentRange          = 17,
    HttpHeaderExpires               = 18,
    HttpHeaderLastModified          = 19,

    /* request-only headers */
    HttpHeaderAccept                = 20,
    HttpHeaderAcceptCharset         = 21,
    HttpHeaderAcceptEncoding        = 22,
    HttpHeaderAcceptLanguage        = 23,
    HttpHeaderAuthorization         = 24,
    HttpHeaderCookie                = 25,
    HttpHeaderExpect                = 26,
    HttpHeaderFrom                  = 27,
    HttpHeaderHost                  = 28,
    HttpHeaderIfMatch               = 29,
    HttpHeaderIfModifiedSince       = 30,
    HttpHeaderIfNoneMatch           = 31,
    HttpHeaderIfRange               = 32,
    HttpHeaderIfUnmodifiedSince     = 33,
    HttpHeaderMaxForwards           = 34,
    HttpHeaderProxyAuthorization    = 35,
    HttpHeaderReferer               = 36,
    HttpHeaderRange                 = 37,
    HttpHeaderTe                    = 38,
    HttpHeaderTranslate             = 39,
    HttpHeaderUserAgent             = 40,
    HttpHeaderRequestMaximum        = 41,

    /* response-only headers (reuse the request-only index range) */
    HttpHeaderAcceptRanges          = 20,
    HttpHeaderAge                   = 21,
    HttpHeaderEtag                  = 22,
    HttpHeaderLocation              = 23,
    HttpHeaderProxyAuthenticate     = 24,
    HttpHeaderRetryAfter            = 25,
    HttpHeaderServer                = 26,
    HttpHeaderSetCookie             = 27,
    HttpHeaderVary                  = 28,
    HttpHeaderWwwAuthenticate       = 29,
    HttpHeaderResponseMaximum       = 30,

    HttpHeaderMaximum               = 41
} HTTP_HEADER_ID, *PHTTP_HEADER_ID;

/* Property selector for HttpQueryRequestProperty (and
 * IHttpServer3::QueryRequestProperty). */
typedef enum _HTTP_REQUEST_PROPERTY
{
    HttpRequestPropertyIsb,
    HttpRequestPropertyTcpInfoV0,
    HttpRequestPropertyQuicStats,
    HttpRequestPropertyTcpInfoV1,
    HttpRequestPropertySni,
    HttpRequestPropertyStreamError,
    HttpRequestPropertyWskApiTimings,
    HttpRequestPropertyQuicApiTimings,
    HttpRequestPropertyQuicStatsV2,
    HttpRequestPropertyQuicStreamStats,
    HttpRequestPropertyTcpInfoV2
} HTTP_REQUEST_PROPERTY, *PHTTP_REQUEST_PROPERTY;

/* Structures used only behind pointers: incomplete on purpose. */
typedef struct _HTTP_DATA_CHUNK HTTP_DATA_CHUNK, *PHTTP_DATA_CHUNK;
typedef struct _HTTP_CACHE_POLICY HTTP_CACHE_POLICY, *PHTTP_CACHE_POLICY;
typedef struct _HTTP_LOG_DATA HTTP_LOG_DATA, *PHTTP_LOG_DATA;
typedef struct _HTTP_SSL_CLIENT_CERT_INFO HTTP_SSL_CLIENT_CERT_INFO, *PHTTP_SSL_CLIENT_CERT_INFO;

typedef struct _HTTP_REQUEST_V1 HTTP_REQUEST_V1, *PHTTP_REQUEST_V1;
typedef struct _HTTP_REQUEST_V2 HTTP_REQUEST_V2, *PHTTP_REQUEST_V2;
typedef struct _HTTP_RESPONSE_V1 HTTP_RESPONSE_V1, *PHTTP_RESPONSE_V1;
typedef struct _HTTP_RESPONSE_V2 HTTP_RESPONSE_V2, *PHTTP_RESPONSE_V2;

/* The unversioned names follow the target Windows version. */
#if _WIN32_WINNT >= 0x0600
typedef HTTP_REQUEST_V2 HTTP_REQUEST, *PHTTP_REQUEST;
typedef HTTP_RESPONSE_V2 HTTP_RESPONSE, *PHTTP_RESPONSE;
#else
typedef HTTP_REQUEST_V1 HTTP_REQUEST, *PHTTP_REQUEST;
typedef HTTP_RESPONSE_V1 HTTP_RESPONSE, *PHTTP_RESPONSE;
#endif

#endif /* HTTPSERV_RS_SHIM_HTTP_H */
