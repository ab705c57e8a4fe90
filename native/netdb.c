/* The look-ups that may wait on the network: getaddrinfo(3), getnameinfo(3),
 * gethostbyname_r(3) and gethostbyaddr_r(3). Each JS function runs its job
 * either on libuv's thread pool (returning a Promise) or on the calling
 * thread (the Sync form), chosen by the function's data pointer.
 *
 * Results: getaddrinfo -> [family, type, proto, canonname, address][];
 * getnameinfo -> [host, service]; the hostent calls -> [name, aliases,
 * addresses]. A failure is {gai, errno} (errno for EAI_SYSTEM) or {herrno}. */
#include "exports.h"
#include "sockaddr.h"

#include <stdlib.h>

#define HOST_MAX 1025
#define SERVICE_MAX 64
#define HOSTENT_BUFFER 16384

typedef struct job job_t;

struct job {
  void (*run)(job_t *);
  napi_value (*result)(napi_env, job_t *);
  napi_deferred deferred;
  napi_async_work work;
  int gai, error, herrno;
  char host[HOST_MAX], service[SERVICE_MAX];
  bool has_host, has_service;
  struct addrinfo hints, *addrinfo; /* getaddrinfo */
  sockaddr_any addr;                /* getnameinfo, gethostbyaddr */
  socklen_t addrlen;
  int flags;
  struct hostent hostent, *found; /* the hostent calls */
  char buffer[HOSTENT_BUFFER];
};

static napi_value gai_failure(napi_env env, int gai, int error) {
  napi_value result = NULL;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "gai", make_int(env, gai));
  napi_set_named_property(env, result, "errno", make_int(env, error));
  return result;
}

static napi_value make_string(napi_env env, const char *text) {
  napi_value value = NULL;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  return value;
}

/* ---- getaddrinfo -------------------------------------------------------- */

static void addrinfo_run(job_t *j) {
  j->gai = getaddrinfo(j->has_host ? j->host : NULL, j->has_service ? j->service : NULL, &j->hints, &j->addrinfo);
  j->error = j->gai == EAI_SYSTEM ? errno : 0;
}

static napi_value addrinfo_result(napi_env env, job_t *j) {
  if (j->gai != 0) return gai_failure(env, j->gai, j->error);
  napi_value list = NULL;
  napi_create_array(env, &list);
  uint32_t index = 0;
  for (struct addrinfo *ai = j->addrinfo; ai; ai = ai->ai_next) {
    napi_value entry;
    napi_create_array_with_length(env, 5, &entry);
    napi_set_element(env, entry, 0, make_int(env, ai->ai_family));
    napi_set_element(env, entry, 1, make_int(env, ai->ai_socktype));
    napi_set_element(env, entry, 2, make_int(env, ai->ai_protocol));
    napi_set_element(env, entry, 3, make_string(env, ai->ai_canonname ? ai->ai_canonname : ""));
    napi_set_element(env, entry, 4, sockaddr_to_js(env, ai->ai_addr, ai->ai_addrlen));
    napi_set_element(env, list, index++, entry);
  }
  freeaddrinfo(j->addrinfo);
  j->addrinfo = NULL;
  return list;
}

/* (host|null, service|null, family, type, proto, flags); false when the
 * call cannot go on (an exception is pending, or *early holds the result). */
static bool addrinfo_args(args_t *a, job_t *j, napi_value *early) {
  j->run = addrinfo_run;
  j->result = addrinfo_result;
  j->has_host = !arg_is_null(a, 0);
  j->has_service = !arg_is_null(a, 1);
  bool host_fits = !j->has_host || arg_string(a, 0, j->host, sizeof j->host);
  bool service_fits = !j->has_service || arg_string(a, 1, j->service, sizeof j->service);
  j->hints.ai_family = arg_int32(a, 2);
  j->hints.ai_socktype = arg_int32(a, 3);
  j->hints.ai_protocol = arg_int32(a, 4);
  j->hints.ai_flags = arg_int32(a, 5);
  if (a->failed) return false;
  if (!host_fits || !service_fits) *early = gai_failure(a->env, EAI_NONAME, 0);
  return *early == NULL;
}

