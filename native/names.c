/* Local look-ups that never wait on the network: the host name, services,
 * protocols, interfaces, and the inet_* address conversions. */
#include "exports.h"
#include "args.h"
#include "compat.h"

#define NAME_MAX_LEN 256

static napi_value make_string(napi_env env, const char *text) {
  napi_value value = NULL;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  return value;
}

static napi_value make_null(napi_env env) {
  napi_value value = NULL;
  napi_get_null(env, &value);
  return value;
}

/* gethostname(2) -> string | -errno */
static napi_value js_gethostname(napi_env env, napi_callback_info info) {
  (void)info;
  char name[HOST_NAME_MAX + 1];
  if (gethostname(name, sizeof name) < 0) return make_errno(env);
  name[HOST_NAME_MAX] = '\0';
  return make_string(env, name);
}

/* sethostname(2): (name bytes) -> 0 | -errno */
static napi_value js_sethostname(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  size_t len;
  const char *name = arg_bytes(&a, 0, &len);
  if (a.failed) return NULL;
  return sethostname(len ? name : "", len) < 0 ? make_errno(env) : make_int(env, 0);
}

/* (name, proto|null): reads argument i's protocol into buf, NULL for any. */
static const char *proto_arg(args_t *a, size_t i, char *buf, size_t size) {
  if (arg_is_null(a, i)) return NULL;
  arg_string(a, i, buf, size);
  return buf;
}

/* getservbyname_r(3): (name, proto|null) -> port | null */
static napi_value js_getservbyname(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  char name[NAME_MAX_LEN], proto_buf[NAME_MAX_LEN], buffer[4096];
  bool fits = arg_string(&a, 0, name, sizeof name);
  const char *proto = proto_arg(&a, 1, proto_buf, sizeof proto_buf);
  if (a.failed) return NULL;
  struct servent entry, *found = NULL;
  if (!fits || getservbyname_r(name, proto, &entry, buffer, sizeof buffer, &found) != 0 || found == NULL) return make_null(env);
  return make_int(env, ntohs((uint16_t)found->s_port));
}

/* getservbyport_r(3): (port, proto|null) -> name | null */
static napi_value js_getservbyport(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  char proto_buf[NAME_MAX_LEN], buffer[4096];
  int port = arg_int32(&a, 0);
  const char *proto = proto_arg(&a, 1, proto_buf, sizeof proto_buf);
  if (a.failed) return NULL;
  struct servent entry, *found = NULL;
  if (getservbyport_r(htons((uint16_t)port), proto, &entry, buffer, sizeof buffer, &found) != 0 || found == NULL) return make_null(env);
  return make_string(env, found->s_name);
}

/* getprotobyname_r(3) (compat.h): (name) -> number | null */
static napi_value js_getprotobyname(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  char name[NAME_MAX_LEN], buffer[4096];
  bool fits = arg_string(&a, 0, name, sizeof name);
  if (a.failed) return NULL;
  int proto = fits ? compat_getprotobyname(name, buffer, sizeof buffer) : -1;
  return proto < 0 ? make_null(env) : make_int(env, proto);
}

/* if_nameindex(3) -> [index, name][] | -errno */
static napi_value js_if_nameindex(napi_env env, napi_callback_info info) {
  (void)info;
  struct if_nameindex *list = if_nameindex();
  if (list == NULL) return make_errno(env);
  napi_value result = NULL;
  napi_create_array(env, &result);
  for (uint32_t k = 0; list[k].if_index != 0; k++) {
    napi_set_element(env, result, k, make_pair(env, make_int(env, list[k].if_index), make_string(env, list[k].if_name)));
  }
  if_freenameindex(list);
  return result;
}

/* if_nametoindex(3): (name) -> index | -errno */
static napi_value js_if_nametoindex(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  char name[IF_NAMESIZE + 1];
  bool fits = arg_string(&a, 0, name, sizeof name);
  if (a.failed) return NULL;
  unsigned index = fits ? if_nametoindex(name) : 0;
  if (index == 0) return make_int(env, fits ? -errno : -ENODEV);
  return make_int(env, index);
}

/* if_indextoname(3): (index) -> name | -errno */
static napi_value js_if_indextoname(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int64_t index = arg_int64(&a, 0);
  if (a.failed) return NULL;
  char name[IF_NAMESIZE];
  if (index <= 0 || index > UINT32_MAX) return make_int(env, -ENXIO);
  if (if_indextoname((unsigned)index, name) == NULL) return make_errno(env);
  return make_string(env, name);
}

/* inet_aton(3), with its legacy forms: (text) -> Buffer(4) | null */
static napi_value js_inet_aton(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  char text[64];
  bool fits = arg_string(&a, 0, text, sizeof text);
  if (a.failed) return NULL;
  struct in_addr addr;
  if (!fits || inet_aton(text, &addr) == 0) return make_null(env);
  napi_value buffer = NULL;
  napi_create_buffer_copy(env, sizeof addr, &addr, NULL, &buffer);
  return buffer;
}

/* inet_pton(3): (family, text) -> Buffer | null | -errno */
static napi_value js_inet_pton(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  char text[INET6_ADDRSTRLEN + 1];
  int family = arg_int32(&a, 0);
  bool fits = arg_string(&a, 1, text, sizeof text);
  if (a.failed) return NULL;
  if (family != AF_INET && family != AF_INET6) return make_int(env, -EAFNOSUPPORT);
  struct in6_addr addr;
  if (!fits || inet_pton(family, text, &addr) != 1) return make_null(env);
  napi_value buffer = NULL;
  napi_create_buffer_copy(env, family == AF_INET ? 4 : 16, &addr, NULL, &buffer);
  return buffer;
}

/* inet_ntop(3): (family, bytes) -> string | -errno */
static napi_value js_inet_ntop(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  size_t len;
  int family = arg_int32(&a, 0);
  const void *bytes = arg_bytes(&a, 1, &len);
  if (a.failed) return NULL;
  if (family != AF_INET && family != AF_INET6) return make_int(env, -EAFNOSUPPORT);
  if (len != (family == AF_INET ? 4u : 16u)) return make_int(env, -EINVAL);
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(family, bytes, text, sizeof text) == NULL) return make_errno(env);
  return make_string(env, text);
}

void register_names(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("gethostname", js_gethostname),
      EXPORT("sethostname", js_sethostname),
      EXPORT("getservbyname", js_getservbyname),
      EXPORT("getservbyport", js_getservbyport),
      EXPORT("getprotobyname", js_getprotobyname),
      EXPORT("ifNameindex", js_if_nameindex),
      EXPORT("ifNametoindex", js_if_nametoindex),
      EXPORT("ifIndextoname", js_if_indextoname),
      EXPORT("inetAton", js_inet_aton),
      EXPORT("inetPton", js_inet_pton),
      EXPORT("inetNtop", js_inet_ntop),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
