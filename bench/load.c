/* The echo benchmark's C programs (bench/servers.ts compiles this file with
 * cc -O2):
 *
 *   load server                   an epoll echo server (the limit); prints its port
 *   load client PORT CONNS COUNT  CONNS connections doing COUNT 64-byte round
 *                                 trips in all, driven by one epoll loop;
 *                                 prints the seconds of the round trips
 *   load idle PORT CONNS          CONNS connections that each make one round
 *                                 trip, then stay open and idle; prints
 *                                 "ready" and waits to be killed
 *
 * The connections are made one at a time, each with its first round trip
 * (blocking), so that every one is accepted and served before the timing
 * starts, whatever the server's accept queue. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE 64

static void die(const char *what) {
  perror(what);
  exit(1);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void nonblocking(int fd) {
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
}

static void nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt");
}

static void add(int epoll, int fd) {
  struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
  if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) < 0) die("epoll_ctl");
}

_Noreturn static void server(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0) die("socket");
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(listener, 4096) < 0) die("listen");
  if (getsockname(listener, (struct sockaddr *)&addr, &len) < 0) die("getsockname");
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  nonblocking(listener);
  int epoll = epoll_create1(0);
  if (epoll < 0) die("epoll_create1");
  add(epoll, listener);
  struct epoll_event events[256];
  char buffer[65536];
  for (;;) {
    int n = epoll_wait(epoll, events, 256, -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int k = 0; k < n; k++) {
      int fd = events[k].data.fd;
      if (fd == listener) {
        int conn;
        while ((conn = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          nodelay(conn);
          add(epoll, conn);
        }
        continue;
      }
      ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got > 0 && send(fd, buffer, (size_t)got, MSG_NOSIGNAL) == got) continue;
      if (got < 0 && errno == EAGAIN) continue;
      close(fd);
    }
  }
}

/* CONNS connections, each accepted and served once (a blocking round trip). */
static int *connect_all(int port, int conns, char *message) {
  int *fds = calloc((size_t)conns, sizeof *fds);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fds == NULL) die("calloc");
  for (int k = 0; k < conns; k++) {
    int fd = fds[k] = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
    nodelay(fd);
    if (send(fd, message, MESSAGE, MSG_NOSIGNAL) != MESSAGE) die("send");
    for (int got = 0; got < MESSAGE;) {
      ssize_t n = recv(fd, message, MESSAGE, 0);
      if (n <= 0) die("recv (first round trip)");
      got += (int)n;
    }
  }
  return fds;
}

static void client(int port, int conns, long count) {
  char message[MESSAGE];
  memset(message, 'x', sizeof message);
  int *fds = connect_all(port, conns, message);
  int epoll = epoll_create1(0);
  if (epoll < 0) die("epoll_create1");
  int *pending = calloc((size_t)conns, sizeof *pending);
  if (pending == NULL) die("calloc");
  long sent = 0, done = 0;
  double start = now();
  for (int k = 0; k < conns && sent < count; k++, sent++) {
    nonblocking(fds[k]);
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)k};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fds[k], &event) < 0) die("epoll_ctl");
    if (send(fds[k], message, MESSAGE, MSG_NOSIGNAL) != MESSAGE) die("send");
  }
  struct epoll_event events[256];
  char buffer[65536];
  while (done < count) {
    int n = epoll_wait(epoll, events, 256, -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int e = 0; e < n; e++) {
      int k = (int)events[e].data.u32;
      ssize_t got = recv(fds[k], buffer, sizeof buffer, 0);
      if (got < 0 && errno == EAGAIN) continue;
      if (got <= 0) die("recv");
      pending[k] += (int)got;
      while (pending[k] >= MESSAGE) {
        pending[k] -= MESSAGE;
        done++;
        if (sent < count) {
          sent++;
          if (send(fds[k], message, MESSAGE, MSG_NOSIGNAL) != MESSAGE) die("send");
        }
      }
    }
  }
  printf("%.9f\n", now() - start);
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "server") == 0) server();
  if (argc >= 5 && strcmp(argv[1], "client") == 0) {
    client(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "idle") == 0) {
    char message[MESSAGE];
    memset(message, 'x', sizeof message);
    connect_all(atoi(argv[2]), atoi(argv[3]), message);
    printf("ready\n");
    fflush(stdout);
    for (;;) pause();
  }
  fprintf(stderr, "usage: load server | load client PORT CONNS COUNT | load idle PORT CONNS\n");
  return 2;
}
