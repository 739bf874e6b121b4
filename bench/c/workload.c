/*
 * Bench workload: one process holding N descriptors of mixed types (bench tooling, not the product).
 *   workload N DIR LISTEN UID [THREADS [MEMFDS]]
 *     N       descriptors to hold (approximately; pairs add two)
 *     DIR     a writable folder (mode 1777) for the files and the deleted file
 *     LISTEN  1: also listen on tcp/udp x 127.0.0.1/::1 (port 0) and hold 2 established loopback pairs
 *     UID     drop to this uid/gid after raising RLIMIT_NOFILE (-1: stay)
 *     THREADS run this many threads in all (default 1), the others sleeping and sharing everything,
 *             as an ordinary multi-threaded server's do (what the scan's task walk must not pay for)
 *     MEMFDS  also hold this many memfds of 64 KiB each (default 0), part of the N descriptors
 * Prints one line "ready PID tcp4=P tcp6=P udp4=P udp6=P deleted=INODE:SIZE" when set up.
 * On stdin: "L" opens one more TCP listener on 127.0.0.1 and prints "listen PORT"; "R" does the same
 * after closing one held file, so the descriptor count does not change (the stale-cache case); "B"
 * opens a brief one the same way, which "C" closes again (prints "closed PORT"): a listener that lives
 * as long as the bench waits between the two.
 * Exits when stdin closes or the parent dies (PR_SET_PDEATHSIG), so a killed bench leaves nothing.
 *
 *   workload established SOCKETS
 *     (SOCKETS within the hard RLIMIT_NOFILE: the bench splits larger loads over processes)
 *     holds SOCKETS / 2 established loopback TCP connections (both ends: SOCKETS sockets in
 *     /proc/net/tcp) to as many listeners on 127.0.0.1 as the ephemeral port range needs; both ends
 *     set SO_LINGER 0, so its exit resets them instead of leaving SOCKETS / 2 in TIME_WAIT.
 *     Prints "ready PID established=SOCKETS listeners=K" when every connection is accepted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

/* Held regular files, for "R" to close one at a time. */
static int files[4096];
static int nfiles;

static int bound(int family, int type, int *port) {
  int s = socket(family, type, 0);
  if (s < 0) die("socket");
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  }
  if (bind(s, (struct sockaddr *)&ss, len) < 0) die("bind");
  if (type == SOCK_STREAM && listen(s, 16) < 0) die("listen");
  len = sizeof ss;
  getsockname(s, (struct sockaddr *)&ss, &len);
  *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
  return s;
}

/* An established loopback pair: both ends held here. */
static int pair_to(int port) {
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  return 2;
}

static int open_one(int slot, const char *dir, const char *file) {
  int p[2];
  switch (slot % 20) {
  case 0: case 1: case 2: case 3: case 4: case 5: case 6: {
    int fd = open(file, O_RDONLY);
    if (fd < 0) die("open file");
    if (nfiles < 4096) files[nfiles++] = fd;
    return 1;
  }
  case 7: case 8:
    if (open(dir, O_RDONLY | O_DIRECTORY) < 0) die("open dir");
    return 1;
  case 9: case 10: case 11:
    if (pipe(p) < 0) die("pipe");
    return 2;
  case 12: case 13: case 14: case 15:
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0) die("socketpair");
    return 2;
  case 16:
    if (eventfd(0, 0) < 0) die("eventfd");
    return 1;
  case 17:
    if (epoll_create1(0) < 0) die("epoll");
    return 1;
  case 18:
    if (timerfd_create(CLOCK_MONOTONIC, 0) < 0) die("timerfd");
    return 1;
  default: {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    if (signalfd(-1, &mask, 0) < 0) die("signalfd");
    return 1;
  }
  }
}

static void *sleeper(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

/* A memfd holding `bytes` written bytes (allocated, not sparse). */
static void hold_memfd(int i, size_t bytes) {
  char name[32], buf[4096];
  snprintf(name, sizeof name, "workload-%d", i);
  int fd = memfd_create(name, 0);
  if (fd < 0) die("memfd_create");
  memset(buf, 'm', sizeof buf);
  for (size_t done = 0; done < bytes; done += sizeof buf)
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) die("write memfd");
}

/* Connections per listener port: well inside the default ephemeral range (32768-60999). */
#define PAIRS_PER_LISTENER 20000
/* Connects queued before they are accepted: below the listen backlog (net.core.somaxconn 4096). */
#define ACCEPT_BATCH 1000

static void no_linger(int s) {
  struct linger l = {.l_onoff = 1, .l_linger = 0};
  if (setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0) die("SO_LINGER");
}

