/*
 * The thread walk's floor (bench tooling, bench/variant-cost.ts): the calls the scanner's walk makes
 * (src/scan/tasks.ts, native/procfs_fast.c compareTasks), alone, in a C program: for each pid given,
 * readdir /proc/PID/task, then for each thread but the leader a stat of its fd folder and a readlink
 * of its ns/net. `taskwalk ROUNDS PID...` repeats that ROUNDS times and prints
 * "threads N cpu_seconds S" (getrusage of its own loop, all rounds).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static double cpu_seconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* One process's walk: the number of threads compared. */
static long walk(const char *pid) {
  char path[64], rel[64], link[64];
  snprintf(path, sizeof path, "/proc/%s/task", pid);
  int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return 0;
  DIR *d = fdopendir(dup(dfd));
  long n = 0;
  struct dirent *e;
  while (d && (e = readdir(d))) {
    int tid = atoi(e->d_name);
    if (e->d_name[0] < '0' || e->d_name[0] > '9' || tid == atoi(pid)) continue;
    struct stat st;
    snprintf(rel, sizeof rel, "%d/fd", tid);
    fstatat(dfd, rel, &st, 0);
    snprintf(rel, sizeof rel, "%d/ns/net", tid);
    if (readlinkat(dfd, rel, link, sizeof link) >= 0) n++;
  }
  if (d) closedir(d);
  close(dfd);
  return n;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: taskwalk ROUNDS PID...\n");
    return 2;
  }
  int rounds = atoi(argv[1]);
  long threads = 0;
  double t0 = cpu_seconds();
  for (int r = 0; r < rounds; r++)
    for (int i = 2; i < argc; i++) threads += walk(argv[i]);
  printf("threads %ld cpu_seconds %.6f\n", threads, cpu_seconds() - t0);
  return 0;
}
