/* Readiness: one uv_poll_t watcher per socket on Node's own loop (async
 * calls), and poll(2) with a timeout for the Sync calls. Events are
 * contract.h's EVENT_READ, EVENT_WRITE and EVENT_PRIORITY bits, except
 * for poll, which is select.poll's poll(2) in its own POLL* bits.
 *
 * Teardown order, as libuv requires: uv_close (which stops the handle),
 * and only then may the caller close the fd. The struct is freed when both
 * the handle's close callback and the JS object's finalizer have run, so
 * neither a late callback nor a late GC touches freed memory or a reused
 * fd.
 *
 * Delivery: the events of one poll phase are gathered per watcher and
 * handed to JavaScript right after it, from a check handle, in one callback
 * scope (one async context for the instance): each watcher's callback is a
 * plain call, and promise reactions and nextTicks run once, after the
 * batch, rather than once per event. A watcher closed before its turn
 * (by an earlier callback of the batch) is skipped.
 *
 * Keep-alive: the watchers' handles never keep the loop alive themselves;
 * one async handle per instance does, while JavaScript counts waiting calls
 * in the state it shares with the addon (no crossing per wait). A count
 * that drops to 0 while a batch is delivered is acted on once the batch,
 * its promise reactions included, is done: a call served there usually
 * waits again at once, so the handle is not switched off and on per wait. */
#include "exports.h"
#include "args.h"
#include "contract.h"

#include <limits.h>
#include <stdlib.h>
#include <uv.h>

struct watcher {
  uv_poll_t handle;
  napi_env env;
  /* The callback and its `this` (NULL: the global): a method shared by
   * every watcher of a class, and the object it serves, rather than a
   * closure made for each watcher. */
  napi_ref callback, receiver;
  int events;
  /* Gathered for the next delivery: the status (the first error) and events. */
  int pending_status, pending_events;
  watcher_t *pending_next;
  bool closing, handle_closed, finalized, queued;
  /* The instance's list of watchers whose handle is open (teardown.c). */
  instance_t *instance;
  watcher_t *prev, *next;
};

static void watcher_free_if_done(watcher_t *w) {
  if (w->handle_closed && w->finalized) free(w);
}

/* Takes w out of the instance's pending events, if it is there. */
static void unqueue(watcher_t *w) {
  if (!w->queued) return;
  instance_t *instance = w->instance;
  watcher_t *before = NULL;
  for (watcher_t *p = instance->pending; p != NULL; before = p, p = p->pending_next) {
    if (p != w) continue;
    if (before != NULL) before->pending_next = w->pending_next;
    else instance->pending = w->pending_next;
    if (instance->pending_tail == w) instance->pending_tail = before;
    break;
  }
  w->queued = false;
}

static void on_handle_closed(uv_handle_t *handle) {
  watcher_t *w = handle->data;
  instance_t *instance = w->instance;
  unqueue(w);
  if (w->prev != NULL) w->prev->next = w->next;
  else instance->watchers = w->next;
  if (w->next != NULL) w->next->prev = w->prev;
  w->handle_closed = true;
  watcher_free_if_done(w);
  teardown_step(instance);
}

/* Stops the watcher for good and releases its JS references. uv_close
 * stops a poll handle itself, taking the fd out of epoll before it returns
 * (a uv_poll_stop first would only ask epoll_ctl twice). */
static void watcher_close(watcher_t *w) {
  if (w->closing) return;
  w->closing = true;
  uv_close((uv_handle_t *)&w->handle, on_handle_closed);
  napi_delete_reference(w->env, w->callback);
  if (w->receiver != NULL) napi_delete_reference(w->env, w->receiver);
}

/* The shared state: waiting calls (JavaScript's count), whether the loop
 * is kept alive, whether a batch is being delivered (the addon's). */
enum { KEEPALIVE_WAITING, KEEPALIVE_REFERENCED, KEEPALIVE_DELIVERING };

