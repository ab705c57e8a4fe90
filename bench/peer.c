/* The C baseline of the benchmarks: the same work as the TypeScript peers in
 * bench/, with blocking sockets and plain send/recv (the limit the others
 * are measured against). Compiled by bench/run.ts with `cc -O2`.
 *
 *   peer server bulk|pingpong                     prints its port, serves until killed
 *   peer client bulk|pingpong PORT WARMUP AMOUNT  prints the timed run's seconds
 *
 * The protocol is described in bench/common.ts. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (256 * 1024)

/* From malloc, as Node's Buffer.alloc(CHUNK) is: same placement (16 bytes
 * past a page boundary with glibc), and so the same copy speed, for all. */
static char *buffer;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt");
}

static void send_all(int fd, const char *data, size_t n) {
  while (n > 0) {
    ssize_t sent = send(fd, data, n, MSG_NOSIGNAL);
    if (sent < 0) die("send");
    data += sent;
    n -= (size_t)sent;
  }
}

/* Reads one byte; 0 at EOF. */
static int recv_byte(int fd, char *byte) {
  ssize_t got = recv(fd, byte, 1, 0);
  if (got < 0) die("recv");
  return (int)got;
}

static void serve(int conn, int bulk) {
  char byte;
  if (bulk) {
    ssize_t got;
    while ((got = recv(conn, buffer, CHUNK, 0)) > 0) {}
    if (got < 0) die("recv");
    send_all(conn, "k", 1);
  } else {
    while (recv_byte(conn, &byte)) send_all(conn, &byte, 1);
  }
}

_Noreturn static void server(int bulk) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0) die("socket");
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(listener, 16) < 0) die("listen");
  if (getsockname(listener, (struct sockaddr *)&addr, &len) < 0) die("getsockname");
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (;;) {
    int conn = accept(listener, NULL, NULL);
    if (conn < 0) die("accept");
    nodelay(conn);
    serve(conn, bulk);
    close(conn);
  }
}

/* One connection's worth of the workload; returns its seconds. */
static double run(int port, int bulk, long amount) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
  nodelay(fd);
  char byte = 'x';
  double start = now();
  if (bulk) {
    for (long sent = 0; sent < amount; sent += CHUNK) send_all(fd, buffer, CHUNK);
    if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
    if (!recv_byte(fd, &byte)) die("early EOF");
  } else {
    for (long i = 0; i < amount; i++) {
      send_all(fd, &byte, 1);
      if (!recv_byte(fd, &byte)) die("early EOF");
    }
  }
  double seconds = now() - start;
  close(fd);
  return seconds;
}

int main(int argc, char **argv) {
  buffer = malloc(CHUNK);
  if (buffer == NULL) die("malloc");
  memset(buffer, 'x', CHUNK);
  if (argc >= 3 && strcmp(argv[1], "server") == 0) server(strcmp(argv[2], "bulk") == 0);
  if (argc < 6 || strcmp(argv[1], "client") != 0) {
    fprintf(stderr, "usage: peer server WORKLOAD | peer client WORKLOAD PORT WARMUP AMOUNT\n");
    return 2;
  }
  int bulk = strcmp(argv[2], "bulk") == 0, port = atoi(argv[3]);
  run(port, bulk, atol(argv[4]));
  printf("%.9f\n", run(port, bulk, atol(argv[5])));
  return 0;
}
