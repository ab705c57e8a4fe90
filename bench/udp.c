/* The C side of bench/udp-batch.ts: the flood every receiver is measured
 * under, and the C baselines (one system call per datagram, and the batched
 * and GSO calls for reference). Compiled by the bench with `cc -O2`.
 *
 *   udp blast PORT SIZE               floods 127.0.0.1:PORT with SIZE-byte datagrams until killed
 *   udp recvfrom SIZE WARMUP COUNT [CYCLES]  receives: prints its port, then the seconds of COUNT datagrams
 *   udp recvmmsg SIZE WARMUP COUNT [CYCLES [VLEN]]  the same, VLEN (64) datagrams a recvmmsg(2)
 *   udp sendto PORT SIZE WARMUP COUNT sends COUNT datagrams, one sendto(2) each: prints the seconds
 *   udp sendmmsg PORT SIZE WARMUP COUNT  the same, 64 a sendmmsg(2)
 *   udp gso PORT SIZE WARMUP COUNT    COUNT sends of SIZE bytes with UDP_SEGMENT 1200
 *
 * Receivers time from the end of the WARMUP-th datagram, CYCLES times over
 * (default once; the namespace bench drains a queue it filled each cycle);
 * SO_RCVBUFFORCE (root) or SO_RCVBUF gives them UDP_BENCH_RCVBUF bytes of
 * queue (default 8 MiB). Senders send to UDP_BENCH_HOST (default 127.0.0.1). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SEGMENT 1200
#define MAX_DATAGRAM 65536

static void die(const char *what) {
  perror(what);
  exit(1);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return to;
}

/* Senders' destination: UDP_BENCH_HOST, or loopback. */
static struct sockaddr_in destination(int port) {
  struct sockaddr_in to = loopback(port);
  const char *host = getenv("UDP_BENCH_HOST");
  if (host != NULL && inet_pton(AF_INET, host, &to.sin_addr) != 1) die("UDP_BENCH_HOST");
  return to;
}

static int udp_socket(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  return fd;
}

static void connect_to(int fd, int port) {
  struct sockaddr_in to = destination(port);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
}

/* A batch of BATCH messages that all send iov. */
static void batch_of(struct mmsghdr *msgs, struct iovec *iov) {
  memset(msgs, 0, BATCH * sizeof *msgs);
  for (int k = 0; k < BATCH; k++) {
    msgs[k].msg_hdr.msg_iov = iov;
    msgs[k].msg_hdr.msg_iovlen = 1;
  }
}

static void blast(int port, size_t size) {
  int fd = udp_socket();
  connect_to(fd, port);
  static char data[MAX_DATAGRAM];
  struct mmsghdr msgs[BATCH];
  struct iovec iov = {.iov_base = data, .iov_len = size};
  batch_of(msgs, &iov);
  for (;;) sendmmsg(fd, msgs, BATCH, 0); /* ECONNREFUSED until the receiver binds: ignored */
}

/* batched: the vlen of each recvmmsg(2), or 0 for recvfrom(2). */
static void receive(size_t size, long warmup, long count, long cycles, int batched) {
  int fd = udp_socket();
  const char *rcvbuf = getenv("UDP_BENCH_RCVBUF");
  int bytes = rcvbuf != NULL ? atoi(rcvbuf) : 8 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  struct sockaddr_in any = loopback(0);
  socklen_t len = sizeof any;
  if (bind(fd, (struct sockaddr *)&any, sizeof any) < 0 || getsockname(fd, (struct sockaddr *)&any, &len) < 0) die("bind");
  printf("%d\n", ntohs(any.sin_port));
  fflush(stdout);
  static char data[BATCH][MAX_DATAGRAM];
  struct mmsghdr msgs[BATCH];
  struct iovec iovs[BATCH];
  struct sockaddr_in from[BATCH];
  for (; cycles > 0; cycles--) {
    long got = 0;
    double start = 0;
    while (got < warmup + count) {
      if (batched) {
        for (int k = 0; k < BATCH; k++) {
          iovs[k] = (struct iovec){.iov_base = data[k], .iov_len = size};
          msgs[k].msg_hdr = (struct msghdr){.msg_name = &from[k], .msg_namelen = sizeof from[k], .msg_iov = &iovs[k], .msg_iovlen = 1};
        }
        int n = recvmmsg(fd, msgs, (unsigned)batched, MSG_WAITFORONE, NULL);
        if (n < 0) die("recvmmsg");
        got += n;
      } else {
        socklen_t fromlen = sizeof from[0];
        if (recvfrom(fd, data[0], size, 0, (struct sockaddr *)&from[0], &fromlen) < 0) die("recvfrom");
        got++;
      }
      if (start == 0 && got >= warmup) start = now();
    }
    printf("%.9f\n", (now() - start) * (double)count / (double)(got - warmup));
    fflush(stdout);
  }
}

static void send_count(int port, size_t size, long warmup, long count, int mode) {
  int fd = udp_socket();
  connect_to(fd, port);
  static char data[MAX_DATAGRAM];
  if (mode == 2) {
    int segment = SEGMENT;
    if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &segment, sizeof segment) < 0) die("UDP_SEGMENT");
  }
  struct mmsghdr msgs[BATCH];
  struct iovec iov = {.iov_base = data, .iov_len = size};
  batch_of(msgs, &iov);
  double start = 0;
  for (long sent = 0; sent < warmup + count;) {
    if (sent >= warmup && start == 0) start = now();
    if (mode == 1) {
      long left = warmup + count - sent;
      int n = sendmmsg(fd, msgs, left < BATCH ? (unsigned)left : BATCH, 0);
      if (n < 0) die("sendmmsg");
      sent += n;
    } else {
      if (send(fd, data, size, 0) < 0) die("send");
      sent++;
    }
  }
  printf("%.9f\n", now() - start);
}

int main(int argc, char **argv) {
  long cycles = argc >= 6 ? atol(argv[5]) : 1;
  int vlen = argc == 7 ? atoi(argv[6]) : BATCH;
  if (vlen < 1 || vlen > BATCH) vlen = BATCH;
  if (argc == 4 && strcmp(argv[1], "blast") == 0) blast(atoi(argv[2]), (size_t)atol(argv[3]));
  else if ((argc == 5 || argc == 6) && strcmp(argv[1], "recvfrom") == 0) receive((size_t)atol(argv[2]), atol(argv[3]), atol(argv[4]), cycles, 0);
  else if (argc >= 5 && argc <= 7 && strcmp(argv[1], "recvmmsg") == 0) receive((size_t)atol(argv[2]), atol(argv[3]), atol(argv[4]), cycles, vlen);
  else if (argc == 6 && strcmp(argv[1], "sendto") == 0) send_count(atoi(argv[2]), (size_t)atol(argv[3]), atol(argv[4]), atol(argv[5]), 0);
  else if (argc == 6 && strcmp(argv[1], "sendmmsg") == 0) send_count(atoi(argv[2]), (size_t)atol(argv[3]), atol(argv[4]), atol(argv[5]), 1);
  else if (argc == 6 && strcmp(argv[1], "gso") == 0) send_count(atoi(argv[2]), (size_t)atol(argv[3]), atol(argv[4]), atol(argv[5]), 2);
  else {
    fprintf(stderr, "usage: see bench/udp.c\n");
    return 2;
  }
  return 0;
}