/* Keeps the loop alive exactly while calls wait. */
static void keepalive_sync(instance_t *instance) {
  int32_t *state = instance->keepalive_state;
  if (instance->keepalive == NULL || state == NULL) return;
  bool referenced = state[KEEPALIVE_WAITING] > 0;
  if (referenced == (state[KEEPALIVE_REFERENCED] != 0)) return;
  if (referenced) uv_ref((uv_handle_t *)instance->keepalive);
  else uv_unref((uv_handle_t *)instance->keepalive);
  state[KEEPALIVE_REFERENCED] = referenced;
}

static void on_keepalive_closed(uv_handle_t *handle) {
  instance_t *instance = handle->data;
  free(handle);
  instance->keepalive = NULL;
  teardown_step(instance);
}

static void on_dispatch_closed(uv_handle_t *handle) {
  instance_t *instance = handle->data;
  free(handle);
  instance->dispatch = NULL;
  teardown_step(instance);
}

void watchers_close_all(instance_t *instance) {
  for (watcher_t *w = instance->watchers; w != NULL; w = w->next) watcher_close(w);
  if (instance->dispatch != NULL && !uv_is_closing((uv_handle_t *)instance->dispatch)) {
    napi_async_destroy(instance->env, instance->dispatch_context);
    uv_close((uv_handle_t *)instance->dispatch, on_dispatch_closed);
  }
  if (instance->keepalive != NULL && !uv_is_closing((uv_handle_t *)instance->keepalive)) {
    instance->keepalive_state = NULL;
    napi_delete_reference(instance->env, instance->keepalive_array);
    uv_close((uv_handle_t *)instance->keepalive, on_keepalive_closed);
  }
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  watcher_t *w = data;
  watcher_close(w);
  w->finalized = true;
  watcher_free_if_done(w);
}

static int to_uv_events(int events) {
  return (events & EVENT_READ ? UV_READABLE : 0) | (events & EVENT_WRITE ? UV_WRITABLE : 0) |
         (events & EVENT_PRIORITY ? UV_PRIORITIZED : 0);
}

static int from_uv_events(int events) {
  return (events & UV_READABLE ? EVENT_READ : 0) | (events & UV_WRITABLE ? EVENT_WRITE : 0) |
         (events & UV_PRIORITIZED ? EVENT_PRIORITY : 0);
}