/* ---- getnameinfo -------------------------------------------------------- */

static void nameinfo_run(job_t *j) {
  j->gai = getnameinfo(&j->addr.sa, j->addrlen, j->host, sizeof j->host, j->service, sizeof j->service, j->flags);
  j->error = j->gai == EAI_SYSTEM ? errno : 0;
}

static napi_value nameinfo_result(napi_env env, job_t *j) {
  if (j->gai != 0) return gai_failure(env, j->gai, j->error);
  return make_pair(env, make_string(env, j->host), make_string(env, j->service));
}

/* (family, address, flags) */
static bool nameinfo_args(args_t *a, job_t *j, napi_value *early) {
  j->run = nameinfo_run;
  j->result = nameinfo_result;
  int family = arg_int32(a, 0);
  int rc = sockaddr_from_js(a, 1, family, &j->addr, &j->addrlen);
  j->flags = arg_int32(a, 2);
  if (a->failed) return false;
  if (rc < 0) *early = gai_failure(a->env, EAI_SYSTEM, -rc);
  return *early == NULL;
}

/* ---- gethostbyname_ex / gethostbyaddr ------------------------------------ */

static void byname_run(job_t *j) {
  gethostbyname_r(j->host, &j->hostent, j->buffer, sizeof j->buffer, &j->found, &j->herrno);
}

static void byaddr_run(job_t *j) {
  const void *addr = &j->addr.in.sin_addr;
  socklen_t len = sizeof j->addr.in.sin_addr;
  if (j->addr.sa.sa_family == AF_INET6) {
    addr = &j->addr.in6.sin6_addr;
    len = sizeof j->addr.in6.sin6_addr;
  }
  gethostbyaddr_r(addr, len, j->addr.sa.sa_family, &j->hostent, j->buffer, sizeof j->buffer, &j->found, &j->herrno);
}

static napi_value hostent_result(napi_env env, job_t *j) {
  napi_value result = NULL, aliases, addresses;
  if (j->found == NULL) {
    napi_create_object(env, &result);
    napi_set_named_property(env, result, "herrno", make_int(env, j->herrno ? j->herrno : HOST_NOT_FOUND));
    return result;
  }
  struct hostent *h = j->found;
  napi_create_array(env, &aliases);
  for (uint32_t k = 0; h->h_aliases && h->h_aliases[k]; k++) napi_set_element(env, aliases, k, make_string(env, h->h_aliases[k]));
  napi_create_array(env, &addresses);
  char text[INET6_ADDRSTRLEN];
  for (uint32_t k = 0; h->h_addr_list && h->h_addr_list[k]; k++) {
    if (inet_ntop(h->h_addrtype, h->h_addr_list[k], text, sizeof text)) napi_set_element(env, addresses, k, make_string(env, text));
  }
  napi_create_array_with_length(env, 3, &result);
  napi_set_element(env, result, 0, make_string(env, h->h_name ? h->h_name : ""));
  napi_set_element(env, result, 1, aliases);
  napi_set_element(env, result, 2, addresses);
  return result;
}

/* (name) */
static bool byname_args(args_t *a, job_t *j, napi_value *early) {
  j->run = byname_run;
  j->result = hostent_result;
  bool fits = arg_string(a, 0, j->host, sizeof j->host);
  if (a->failed) return false;
  if (!fits) {
    j->herrno = HOST_NOT_FOUND;
    *early = hostent_result(a->env, j);
  }
  return *early == NULL;
}

