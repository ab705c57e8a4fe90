/* The end of an env (a worker thread that exits or is terminated, or the
 * main thread at exit). Node-API's async cleanup hook runs while the env can
 * still run its loop: every readiness watcher is stopped and uv_close'd, and
 * the hook is removed only once their close callbacks have run, so that no
 * callback into this addon is left for after it is unloaded. Then, in a
 * worker, every fd that a Socket of this env still owns is closed, with a
 * ResourceWarning, as the GC of an unclosed Socket does; at the main
 * thread's exit the process takes them with it. */
#include "exports.h"
#include "args.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

static void close_owned(instance_t *instance) {
  for (size_t fd = 0; fd < instance->owned_size; fd++) {
    if (!instance->owned[fd]) continue;
    instance->owned[fd] = 0;
    close((int)fd);
    fprintf(stderr, "(node:%d) ResourceWarning: unclosed socket (fd %zu), closed as its worker thread ended\n", (int)getpid(), fd);
  }
}

void teardown_step(instance_t *instance) {
  if (instance->teardown == NULL || instance->watchers != NULL) return;
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
  if (fd >= 0 && (size_t)fd < instance->owned_size) instance->owned[fd] = 0;
}

/* own(fd) -> 0 | -EBADF | -ENOMEM: a Socket of this env owns fd (an open
 * one, so the table stays as small as the fd numbers in use) until close or
 * disown. */
static napi_value js_own(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  if (a.failed) return NULL;
  if (fd < 0 || fcntl(fd, F_GETFD) < 0) return make_int(env, -EBADF);
  instance_t *instance = instance_of(env);
  if ((size_t)fd >= instance->owned_size) {
    size_t size = instance->owned_size ? instance->owned_size : 64;
    while (size <= (size_t)fd) size *= 2;
    unsigned char *grown = realloc(instance->owned, size);
    if (grown == NULL) return make_int(env, -ENOMEM);
    memset(grown + instance->owned_size, 0, size - instance->owned_size);
    instance->owned = grown;
    instance->owned_size = size;
  }
  instance->owned[fd] = 1;
  return make_int(env, 0);
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
