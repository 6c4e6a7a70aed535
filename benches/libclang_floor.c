/* The libclang floor for benches/regen.py: load a libclang the way clang-sys does (dlopen
 * at run time, lazy binding) and parse one translation unit with the options httpserv-codegen
 * uses (detailed preprocessing record, function bodies skipped, on the calling thread), then
 * exit. No AST walk.
 *
 * Usage: libclang_floor LIBCLANG.so FILE.cpp CLANG-ARGS...
 * Declares the few functions it calls itself, so no libclang headers are needed to build it:
 *   cc -O2 -o libclang_floor libclang_floor.c -ldl
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef void *CXIndex;
typedef void *CXTranslationUnit;
typedef CXIndex (*create_index_fn)(int, int);
typedef int (*parse_fn)(CXIndex, const char *, const char *const *, int, void *, unsigned,
                        unsigned, CXTranslationUnit *);
typedef unsigned (*num_diagnostics_fn)(CXTranslationUnit);

enum {
    DETAILED_PREPROCESSING_RECORD = 0x01,
    SKIP_FUNCTION_BODIES = 0x40,
};

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s LIBCLANG.so FILE.cpp CLANG-ARGS...\n", argv[0]);
        return 2;
    }
    /* As httpserv-codegen does (codegen/src/libclang.rs): libclang parses on this thread
     * instead of starting one for it. */
    setenv("LIBCLANG_NOTHREADS", "1", 0);
    void *lib = dlopen(argv[1], RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    create_index_fn create_index = (create_index_fn)dlsym(lib, "clang_createIndex");
    parse_fn parse = (parse_fn)dlsym(lib, "clang_parseTranslationUnit2");
    num_diagnostics_fn num_diagnostics = (num_diagnostics_fn)dlsym(lib, "clang_getNumDiagnostics");
    if (!create_index || !parse || !num_diagnostics) {
        fprintf(stderr, "missing libclang symbols\n");
        return 1;
    }
    CXIndex index = create_index(0, 0);
    CXTranslationUnit tu = 0;
    int err = parse(index, argv[2], (const char *const *)(argv + 3), argc - 3, 0, 0,
                    DETAILED_PREPROCESSING_RECORD | SKIP_FUNCTION_BODIES, &tu);
    if (err || !tu) {
        fprintf(stderr, "parse failed: %d\n", err);
        return 1;
    }
    printf("%u diagnostics\n", num_diagnostics(tu));
    return 0;
}
