/* getaddrinfo(3): the same look-up run on libuv's thread pool (a Promise)
 * or on the calling thread. A result is [family, type, proto, canonname,
 * address][]; a failure is {gai: EAI_* code, errno} (errno for EAI_SYSTEM). */
#include "exports.h"
#include "sockaddr.h"

#include <stdlib.h>

#define HOST_MAX 1025
#define SERVICE_MAX 64

typedef struct {
  char host[HOST_MAX], service[SERVICE_MAX];
  bool has_host, has_service;
  struct addrinfo hints;
  struct addrinfo *result;
  int gai, error;
  napi_deferred deferred;
  napi_async_work work;
} lookup_t;

/* Reads (host|null, service|null, family, type, proto, flags); false with an
 * exception pending, or with *invalid set for a name that cannot be valid. */
static bool lookup_from_args(args_t *a, lookup_t *l, bool *invalid) {
  memset(l, 0, sizeof *l);
  *invalid = false;
  l->has_host = !arg_is_null(a, 0);
  l->has_service = !arg_is_null(a, 1);
  if (l->has_host && !arg_string(a, 0, l->host, sizeof l->host)) *invalid = true;
  if (l->has_service && !arg_string(a, 1, l->service, sizeof l->service)) *invalid = true;
  l->hints.ai_family = arg_int32(a, 2);
  l->hints.ai_socktype = arg_int32(a, 3);
  l->hints.ai_protocol = arg_int32(a, 4);
  l->hints.ai_flags = arg_int32(a, 5);
  return !a->failed;
}

static void lookup_run(lookup_t *l) {
  l->gai = getaddrinfo(l->has_host ? l->host : NULL, l->has_service ? l->service : NULL, &l->hints, &l->result);
  l->error = l->gai == EAI_SYSTEM ? errno : 0;
}

static napi_value failure(napi_env env, int gai, int error) {
  napi_value result = NULL;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "gai", make_int(env, gai));
  napi_set_named_property(env, result, "errno", make_int(env, error));
  return result;
}

static napi_value lookup_result(napi_env env, lookup_t *l) {
  if (l->gai != 0) return failure(env, l->gai, l->error);
  napi_value list = NULL;
  napi_create_array(env, &list);
  uint32_t index = 0;
  for (struct addrinfo *ai = l->result; ai; ai = ai->ai_next) {
    napi_value entry, canonname;
    napi_create_string_utf8(env, ai->ai_canonname ? ai->ai_canonname : "", NAPI_AUTO_LENGTH, &canonname);
    napi_create_array_with_length(env, 5, &entry);
    napi_set_element(env, entry, 0, make_int(env, ai->ai_family));
    napi_set_element(env, entry, 1, make_int(env, ai->ai_socktype));
    napi_set_element(env, entry, 2, make_int(env, ai->ai_protocol));
    napi_set_element(env, entry, 3, canonname);
    napi_set_element(env, entry, 4, sockaddr_to_js(env, ai->ai_addr, ai->ai_addrlen));
    napi_set_element(env, list, index++, entry);
  }
  freeaddrinfo(l->result);
  l->result = NULL;
  return list;
}

/* getaddrinfoSync(host, service, family, type, proto, flags) */
static napi_value js_getaddrinfo_sync(napi_env env, napi_callback_info info) {
  args_t a;
  lookup_t l;
  bool invalid;
  if (!args_init(&a, env, info, 6) || !lookup_from_args(&a, &l, &invalid)) return NULL;
  if (invalid) return failure(env, EAI_NONAME, 0);
  lookup_run(&l);
  return lookup_result(env, &l);
}

static void lookup_execute(napi_env env, void *data) {
  (void)env;
  lookup_run(data);
}

static void lookup_complete(napi_env env, napi_status status, void *data) {
  lookup_t *l = data;
  if (status == napi_ok) {
    napi_resolve_deferred(env, l->deferred, lookup_result(env, l));
  } else {
    if (l->result) freeaddrinfo(l->result);
    napi_resolve_deferred(env, l->deferred, failure(env, EAI_SYSTEM, ECANCELED));
  }
  napi_delete_async_work(env, l->work);
  free(l);
}

/* getaddrinfo(host, service, family, type, proto, flags) -> Promise */
static napi_value js_getaddrinfo(napi_env env, napi_callback_info info) {
  args_t a;
  bool invalid;
  napi_value promise = NULL, name;
  if (!args_init(&a, env, info, 6)) return NULL;
  lookup_t *l = malloc(sizeof *l);
  if (l == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (!lookup_from_args(&a, l, &invalid) || napi_create_promise(env, &l->deferred, &promise) != napi_ok) {
    free(l);
    return NULL;
  }
  if (invalid) {
    napi_resolve_deferred(env, l->deferred, failure(env, EAI_NONAME, 0));
    free(l);
    return promise;
  }
  napi_create_string_utf8(env, "berkeley.getaddrinfo", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, lookup_execute, lookup_complete, l, &l->work);
  napi_queue_async_work(env, l->work);
  return promise;
}

/* gai_strerror(code) -> the system's message */
static napi_value js_gai_strerror(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int code = arg_int32(&a, 0);
  if (a.failed) return NULL;
  napi_value result = NULL;
  napi_create_string_utf8(env, gai_strerror(code), NAPI_AUTO_LENGTH, &result);
  return result;
}

void register_netdb(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("getaddrinfo", js_getaddrinfo),
      EXPORT("getaddrinfoSync", js_getaddrinfo_sync),
      EXPORT("gaiStrerror", js_gai_strerror),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
