#include <duktape.h>

/* duktape's convenience API is macros; these name the three calls Swift needs. */
static inline duk_context *nbrun_duk_create(void) { return duk_create_heap(NULL, NULL, NULL, NULL, NULL); }
static inline int nbrun_duk_eval(duk_context *ctx, const char *source) {
  return (int) duk_eval_raw(ctx, source, 0, DUK_COMPILE_EVAL | DUK_COMPILE_SAFE | DUK_COMPILE_NOSOURCE | DUK_COMPILE_STRLEN | DUK_COMPILE_NOFILENAME);
}
