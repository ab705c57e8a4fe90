#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

bool args_init(args_t *a, napi_env env, napi_callback_info info, size_t expected) {
  a->env = env;
  a->failed = false;
  a->argc = ARGS_MAX;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL) != napi_ok) return false;
  if (a->argc < expected) {
    char message[96];
    snprintf(message, sizeof message, "expected %zu arguments, got %zu", expected, a->argc);
    napi_throw_type_error(env, NULL, message);
    return false;
  }
  return true;
}

void args_fail(args_t *a, size_t i, const char *what) {
  if (a->failed) return;
  a->failed = true;
  char message[96];
  snprintf(message, sizeof message, "argument %zu must be %.40s", i, what);
  napi_throw_type_error(a->env, NULL, message);
}

static bool arg_is(args_t *a, size_t i, napi_valuetype want) {
  napi_valuetype type;
  return !a->failed && i < a->argc && napi_typeof(a->env, a->argv[i], &type) == napi_ok && type == want;
}

int32_t arg_int32(args_t *a, size_t i) {
  int32_t value = 0;
  if (!arg_is(a, i, napi_number) || napi_get_value_int32(a->env, a->argv[i], &value) != napi_ok)
    args_fail(a, i, "a number");
  return value;
}

int64_t arg_int64(args_t *a, size_t i) {
  int64_t value = 0;
  if (!arg_is(a, i, napi_number) || napi_get_value_int64(a->env, a->argv[i], &value) != napi_ok)
    args_fail(a, i, "a number");
  return value;
}

double arg_double(args_t *a, size_t i) {
  double value = 0;
  if (!arg_is(a, i, napi_number) || napi_get_value_double(a->env, a->argv[i], &value) != napi_ok)
    args_fail(a, i, "a number");
  return value;
}

bool arg_bool(args_t *a, size_t i) {
  bool value = false;
  if (!arg_is(a, i, napi_boolean) || napi_get_value_bool(a->env, a->argv[i], &value) != napi_ok)
    args_fail(a, i, "a boolean");
  return value;
}

bool arg_is_null(args_t *a, size_t i) {
  napi_valuetype type;
  return i < a->argc && napi_typeof(a->env, a->argv[i], &type) == napi_ok && (type == napi_null || type == napi_undefined);
}

void *arg_tagged(args_t *a, size_t i, const napi_type_tag *tag, const char *what) {
  void *data = NULL;
  bool tagged = false;
  if (!arg_is(a, i, napi_external) || napi_check_object_type_tag(a->env, a->argv[i], tag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(a->env, a->argv[i], &data) != napi_ok) {
    args_fail(a, i, what);
    return NULL;
  }
  return data;
}

void *arg_bytes(args_t *a, size_t i, size_t *len) {
  *len = 0;
  if (a->failed || i >= a->argc) {
    args_fail(a, i, "bytes");
    return NULL;
  }
  return value_bytes(a, a->argv[i], i, len);
}

void *value_bytes(args_t *a, napi_value value, size_t i, size_t *len) {
  *len = 0;
  if (a->failed) return NULL;
  napi_env env = a->env;
  bool is;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value buffer;
    if (napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset) == napi_ok) {
      size_t element = 1;
      switch (type) {
        case napi_int16_array: case napi_uint16_array: element = 2; break;
        case napi_int32_array: case napi_uint32_array: case napi_float32_array: element = 4; break;
        case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: element = 8; break;
        default: break;
      }
      *len = length * element;
      return data;
    }
  } else if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    napi_value buffer;
    size_t offset;
    if (napi_get_dataview_info(env, value, len, &data, &buffer, &offset) == napi_ok) return data;
  } else if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    if (napi_get_arraybuffer_info(env, value, &data, len) == napi_ok) return data;
  }
  args_fail(a, i, "bytes");
  return NULL;
}

int32_t *arg_int32_array(args_t *a, size_t i, size_t *count) {
  napi_typedarray_type type;
  size_t offset;
  void *data = NULL;
  napi_value buffer;
  bool is = false;
  *count = 0;
  if (a->failed || i >= a->argc || napi_is_typedarray(a->env, a->argv[i], &is) != napi_ok || !is ||
      napi_get_typedarray_info(a->env, a->argv[i], &type, count, &data, &buffer, &offset) != napi_ok || type != napi_int32_array) {
    args_fail(a, i, "an Int32Array");
    *count = 0;
    return NULL;
  }
  return data;
}

napi_value value_element(args_t *a, napi_value array, uint32_t index, size_t i) {
  napi_value value = NULL;
  if (!a->failed && napi_get_element(a->env, array, index, &value) != napi_ok) args_fail(a, i, "an array");
  return value;
}

uint32_t value_array_length(args_t *a, napi_value value, size_t i) {
  bool is = false;
  uint32_t length = 0;
  if (!a->failed && (napi_is_array(a->env, value, &is) != napi_ok || !is || napi_get_array_length(a->env, value, &length) != napi_ok))
    args_fail(a, i, "an array");
  return length;
}

bool arg_string(args_t *a, size_t i, char *buf, size_t size) {
  size_t copied = 0;
  if (!arg_is(a, i, napi_string) || napi_get_value_string_utf8(a->env, a->argv[i], buf, size, &copied) != napi_ok) {
    args_fail(a, i, "a string");
    return false;
  }
  return copied + 1 < size;
}

char *arg_string_copy(args_t *a, size_t i) {
  size_t length = 0;
  if (!arg_is(a, i, napi_string) || napi_get_value_string_utf8(a->env, a->argv[i], NULL, 0, &length) != napi_ok) {
    args_fail(a, i, "a string");
    return NULL;
  }
  char *copy = malloc(length + 1);
  if (copy != NULL) napi_get_value_string_utf8(a->env, a->argv[i], copy, length + 1, &length);
  return copy;
}

napi_value make_int(napi_env env, int64_t value) {
  napi_value result = NULL;
  napi_create_int64(env, value, &result);
  return result;
}

napi_value make_bool(napi_env env, bool value) {
  napi_value result = NULL;
  napi_get_boolean(env, value, &result);
  return result;
}

napi_value make_errno(napi_env env) {
  return make_int(env, -errno);
}

napi_value make_pair(napi_env env, napi_value first, napi_value second) {
  napi_value pair = NULL;
  if (napi_create_array_with_length(env, 2, &pair) != napi_ok) return NULL;
  napi_set_element(env, pair, 0, first);
  napi_set_element(env, pair, 1, second);
  return pair;
}