/* Calls w's callback with what was gathered for it (on its receiver, or the global). */
static void deliver(napi_env env, napi_value global, watcher_t *w) {
  napi_value callback, receiver = global, argv[2], result;
  int status = w->pending_status, events = w->pending_events;
  w->pending_status = w->pending_events = 0;
  if (w->closing || napi_get_reference_value(env, w->callback, &callback) != napi_ok || callback == NULL) return;
  if (w->receiver != NULL && (napi_get_reference_value(env, w->receiver, &receiver) != napi_ok || receiver == NULL)) return;
  argv[0] = make_int(env, status);
  argv[1] = make_int(env, from_uv_events(events));
  if (napi_call_function(env, receiver, callback, 2, argv, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

/* After the poll phase: every gathered event, in one callback scope. */
static void on_dispatch(uv_check_t *check) {
  instance_t *instance = check->data;
  napi_env env = instance->env;
  uv_check_stop(check);
  napi_handle_scope scope;
  napi_callback_scope callback_scope;
  napi_value receiver;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  int32_t *state = instance->keepalive_state;
  if (state != NULL) state[KEEPALIVE_DELIVERING] = 1;
  if (napi_get_global(env, &receiver) == napi_ok &&
      napi_open_callback_scope(env, receiver, instance->dispatch_context, &callback_scope) == napi_ok) {
    watcher_t *w;
    while ((w = instance->pending) != NULL) {
      instance->pending = w->pending_next;
      if (instance->pending == NULL) instance->pending_tail = NULL;
      w->queued = false;
      deliver(env, receiver, w);
    }
    napi_close_callback_scope(env, callback_scope);
  }
  /* The promise reactions have run: calls served and not waiting again let go. */
  if (instance->keepalive_state != NULL) {
    instance->keepalive_state[KEEPALIVE_DELIVERING] = 0;
    keepalive_sync(instance);
  }
  napi_close_handle_scope(env, scope);
}

/* The instance's check handle, made on first use; NULL if it cannot be. */
static uv_check_t *dispatcher(instance_t *instance, uv_loop_t *loop) {
  if (instance->dispatch != NULL) return instance->dispatch;
  uv_check_t *check = malloc(sizeof *check);
  napi_value name;
  if (check == NULL) return NULL;
  if (napi_create_string_utf8(instance->env, "berkeley.Socket", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(instance->env, NULL, name, &instance->dispatch_context) != napi_ok) {
    free(check);
    return NULL;
  }
  uv_check_init(loop, check);
  uv_unref((uv_handle_t *)check);
  check->data = instance;
  return instance->dispatch = check;
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  watcher_t *w = handle->data;
  instance_t *instance = w->instance;
  /* libuv stops the handle itself when it reports an error. */
  if (status < 0) w->events = 0;
  if (w->closing || instance->teardown != NULL || instance->dispatch == NULL) return;
  if (w->pending_status == 0) w->pending_status = status;
  w->pending_events |= events;
  if (!w->queued) {
    w->queued = true;
    w->pending_next = NULL;
    if (instance->pending_tail != NULL) instance->pending_tail->pending_next = w;
    else instance->pending = w;
    instance->pending_tail = w;
  }
  if (!uv_is_active((uv_handle_t *)instance->dispatch)) uv_check_start(instance->dispatch, on_dispatch);
}

/* watcherNew(fd, callback(status, events)[, receiver]) -> watcher | -errno:
 * callback is called on receiver (an object), or on the global when it is
 * missing, null or undefined. */
static napi_value js_watcher_new(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  int fd = arg_int32(&a, 0);
  napi_valuetype type;
  if (!a.failed && (napi_typeof(env, a.argv[1], &type) != napi_ok || type != napi_function))
    args_fail(&a, 1, "a function");
  bool has_receiver = !a.failed && a.argc > 2 && !arg_is_null(&a, 2);
  if (has_receiver && (napi_typeof(env, a.argv[2], &type) != napi_ok || (type != napi_object && type != napi_function)))
    args_fail(&a, 2, "an object");
  if (a.failed) return NULL;
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  watcher_t *w = calloc(1, sizeof *w);
  if (w == NULL) return make_int(env, -ENOMEM);
  int rc = uv_poll_init_socket(loop, &w->handle, fd);
  if (rc < 0) {
    free(w);
    return make_int(env, rc);
  }
  w->handle.data = w;
  w->env = env;
  uv_unref((uv_handle_t *)&w->handle);
  w->instance = instance_of(env);
  w->next = w->instance->watchers;
  if (w->next != NULL) w->next->prev = w;
  w->instance->watchers = w;
  napi_value external;
  if (dispatcher(w->instance, loop) == NULL || napi_create_reference(env, a.argv[1], 1, &w->callback) != napi_ok ||
      (has_receiver && napi_create_reference(env, a.argv[2], 1, &w->receiver) != napi_ok) ||
      napi_create_external(env, w, on_finalize, NULL, &external) != napi_ok) {
    /* Not reachable in practice; the handle must still be closed by libuv. */
    w->finalized = true;
    watcher_close(w);
    return NULL;
  }
  return external;
}

static watcher_t *watcher_arg(args_t *a, size_t i) {
  napi_valuetype type;
  void *data = NULL;
  if (!a->failed && (napi_typeof(a->env, a->argv[i], &type) != napi_ok || type != napi_external ||
                     napi_get_value_external(a->env, a->argv[i], &data) != napi_ok))
    args_fail(a, i, "a watcher");
  return data;
}

/* watcherUpdate(watcher, events) -> 0 | -errno: arms exactly these events (0 stops). */
static napi_value js_watcher_update(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  watcher_t *w = watcher_arg(&a, 0);
  int events = arg_int32(&a, 1) & EVENT_ALL;
  if (a.failed) return NULL;
  if (w->closing) return make_int(env, -EBADF);
  if (events != w->events) {
    int rc = events ? uv_poll_start(&w->handle, to_uv_events(events), on_poll) : uv_poll_stop(&w->handle);
    if (rc < 0) return make_int(env, rc);
    w->events = events;
  }
  return make_int(env, 0);
}

/* keepAliveState() -> Int32Array(3): the instance's keep-alive state
 * (KEEPALIVE_*), made with its handle on the first call, the same array on
 * every later one (a second copy of the module shares it). */
static napi_value js_keepalive_state(napi_env env, napi_callback_info info) {
  (void)info;
  instance_t *instance = instance_of(env);
  napi_value array, buffer;
  if (instance->keepalive != NULL) {
    if (instance->keepalive_state == NULL) return make_int(env, -EBADF); /* the env is ending */
    return napi_get_reference_value(env, instance->keepalive_array, &array) == napi_ok ? array : NULL;
  }
  uv_loop_t *loop;
  void *data;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok ||
      napi_create_arraybuffer(env, 3 * sizeof(int32_t), &data, &buffer) != napi_ok ||
      napi_create_typedarray(env, napi_int32_array, 3, buffer, 0, &array) != napi_ok)
    return NULL;
  uv_async_t *handle = malloc(sizeof *handle);
  if (handle == NULL) return make_int(env, -ENOMEM);
  if (napi_create_reference(env, array, 1, &instance->keepalive_array) != napi_ok) {
    free(handle);
    return NULL;
  }
  uv_async_init(loop, handle, NULL);
  uv_unref((uv_handle_t *)handle);
  handle->data = instance;
  instance->keepalive = handle;
  instance->keepalive_state = memset(data, 0, 3 * sizeof(int32_t));
  return array;
}

/* keepAliveSync(): keeps the loop alive exactly while the shared count of waiting calls is not 0. */
static napi_value js_keepalive_sync(napi_env env, napi_callback_info info) {
  (void)info;
  keepalive_sync(instance_of(env));
  return make_int(env, 0);
}

/* watcherClose(watcher): stop and release it; the fd may be closed after. */
static napi_value js_watcher_close(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  watcher_t *w = watcher_arg(&a, 0);
  if (a.failed) return NULL;
  watcher_close(w);
  return make_int(env, 0);
}

/* waitSync(fd, events, timeoutMs) -> ready events | 0 on timeout | -errno.
 * An error or hang-up counts as ready both ways: the next call reports it. */
static napi_value js_wait_sync(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  int fd = arg_int32(&a, 0), events = arg_int32(&a, 1), timeout = arg_int32(&a, 2);
  if (a.failed) return NULL;
  struct pollfd p = {.fd = fd, .events = (short)((events & EVENT_READ ? POLLIN : 0) | (events & EVENT_WRITE ? POLLOUT : 0))};
  int rc = poll(&p, 1, timeout < 0 ? -1 : timeout);
  if (rc < 0) return make_errno(env);
  if (rc == 0) return make_int(env, 0);
  if (p.revents & POLLNVAL) return make_int(env, -EBADF);
  if (p.revents & (POLLERR | POLLHUP)) return make_int(env, EVENT_READ | EVENT_WRITE);
  return make_int(env, (p.revents & POLLIN ? EVENT_READ : 0) | (p.revents & POLLOUT ? EVENT_WRITE : 0));
}

static short to_poll_events(int32_t events) {
  return (short)((events & EVENT_READ ? POLLIN : 0) | (events & EVENT_WRITE ? POLLOUT : 0) | (events & EVENT_PRIORITY ? POLLPRI : 0));
}

static short as_poll_events(int32_t events) {
  return (short)events;
}

/* What pollSync and poll share: their arguments (fds: Int32Array, events:
 * Int32Array, timeoutMs) as poll(2)'s array, on the stack for up to 64 fds. */
typedef struct {
  int32_t *fds, *events;
  size_t count;
  struct pollfd *p, stack[64];
} pollset_t;

#define POLL_ARGS_FAILED INT_MIN

/* poll(2) over the arguments, fds[k] asking for wanted(events[k]): its
 * result, or -errno (EINVAL: fewer events than fds), or POLL_ARGS_FAILED
 * with the JS exception pending. pollset_free() after a result. */
static int pollset_poll(pollset_t *s, napi_env env, napi_callback_info info, short (*wanted)(int32_t)) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return POLL_ARGS_FAILED;
  size_t events_count;
  s->fds = arg_int32_array(&a, 0, &s->count);
  s->events = arg_int32_array(&a, 1, &events_count);
  int timeout = arg_int32(&a, 2);
  s->p = s->stack;
  if (a.failed) return POLL_ARGS_FAILED;
  if (events_count < s->count) return -EINVAL;
  if (s->count > 64 && (s->p = calloc(s->count, sizeof *s->p)) == NULL) return -ENOMEM;
  for (size_t k = 0; k < s->count; k++) s->p[k] = (struct pollfd){.fd = s->fds[k], .events = wanted(s->events[k])};
  int rc = poll(s->p, s->count, timeout < 0 ? -1 : timeout);
  return rc < 0 ? -errno : rc;
}

static void pollset_free(pollset_t *s) {
  if (s->p != s->stack) free(s->p);
}

/* pollSync(fds: Int32Array, events: Int32Array, timeoutMs) -> ready count | -errno.
 * events[k] holds the wanted events of fds[k] and receives the ready ones;
 * an error or hang-up counts as readable and writable; a closed fd is
 * EVENT_CLOSED (POLLNVAL) alone. */
static napi_value js_poll_sync(napi_env env, napi_callback_info info) {
  pollset_t s;
  int rc = pollset_poll(&s, env, info, to_poll_events);
  if (rc == POLL_ARGS_FAILED) return NULL;
  int ready = 0;
  for (size_t k = 0; rc > 0 && k < s.count; k++) {
    short r = s.p[k].revents;
    int got = (r & (POLLIN | POLLERR | POLLHUP) ? EVENT_READ : 0) | (r & (POLLOUT | POLLERR | POLLHUP) ? EVENT_WRITE : 0) |
              (r & POLLPRI ? EVENT_PRIORITY : 0);
    s.events[k] = r & POLLNVAL ? EVENT_CLOSED : got & s.events[k];
    ready += s.events[k] != 0;
  }
  if (rc == 0 && s.count > 0) memset(s.events, 0, s.count * sizeof *s.events);
  pollset_free(&s);
  return make_int(env, rc < 0 ? rc : ready);
}

/* poll(fds: Int32Array, events: Int32Array, timeoutMs) -> [fd, revents][] | -errno:
 * poll(2) in its own bits both ways (select.poll), the pairs of the fds
 * whose revents are not 0, in the order of fds. */
static napi_value js_poll(napi_env env, napi_callback_info info) {
  pollset_t s;
  int rc = pollset_poll(&s, env, info, as_poll_events);
  if (rc == POLL_ARGS_FAILED) return NULL;
  napi_value result = rc < 0 ? make_int(env, rc) : NULL;
  if (rc >= 0 && napi_create_array_with_length(env, (size_t)rc, &result) == napi_ok) {
    for (size_t k = 0, found = 0; found < (size_t)rc && k < s.count; k++) {
      if (s.p[k].revents == 0) continue;
      napi_set_element(env, result, (uint32_t)found++, make_pair(env, make_int(env, s.p[k].fd), make_int(env, (unsigned short)s.p[k].revents)));
    }
  }
  pollset_free(&s);
  return result;
}

void register_poll(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("watcherNew", js_watcher_new),
      EXPORT("watcherUpdate", js_watcher_update),
      EXPORT("watcherClose", js_watcher_close),
      EXPORT("keepAliveState", js_keepalive_state),
      EXPORT("keepAliveSync", js_keepalive_sync),
      EXPORT("waitSync", js_wait_sync),
      EXPORT("pollSync", js_poll_sync),
      EXPORT("poll", js_poll),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
