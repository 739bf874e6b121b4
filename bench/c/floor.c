/*
 * The floor reference: the least a naive scanner must do, single-threaded, in C (bench tooling).
 * readdir /proc; per process read status, readdir fd, readlink every fd, stat the " (deleted)" ones;
 * read /proc/net/{tcp,udp}{,6}; join listening inodes to the pids holding them.
 * Prints "L proto family port inode pid" per listener holder and "D pid fd inode size" per deleted
 * file descriptor, then "fds N".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct hold { unsigned long inode; int pid; };
static struct hold *holds;
static size_t nholds, capholds;

static void add_hold(unsigned long inode, int pid) {
  if (nholds == capholds) {
    capholds = capholds ? capholds * 2 : 65536;
    holds = realloc(holds, capholds * sizeof *holds);
    if (!holds) exit(1);
  }
  holds[nholds].inode = inode;
  holds[nholds++].pid = pid;
}

static int by_inode(const void *a, const void *b) {
  unsigned long x = ((const struct hold *)a)->inode, y = ((const struct hold *)b)->inode;
  return x < y ? -1 : x > y;
}

static char buf[1 << 16];

static long scan_process(int pid) {
  char path[64], link[4200], target[4096];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  int f = open(path, O_RDONLY);
  if (f < 0) return 0;
  while (read(f, buf, sizeof buf) > 0) {}
  close(f);
  snprintf(path, sizeof path, "/proc/%d/fd", pid);
  DIR *d = opendir(path);
  if (!d) return 0;
  long n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(link, sizeof link, "%s/%s", path, e->d_name);
    ssize_t len = readlink(link, target, sizeof target - 1);
    if (len < 0) continue;
    target[len] = 0;
    n++;
    if (strncmp(target, "socket:[", 8) == 0) {
      add_hold(strtoul(target + 8, NULL, 10), pid);
    } else if (len > 10 && strcmp(target + len - 10, " (deleted)") == 0) {
      struct stat st;
      if (stat(link, &st) == 0 && st.st_nlink == 0 && S_ISREG(st.st_mode))
        printf("D %d %s %lu %ld\n", pid, e->d_name, (unsigned long)st.st_ino, (long)st.st_size);
    }
  }
  closedir(d);
  return n;
}

static void scan_table(const char *file, const char *proto, const char *family) {
  FILE *f = fopen(file, "r");
  if (!f) return;
  char line[512];
  fgets(line, sizeof line, f);
  while (fgets(line, sizeof line, f)) {
    char local[64], remote[64];
    unsigned st;
    unsigned long inode;
    if (sscanf(line, "%*s %63s %63s %x %*s %*s %*s %*s %*s %lu", local, remote, &st, &inode) != 4) continue;
    unsigned port = strtoul(strrchr(local, ':') + 1, NULL, 16);
    unsigned rport = strtoul(strrchr(remote, ':') + 1, NULL, 16);
    int listening = proto[0] == 't' ? st == 0x0A : (st == 0x07 && port != 0 && rport == 0);
    if (!listening || inode == 0) continue;
    struct hold key = {inode, 0};
    struct hold *h = bsearch(&key, holds, nholds, sizeof *holds, by_inode);
    if (!h) continue;
    while (h > holds && h[-1].inode == inode) h--;
    for (; h < holds + nholds && h->inode == inode; h++) printf("L %s %s %u %lu %d\n", proto, family, port, inode, h->pid);
  }
  fclose(f);
}

int main(void) {
  DIR *proc = opendir("/proc");
  if (!proc) return 1;
  struct dirent *e;
  long fds = 0;
  while ((e = readdir(proc)))
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9') fds += scan_process(atoi(e->d_name));
  closedir(proc);
  qsort(holds, nholds, sizeof *holds, by_inode);
  scan_table("/proc/net/tcp", "tcp", "ipv4");
  scan_table("/proc/net/tcp6", "tcp", "ipv6");
  scan_table("/proc/net/udp", "udp", "ipv4");
  scan_table("/proc/net/udp6", "udp", "ipv6");
  printf("fds %ld\n", fds);
  return 0;
}
