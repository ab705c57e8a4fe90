#include "sockaddr.h"
#include "contract.h"

#include <stdlib.h>

/* "fe80::1%eth0" or "fe80::1%2": the scope after '%' becomes the scope id. */
static int parse_ipv6(const char *text, struct sockaddr_in6 *out) {
  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  size_t n = strlen(text);
  if (n >= sizeof host) return -EINVAL;
  memcpy(host, text, n + 1);
  char *percent = strchr(host, '%');
  if (percent) {
    *percent = '\0';
    const char *scope = percent + 1;
    char *end;
    unsigned long index = strtoul(scope, &end, 10);
    if (*scope == '\0' || *end != '\0') index = if_nametoindex(scope);
    if (index == 0) return -EINVAL;
    if (out->sin6_scope_id == 0) out->sin6_scope_id = (uint32_t)index;
  }
  return inet_pton(AF_INET6, host, &out->sin6_addr) == 1 ? 0 : -EINVAL;
}

static int inet_from_js(args_t *a, size_t i, int family, sockaddr_any *out, socklen_t *len) {
  bool is_array = false;
  uint32_t length = 0;
  napi_env env = a->env;
  if (napi_is_array(env, a->argv[i], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, a->argv[i], &length) != napi_ok || length < 2) {
    args_fail(a, i, "an address tuple");
    return -EINVAL;
  }
  /* Read the tuple's fields through a nested args_t so the same checks apply. */
  args_t t = {.env = env, .argc = length < ARGS_MAX ? length : ARGS_MAX, .failed = false};
  for (uint32_t k = 0; k < t.argc; k++) t.argv[k] = value_element(&t, a->argv[i], k, k);
  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  bool fits = arg_string(&t, 0, host, sizeof host);
  int32_t port = arg_int32(&t, 1);
  if (t.failed) {
    a->failed = true;
    return -EINVAL;
  }
  if (!fits || port < 0 || port > 65535) return -EINVAL;
  memset(out, 0, sizeof *out);
  if (family == AF_INET) {
    out->in.sin_family = AF_INET;
    out->in.sin_port = htons((uint16_t)port);
    *len = sizeof out->in;
    return inet_pton(AF_INET, host, &out->in.sin_addr) == 1 ? 0 : -EINVAL;
  }
  out->in6.sin6_family = AF_INET6;
  out->in6.sin6_port = htons((uint16_t)port);
  if (t.argc > 2) out->in6.sin6_flowinfo = htonl((uint32_t)arg_int64(&t, 2));
  if (t.argc > 3) out->in6.sin6_scope_id = (uint32_t)arg_int64(&t, 3);
  if (t.failed) {
    a->failed = true;
    return -EINVAL;
  }
  *len = sizeof out->in6;
  return parse_ipv6(host, &out->in6);
}

static int unix_from_js(args_t *a, size_t i, sockaddr_any *out, socklen_t *len) {
  napi_valuetype type;
  size_t n = 0;
  const char *path;
  char text[SUN_PATH_MAX + 1];
  if (napi_typeof(a->env, a->argv[i], &type) == napi_ok && type == napi_string) {
    if (napi_get_value_string_utf8(a->env, a->argv[i], text, sizeof text, &n) != napi_ok) return -EINVAL;
    path = text;
  } else {
    path = arg_bytes(a, i, &n);
    if (a->failed) return -EINVAL;
  }
  if (n >= SUN_PATH_MAX + (n > 0 && path[0] == '\0')) return -ENAMETOOLONG;
  memset(out, 0, sizeof *out);
  out->un.sun_family = AF_UNIX;
  if (n) memcpy(out->un.sun_path, path, n);
  /* An abstract name is exactly its bytes; a path is NUL-terminated. */
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (n > 0 && path[0] != '\0'));
  return 0;
}