/* (family, address) */
static bool byaddr_args(args_t *a, job_t *j, napi_value *early) {
  j->run = byaddr_run;
  j->result = hostent_result;
  int family = arg_int32(a, 0);
  int rc = sockaddr_from_js(a, 1, family, &j->addr, &j->addrlen);
  if (a->failed) return false;
  if (rc < 0) {
    j->herrno = HOST_NOT_FOUND;
    *early = hostent_result(a->env, j);
  }
  return *early == NULL;
}

/* ---- running a job -------------------------------------------------------- */

static void job_execute(napi_env env, void *data) {
  (void)env;
  job_t *j = data;
  j->run(j);
}

static void job_complete(napi_env env, napi_status status, void *data) {
  job_t *j = data;
  napi_value result = status == napi_ok ? j->result(env, j) : gai_failure(env, EAI_SYSTEM, ECANCELED);
  if (j->addrinfo) freeaddrinfo(j->addrinfo);
  napi_resolve_deferred(env, j->deferred, result);
  napi_delete_async_work(env, j->work);
  free(j);
}

typedef bool (*job_args)(args_t *, job_t *, napi_value *);

static const struct {
  const char *name;
  size_t argc;
  job_args parse;
} kinds[] = {
    {"berkeley.getaddrinfo", 6, addrinfo_args},
    {"berkeley.getnameinfo", 3, nameinfo_args},
    {"berkeley.gethostbyname", 1, byname_args},
    {"berkeley.gethostbyaddr", 2, byaddr_args},
};

enum { SYNC = 1 };

/* The function's data is kind << 1 | SYNC. */
static napi_value js_lookup(napi_env env, napi_callback_info info) {
  void *data;
  args_t a;
  napi_value early = NULL, promise = NULL, name;
  if (napi_get_cb_info(env, info, NULL, NULL, NULL, &data) != napi_ok) return NULL;
  uintptr_t selector = (uintptr_t)data;
  size_t kind = selector >> 1;
  if (!args_init(&a, env, info, kinds[kind].argc)) return NULL;
  job_t *j = calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  bool ready = !kinds[kind].parse(&a, j, &early);
  if (a.failed) {
    free(j);
    return NULL;
  }
  if (selector & SYNC) {
    if (!ready) {
      j->run(j);
      early = j->result(env, j);
    }
    free(j);
    return early;
  }
  if (napi_create_promise(env, &j->deferred, &promise) != napi_ok) {
    free(j);
    return NULL;
  }
  if (ready) {
    /* Answered from the arguments alone: still a Promise, as always. */
    napi_resolve_deferred(env, j->deferred, early);
    free(j);
    return promise;
  }
  napi_create_string_utf8(env, kinds[kind].name, NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, NULL, name, job_execute, job_complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    napi_resolve_deferred(env, j->deferred, gai_failure(env, EAI_SYSTEM, EAGAIN));
    free(j);
  }
  return promise;
}

#define LOOKUP(name, kind, sync) {name, NULL, js_lookup, NULL, NULL, NULL, napi_enumerable, (void *)(uintptr_t)((kind) << 1 | (sync))}

/* gai_strerror(code) */
static napi_value js_gai_strerror(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int code = arg_int32(&a, 0);
  if (a.failed) return NULL;
  return make_string(env, gai_strerror(code));
}

/* hstrerror(herrno) */
static napi_value js_hstrerror(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int code = arg_int32(&a, 0);
  if (a.failed) return NULL;
  return make_string(env, hstrerror(code));
}

void register_netdb(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      LOOKUP("getaddrinfo", 0, 0),
      LOOKUP("getaddrinfoSync", 0, SYNC),
      LOOKUP("getnameinfo", 1, 0),
      LOOKUP("getnameinfoSync", 1, SYNC),
      LOOKUP("gethostbyname", 2, 0),
      LOOKUP("gethostbynameSync", 2, SYNC),
      LOOKUP("gethostbyaddr", 3, 0),
      LOOKUP("gethostbyaddrSync", 3, SYNC),
      EXPORT("gaiStrerror", js_gai_strerror),
      EXPORT("hstrerror", js_hstrerror),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
