/*
 * The listener poll's floors (bench tooling): the least a poll can cost, in C, single-threaded.
 *   sockdiag diag SECONDS              NETLINK_SOCK_DIAG dumps of TCP LISTEN and unconnected UDP, v4 + v6
 *   sockdiag read SECONDS DIR FILE...  read each DIR/FILE (e.g. /proc/net tcp tcp6) whole, parsing nothing
 * Repeats until SECONDS of wall time and 3 rounds have passed, then prints
 * "rounds N cpu_seconds_per_round X" (getrusage of this process around the loop only), and for
 * `diag` one line "L proto family port inode" per socket of the last round.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* One dump; prints its sockets when `print`. Exits on any error: a floor that fails is no floor. */
static int dump(int fd, int protocol, int family, unsigned states, int print) {
  struct {
    struct nlmsghdr h;
    struct inet_diag_req_v2 r;
  } req = {{sizeof req, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0}, {family, protocol, 0, 0, states, {0}}};
  if (send(fd, &req, sizeof req, 0) != sizeof req) { perror("send"); exit(1); }
  int count = 0;
  for (;;) {
    int n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) { perror("recv"); exit(1); }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return count;
      if (h->nlmsg_type == NLMSG_ERROR) { fprintf(stderr, "sock_diag error\n"); exit(1); }
      struct inet_diag_msg *m = NLMSG_DATA(h);
      count++;
      if (print) printf("L %s ipv%d %u %u\n", protocol == IPPROTO_TCP ? "tcp" : "udp", family == AF_INET ? 4 : 6, ntohs(m->id.idiag_sport), m->idiag_inode);
    }
  }
}

static void diag_round(int fd, int print) {
  dump(fd, IPPROTO_TCP, AF_INET, 1 << 10, print); /* TCP_LISTEN */
  dump(fd, IPPROTO_TCP, AF_INET6, 1 << 10, print);
  dump(fd, IPPROTO_UDP, AF_INET, 1 << 7, print); /* TCP_CLOSE: not connected */
  dump(fd, IPPROTO_UDP, AF_INET6, 1 << 7, print);
}

static void read_round(const char *dir, char **files, int nfiles) {
  char path[4096];
  for (int i = 0; i < nfiles; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    int f = open(path, O_RDONLY);
    if (f < 0) { perror(path); exit(1); }
    while (read(f, buf, sizeof buf) > 0) {}
    close(f);
  }
}

int main(int argc, char **argv) {
  int diag = argc == 3 && strcmp(argv[1], "diag") == 0;
  if (!diag && !(argc >= 5 && strcmp(argv[1], "read") == 0)) { fprintf(stderr, "usage: sockdiag diag SECONDS | sockdiag read SECONDS DIR FILE...\n"); return 2; }
  double seconds = atof(argv[2]);
  int fd = diag ? socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG) : -1;
  if (diag && fd < 0) { perror("socket"); return 1; }
  double t0 = now(), c0 = cpu();
  long rounds = 0;
  while (rounds < 3 || now() - t0 < seconds) {
    if (diag) diag_round(fd, 0);
    else read_round(argv[3], argv + 4, argc - 4);
    rounds++;
  }
  double per = (cpu() - c0) / rounds;
  printf("rounds %ld cpu_seconds_per_round %.9f\n", rounds, per);
  if (diag) diag_round(fd, 1);
  return 0;
}