/* [ifname, proto, pkttype?, hatype?, addr?] -> sockaddr_ll; proto in host order. */
static int packet_from_js(args_t *a, size_t i, sockaddr_any *out, socklen_t *len) {
  uint32_t length = value_array_length(a, a->argv[i], i);
  if (a->failed) return -EINVAL;
  if (length < 2 || length > 5) return -EINVAL;
  args_t t = {.env = a->env, .argc = length, .failed = false};
  for (uint32_t k = 0; k < length; k++) t.argv[k] = value_element(&t, a->argv[i], k, k);
  char ifname[IF_NAMESIZE + 1];
  size_t halen = 0;
  bool fits = arg_string(&t, 0, ifname, sizeof ifname);
  int proto = arg_int32(&t, 1);
  int pkttype = length > 2 ? arg_int32(&t, 2) : 0;
  int hatype = length > 3 ? arg_int32(&t, 3) : 0;
  const void *addr = length > 4 ? arg_bytes(&t, 4, &halen) : NULL;
  if (t.failed) {
    a->failed = true;
    return -EINVAL;
  }
  memset(out, 0, sizeof *out);
  if (!fits || halen > SLL_ADDR_MAX) return -EINVAL;
  unsigned index = if_nametoindex(ifname);
  if (index == 0) return -ENODEV;
  out->ll.sll_family = AF_PACKET;
  out->ll.sll_protocol = htons((uint16_t)proto);
  out->ll.sll_ifindex = (int)index;
  out->ll.sll_pkttype = (unsigned char)pkttype;
  out->ll.sll_hatype = (unsigned short)hatype;
  out->ll.sll_halen = (unsigned char)halen;
  if (halen) memcpy(out->ll.sll_addr, addr, halen);
  *len = sizeof out->ll;
  return 0;
}

int sockaddr_from_js(args_t *a, size_t i, int family, sockaddr_any *out, socklen_t *len) {
  *len = 0;
  if (a->failed) return -EINVAL;
  if (i >= a->argc) {
    args_fail(a, i, "an address");
    return -EINVAL;
  }
  switch (family) {
    case AF_INET:
    case AF_INET6:
      return inet_from_js(a, i, family, out, len);
    case AF_UNIX:
      return unix_from_js(a, i, out, len);
    case AF_PACKET:
      return packet_from_js(a, i, out, len);
    default:
      return -EAFNOSUPPORT;
  }
}

static napi_value make_string(napi_env env, const char *text, size_t len) {
  napi_value value = NULL;
  napi_create_string_utf8(env, text, len, &value);
  return value;
}

static napi_value make_tuple(napi_env env, napi_value *items, uint32_t count) {
  napi_value tuple = NULL;
  if (napi_create_array_with_length(env, count, &tuple) != napi_ok) return NULL;
  for (uint32_t k = 0; k < count; k++) napi_set_element(env, tuple, k, items[k]);
  return tuple;
}

napi_value sockaddr_to_js(napi_env env, const struct sockaddr *sa, socklen_t len) {
  char host[INET6_ADDRSTRLEN];
  napi_value result = NULL;
  if (len < (socklen_t)sizeof(sa_family_t)) {
    napi_get_null(env, &result);
    return result;
  }
  switch (sa->sa_family) {
    case AF_INET: {
      const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
      inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
      napi_value items[] = {make_string(env, host, NAPI_AUTO_LENGTH), make_int(env, ntohs(in->sin_port))};
      return make_tuple(env, items, 2);
    }
    case AF_INET6: {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
      napi_value items[] = {make_string(env, host, NAPI_AUTO_LENGTH), make_int(env, ntohs(in6->sin6_port)),
                            make_int(env, ntohl(in6->sin6_flowinfo)), make_int(env, in6->sin6_scope_id)};
      return make_tuple(env, items, 4);
    }
    case AF_UNIX: {
      const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
      size_t n = len - offsetof(struct sockaddr_un, sun_path);
      if (n > SUN_PATH_MAX) n = SUN_PATH_MAX;
      if (n > 0 && un->sun_path[0] == '\0') {
        napi_create_buffer_copy(env, n, un->sun_path, NULL, &result);
        return result;
      }
      return make_string(env, un->sun_path, strnlen(un->sun_path, n));
    }
    case AF_PACKET: {
      const struct sockaddr_ll *ll = (const struct sockaddr_ll *)sa;
      char ifname[IF_NAMESIZE] = "";
      if_indextoname((unsigned)ll->sll_ifindex, ifname);
      napi_value addr = NULL;
      size_t halen = ll->sll_halen < SLL_ADDR_MAX ? ll->sll_halen : SLL_ADDR_MAX;
      napi_create_buffer_copy(env, halen, ll->sll_addr, NULL, &addr);
      napi_value items[] = {make_string(env, ifname, NAPI_AUTO_LENGTH), make_int(env, ntohs(ll->sll_protocol)),
                            make_int(env, ll->sll_pkttype), make_int(env, ll->sll_hatype), addr};
      return make_tuple(env, items, 5);
    }
    default: {
      napi_value raw = NULL;
      size_t n = len - offsetof(struct sockaddr, sa_data);
      napi_create_buffer_copy(env, n, sa->sa_data, NULL, &raw);
      napi_value items[] = {make_int(env, sa->sa_family), raw};
      return make_tuple(env, items, 2);
    }
  }
}
