/* Argument conversion for the native functions. TypeScript validates every
 * argument first; these checks only guarantee that no input, however wrong,
 * can crash the process: the first bad argument throws a TypeError and
 * marks the call failed, and the function returns NULL after its last read. */
#ifndef BERKELEY_ARGS_H
#define BERKELEY_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <node_api.h>

#define ARGS_MAX 6

typedef struct {
  napi_env env;
  napi_value argv[ARGS_MAX];
  size_t argc;
  bool failed;
} args_t;

/* Reads the call's arguments; false (with an exception pending) on failure. */
bool args_init(args_t *a, napi_env env, napi_callback_info info, size_t expected);
/* Throws a TypeError naming argument i, once per call. */
void args_fail(args_t *a, size_t i, const char *what);

int32_t arg_int32(args_t *a, size_t i);
int64_t arg_int64(args_t *a, size_t i);
double arg_double(args_t *a, size_t i);
bool arg_bool(args_t *a, size_t i);
/* Bytes of a TypedArray, DataView or ArrayBuffer (borrowed, not copied).
 * Borrow last: reading an array element or an address may run JavaScript
 * (getters, proxies), which can detach a buffer borrowed before it, so a
 * function reads every argument first and borrows only after. */
void *arg_bytes(args_t *a, size_t i, size_t *len);
/* A UTF-8 string into buf (NUL-terminated); false if it does not fit. */
bool arg_string(args_t *a, size_t i, char *buf, size_t size);
/* A UTF-8 string in memory of its own (NUL-terminated, the caller's to
 * free); NULL when the argument is not a string, or out of memory. */
char *arg_string_copy(args_t *a, size_t i);
bool arg_is_null(args_t *a, size_t i);
/* The data of an external made by this addon with this type tag (a TLS
 * context or connection): never another external's, nor another value. */
void *arg_tagged(args_t *a, size_t i, const napi_type_tag *tag, const char *what);
/* An Int32Array's elements (aligned, as JavaScript guarantees) and count. */
int32_t *arg_int32_array(args_t *a, size_t i, size_t *count);
/* The same checks for a value inside argument i (an array's element). */
void *value_bytes(args_t *a, napi_value value, size_t i, size_t *len);
uint32_t value_array_length(args_t *a, napi_value value, size_t i);
napi_value value_element(args_t *a, napi_value array, uint32_t index, size_t i);

napi_value make_int(napi_env env, int64_t value);
napi_value make_bool(napi_env env, bool value);
/* -errno of the last failed system call, as the native layer's result. */
napi_value make_errno(napi_env env);
napi_value make_pair(napi_env env, napi_value first, napi_value second);

#endif