static int established(int sockets) {
  int pairs = sockets / 2;
  int k = pairs / PAIRS_PER_LISTENER + 1;
  /* Up to the hard limit, which needs no privilege; the bench splits the sockets over processes. */
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rlim_t want = (rlim_t)sockets + k + 64;
  if (want > rl.rlim_max) { fprintf(stderr, "workload: %d sockets need RLIMIT_NOFILE %lu, hard limit %lu\n", sockets, (unsigned long)want, (unsigned long)rl.rlim_max); exit(1); }
  if (want > rl.rlim_cur) rl.rlim_cur = want;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die("setrlimit");
  int *servers = calloc(k, sizeof *servers), *ports = calloc(k, sizeof *ports);
  if (!servers || !ports) die("calloc");
  for (int i = 0; i < k; i++) {
    servers[i] = bound(AF_INET, SOCK_STREAM, &ports[i]);
    if (listen(servers[i], ACCEPT_BATCH * 2) < 0) die("listen");
  }
  for (int done = 0; done < pairs;) {
    int batch = pairs - done < ACCEPT_BATCH ? pairs - done : ACCEPT_BATCH;
    for (int i = 0; i < batch; i++) {
      int c = socket(AF_INET, SOCK_STREAM, 0);
      struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(ports[(done + i) % k]), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
      if (c < 0) die("socket");
      no_linger(c);
      if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    }
    for (int i = 0; i < batch; i++) {
      int s = accept(servers[(done + i) % k], NULL, NULL);
      if (s < 0) die("accept");
      no_linger(s);
    }
    done += batch;
  }
  printf("ready %d established=%d listeners=%d\n", (int)getpid(), pairs * 2, k);
  fflush(stdout);
  char line[64];
  while (fgets(line, sizeof line, stdin)) {}
  return 0;
}

int main(int argc, char **argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (argc == 3 && strcmp(argv[1], "established") == 0) return established(atoi(argv[2]));
  if (argc < 5 || argc > 7) { fprintf(stderr, "usage: workload N DIR LISTEN UID [THREADS [MEMFDS]] | workload established SOCKETS\n"); return 2; }
  int threads = argc > 5 ? atoi(argv[5]) : 1;
  int memfds = argc > 6 ? atoi(argv[6]) : 0;
  int n = atoi(argv[1]);
  const char *dir = argv[2];
  int listening = atoi(argv[3]);
  int uid = atoi(argv[4]);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 0;
  struct rlimit rl = {.rlim_cur = (rlim_t)n + 64, .rlim_max = (rlim_t)n + 64};
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die("setrlimit");
  if (uid >= 0 && (setgid(uid) < 0 || setuid(uid) < 0)) die("setuid");
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* reset by setuid */
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR2);
  sigprocmask(SIG_BLOCK, &mask, NULL);

  char file[4096], deleted[4096];
  snprintf(file, sizeof file, "%s/held", dir);
  snprintf(deleted, sizeof deleted, "%s/deleted-%d", dir, (int)getpid());
  /* A deleted-but-open file whose size says who holds it. */
  int dfd = open(deleted, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (dfd < 0) die("open deleted");
  off_t size = 4096 + (getpid() % 64) * 512;
  if (ftruncate(dfd, size) < 0) die("ftruncate");
  struct stat st;
  fstat(dfd, &st);
  unlink(deleted);
  int held = 4; /* 0,1,2 and the deleted file */
  int ports[4] = {0, 0, 0, 0};
  if (listening) {
    int t4 = bound(AF_INET, SOCK_STREAM, &ports[0]);
    bound(AF_INET6, SOCK_STREAM, &ports[1]);
    bound(AF_INET, SOCK_DGRAM, &ports[2]);
    bound(AF_INET6, SOCK_DGRAM, &ports[3]);
    held += 4;
    for (int i = 0; i < 2; i++) {
      held += pair_to(ports[0]);
      struct sockaddr_storage peer;
      socklen_t len = sizeof peer;
      /* accept() blocks until the connect above completes the handshake (already queued). */
      (void)len;
      (void)peer;
    }
    for (int i = 0; i < 2; i++) if (accept(t4, NULL, NULL) < 0) die("accept");
  }
  for (int i = 0; i < memfds; i++, held++) hold_memfd(i, 64 * 1024);
  for (int slot = 0; held < n; slot++) held += open_one(slot, dir, file);
  for (int i = 1; i < threads; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, sleeper, NULL) != 0) die("pthread_create");
  }
  printf("ready %d tcp4=%d tcp6=%d udp4=%d udp6=%d deleted=%lu:%ld\n", (int)getpid(), ports[0], ports[1], ports[2],
         ports[3], (unsigned long)st.st_ino, (long)size);
  fflush(stdout);
  char line[64];
  int brief = -1, brief_port = 0;
  while (fgets(line, sizeof line, stdin)) {
    if (line[0] == 'R' && nfiles > 0) close(files[--nfiles]);
    if (line[0] == 'L' || line[0] == 'R' || (line[0] == 'B' && brief < 0)) {
      int port;
      int s = bound(AF_INET, SOCK_STREAM, &port);
      if (line[0] == 'B') brief = s, brief_port = port;
      printf("listen %d\n", port);
      fflush(stdout);
    }
    if (line[0] == 'C' && brief >= 0) {
      close(brief);
      brief = -1;
      printf("closed %d\n", brief_port);
      fflush(stdout);
    }
  }
  return 0;
}
