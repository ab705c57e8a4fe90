/* The C baseline of the benchmarks: the same work as the TypeScript peers in
 * bench/, with blocking sockets and plain send/recv (the limit the others
 * are measured against). Compiled by bench/run.ts with `cc -O2`.
 *
 *   peer server WORKLOAD                     prints its port, serves until killed
 *   peer client WORKLOAD PORT WARMUP AMOUNT  prints the timed run's seconds
 *
 * WORKLOAD: bulk, pingpong, udp or connect.
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
#define DATAGRAM 64

enum workload { BULK, PINGPONG, UDP, CONNECT };

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

_Noreturn static void server(enum workload w) {
  int listener = socket(AF_INET, w == UDP ? SOCK_DGRAM : SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0) die("socket");
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (w != UDP && listen(listener, 16) < 0) die("listen");
  if (getsockname(listener, (struct sockaddr *)&addr, &len) < 0) die("getsockname");
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (;;) {
    if (w == UDP) {
      struct sockaddr_in from;
      socklen_t fromlen = sizeof from;
      ssize_t got = recvfrom(listener, buffer, CHUNK, 0, (struct sockaddr *)&from, &fromlen);
      if (got < 0) die("recvfrom");
      if (sendto(listener, buffer, (size_t)got, 0, (struct sockaddr *)&from, fromlen) < 0) die("sendto");
      continue;
    }
    int conn = accept(listener, NULL, NULL);
    if (conn < 0) die("accept");
    if (w != CONNECT) {
      nodelay(conn);
      serve(conn, w == BULK);
    }
    close(conn);
  }
}

/* One connection's worth of the workload; returns its seconds. */
static double run(int port, enum workload w, long amount) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (w == CONNECT) {
    char byte;
    double start = now();
    for (long i = 0; i < amount; i++) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0) die("socket");
      if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
      if (recv_byte(fd, &byte)) die("data instead of EOF");
      close(fd);
    }
    return now() - start;
  }
  int fd = socket(AF_INET, w == UDP ? SOCK_DGRAM : SOCK_STREAM, 0);
  int bulk = w == BULK;
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
  if (w != UDP) nodelay(fd);
  char byte = 'x';
  double start = now();
  if (w == UDP) {
    for (long i = 0; i < amount; i++) {
      if (send(fd, buffer, DATAGRAM, 0) < 0) die("send");
      if (recv(fd, buffer, DATAGRAM, 0) != DATAGRAM) die("recv");
    }
  } else if (bulk) {
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
  static const char *names[] = {"bulk", "pingpong", "udp", "connect"};
  enum workload w = PINGPONG;
  for (int k = 0; argc >= 3 && k < 4; k++)
    if (strcmp(argv[2], names[k]) == 0) w = (enum workload)k;
  if (argc >= 3 && strcmp(argv[1], "server") == 0) server(w);
  if (argc < 6 || strcmp(argv[1], "client") != 0) {
    fprintf(stderr, "usage: peer server WORKLOAD | peer client WORKLOAD PORT WARMUP AMOUNT\n");
    return 2;
  }
  int port = atoi(argv[3]);
  run(port, w, atol(argv[4]));
  printf("%.9f\n", run(port, w, atol(argv[5])));
  return 0;
}
