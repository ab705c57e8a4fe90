/* The end of an env (a worker thread that exits or is terminated, or the
 * main thread at exit). Node-API's async cleanup hook runs while the env can
 * still run its loop: every readiness watcher is stopped and uv_close'd, and
 * the hook is removed only once their close callbacks have run, so that no
 * callback into this addon is left for after it is unloaded. Then, in a
 * worker, every fd that a Socket of this env still owns is closed, with a
 * ResourceWarning (and where the Socket was made, when warnings are
 * traced), as the GC of an unclosed Socket does; at the main thread's exit
 * the process takes them with it. */
#include "exports.h"
#include "args.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

static void close_owned(instance_t *instance) {
  for (size_t fd = 0; fd < instance->owned_size; fd++) {
    if (!instance->owned[fd]) continue;
    close((int)fd);
    const char *site = fd < instance->sites_size ? instance->sites[fd] : NULL;
    fprintf(stderr, "(node:%d) ResourceWarning: unclosed socket (fd %zu), closed as its worker thread ended\n%s%s", (int)getpid(), fd,
            site != NULL ? site : "", site != NULL ? "\n" : "");
    fd_disown(instance, (int)fd);
  }
}

void teardown_step(instance_t *instance) {
  if (instance->teardown == NULL || instance->watchers != NULL || instance->dispatch != NULL ||
      instance->keepalive != NULL) return;
  if (!instance->main_thread) close_owned(instance);
  napi_async_cleanup_hook_handle hook = instance->teardown;
  instance->teardown = NULL;
  napi_remove_async_cleanup_hook(hook);
}

static void on_teardown(napi_async_cleanup_hook_handle hook, void *data) {
  instance_t *instance = data;
  instance->teardown = hook;
  watchers_close_all(instance);
  teardown_step(instance);
}

void fd_disown(instance_t *instance, int fd) {
  if (fd < 0) return;
  if ((size_t)fd < instance->owned_size) instance->owned[fd] = 0;
  if ((size_t)fd < instance->sites_size) {
    free(instance->sites[fd]);
    instance->sites[fd] = NULL;
  }
}

void owned_free(instance_t *instance) {
  for (size_t fd = 0; fd < instance->sites_size; fd++) free(instance->sites[fd]);
  free(instance->sites);
  free(instance->owned);
}

/* table, of *size elements of element bytes, grown (zero-filled) to hold
 * index fd; NULL, with table and *size as they were, when out of memory. */
static void *grown(void *table, size_t *size, size_t element, size_t fd) {
  if (fd < *size) return table;
  size_t n = *size ? *size : 64;
  while (n <= fd) n *= 2;
  char *bigger = realloc(table, n * element);
  if (bigger == NULL) return NULL;
  memset(bigger + *size * element, 0, (n - *size) * element);
  *size = n;
  return bigger;
}

/* Records fd as owned, and site (taken over) as where its Socket was made:
 * 0 | -EBADF | -ENOMEM. */
static int own(instance_t *instance, int fd, char *site) {
  if (fd < 0 || fcntl(fd, F_GETFD) < 0) return -EBADF;
  unsigned char *owned = grown(instance->owned, &instance->owned_size, 1, (size_t)fd);
  if (owned == NULL) return -ENOMEM;
  instance->owned = owned;
  if (site != NULL) {
    char **sites = grown(instance->sites, &instance->sites_size, sizeof *sites, (size_t)fd);
    if (sites == NULL) return -ENOMEM;
    instance->sites = sites;
    free(sites[fd]);
    sites[fd] = site;
  }
  owned[fd] = 1;
  return 0;
}

/* own(fd[, site]) -> 0 | -EBADF | -ENOMEM: a Socket of this env owns fd (an
 * open one, so the tables stay as small as the fd numbers in use) until
 * close or disown. site, where the Socket was made, is printed under the
 * warning if the env ends with fd still owned. */
static napi_value js_own(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  bool has_site = a.argc > 1 && !arg_is_null(&a, 1);
  char *site = has_site ? arg_string_copy(&a, 1) : NULL;
  if (a.failed) return NULL;
  if (has_site && site == NULL) return make_int(env, -ENOMEM);
  int rc = own(instance_of(env), fd, site);
  if (rc < 0) free(site);
  return make_int(env, rc);
}

/* disown(fd): the fd is handed over (detach, toNetSocket) and stays open. */
static napi_value js_disown(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  if (a.failed) return NULL;
  fd_disown(instance_of(env), fd);
  return make_int(env, 0);
}

void register_teardown(napi_env env, napi_value exports, instance_t *instance) {
  uv_loop_t *loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  instance->main_thread = loop == uv_default_loop();
  napi_add_async_cleanup_hook(env, on_teardown, instance, NULL);
  const napi_property_descriptor functions[] = {
      EXPORT("own", js_own),
      EXPORT("disown", js_disown),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
