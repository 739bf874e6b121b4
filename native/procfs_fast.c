/*
 * The optional native fast path of the scanner (see src/procfs/native.ts): the loops whose cost is per
 * descriptor, per socket or per thread, where Node's own calls cost well above the syscalls they make.
 *
 *   readFdDir(dir[, watches[, index]])  readdir + readlinkat over /proc/PID/fd, classified on the
 *                              way, the links under each watched path counted (src/procfs/watched-paths.ts),
 *                              and with `index` the open-path index built (src/procfs/path-index.ts)
 *   findFdLinks(dir, path, under) the descriptors whose target is path (or below it): lsof FILE / +D
 *   compareTasks(taskDir, fdCount, netns, skip) the threads whose descriptor count or network namespace
 *                              is not their process's (src/scan/tasks.ts: the thread walk)
 *   socketProtocols(dir, fds)  getxattr("system.sockprotoname") of chosen socket descriptors
 *   readUnixInodes(file)       the inode column of a /proc/net/unix table
 *
 * Only the common, exact link forms are classified here; anything else ("socket:[x]", unknown
 * prefixes) is returned raw and classified by the same TypeScript code as the pure path, so both
 * paths agree by construction. Nothing here keeps state between calls.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Kinds of non-socket descriptors: FD_TYPES of src/procfs/fd-target.ts without the socket_ ones, in order. */
enum kind { K_FILE, K_DEVICE, K_PIPE, K_EVENTFD, K_EVENTPOLL, K_INOTIFY, K_TIMERFD, K_SIGNALFD, K_ANON_OTHER, K_OTHER, K_MEMFD, K_UNREADABLE, K_COUNT };

#define LINK_MAX_BYTES 8192
#define DELETED_SUFFIX " (deleted)"
/* Deleted candidates kept with their text per table: MAX_PER_PROCESS in src/scan/deleted-candidates.ts. */
#define DELETED_TEXTS_MAX 256
#define DELETED_SUFFIX_LEN 10

/* A growable array of fixed-size items. */
struct vec {
  char *data;
  size_t len, cap, item;
};

static int vec_push(struct vec *v, const void *x) {
  if (v->len == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 64;
    char *d = realloc(v->data, cap * v->item);
    if (!d) return -1;
    v->data = d;
    v->cap = cap;
  }
  memcpy(v->data + v->len * v->item, x, v->item);
  v->len++;
  return 0;
}

/* Raw link texts (deleted paths, odd targets): fd plus bytes, kept in one pool. */
struct texts {
  struct vec fds;     /* int32 */
  struct vec offsets; /* uint32 start in pool */
  struct vec lens;    /* uint32 */
  struct vec pool;    /* bytes */
};

static int texts_push(struct texts *t, int32_t fd, const char *s, size_t n) {
  uint32_t off = (uint32_t)t->pool.len, len = (uint32_t)n;
  if (vec_push(&t->fds, &fd) || vec_push(&t->offsets, &off) || vec_push(&t->lens, &len)) return -1;
  for (size_t i = 0; i < n; i++)
    if (vec_push(&t->pool, s + i)) return -1;
  return 0;
}

static void texts_free(struct texts *t) {
  free(t->fds.data);
  free(t->offsets.data);
  free(t->lens.data);
  free(t->pool.data);
}

static int starts(const char *s, size_t n, const char *prefix) {
  size_t p = strlen(prefix);
  return n >= p && memcmp(s, prefix, p) == 0;
}

/* "socket:[123]" -> 123; -1 when the text is not exactly that form (then TypeScript decides). */
static double socket_inode(const char *s, size_t n) {
  if (n < 10 || n > 8 + 15 + 1 || s[n - 1] != ']') return -1; /* 15 digits: exact in a double */
  double v = 0;
  for (size_t i = 8; i < n - 1; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

static int anon_kind(const char *s, size_t n) {
  static const struct { const char *name; int kind; } names[] = {
      {"eventfd", K_EVENTFD}, {"eventpoll", K_EVENTPOLL}, {"inotify", K_INOTIFY}, {"timerfd", K_TIMERFD}, {"signalfd", K_SIGNALFD},
  };
  const char *name = s + 11; /* after "anon_inode:" */
  size_t len = n - 11;
  if (len >= 2 && name[0] == '[' && name[len - 1] == ']') {
    name++;
    len -= 2;
  }
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i].name) == len && memcmp(names[i].name, name, len) == 0) return names[i].kind;
  return K_ANON_OTHER;
}

static int is_device_path(const char *s, size_t n) {
  return starts(s, n, "/dev/") && !starts(s, n, "/dev/shm/") && !starts(s, n, "/dev/mqueue/");
}

/* ---- N-API plumbing ---- */

static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  const char *code = strerrorname_np(err);
  char msg[600];
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", code ? code : "EUNKNOWN", strerror(err), syscall, path);
  napi_value m, c, e, n;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, code ? code : "EUNKNOWN", NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &e);
  napi_create_int32(env, -err, &n);
  napi_set_named_property(env, e, "errno", n);
  napi_set_named_property(env, e, "syscall", (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &n), n));
  napi_throw(env, e);
  return NULL;
}

static napi_value typed(napi_env env, napi_typedarray_type type, const void *data, size_t count, size_t item) {
  void *buf;
  napi_value ab, arr;
  if (napi_create_arraybuffer(env, count * item, &buf, &ab) != napi_ok) return NULL;
  if (count) memcpy(buf, data, count * item);
  napi_create_typedarray(env, type, count, ab, 0, &arr);
  return arr;
}

static napi_value texts_value(napi_env env, struct texts *t) {
  napi_value fds = typed(env, napi_int32_array, t->fds.data, t->fds.len, sizeof(int32_t));
  napi_value strs, s, pair;
  napi_create_array_with_length(env, t->fds.len, &strs);
  for (size_t i = 0; i < t->fds.len; i++) {
    uint32_t off = ((uint32_t *)t->offsets.data)[i], len = ((uint32_t *)t->lens.data)[i];
    napi_create_string_latin1(env, t->pool.data + off, len, &s);
    napi_set_element(env, strs, (uint32_t)i, s);
  }
  napi_create_array_with_length(env, 2, &pair);
  napi_set_element(env, pair, 0, fds);
  napi_set_element(env, pair, 1, strs);
  return pair;
}

/* Copy a JS string argument (a path) into buf; 0 on success. */
static int path_arg(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "path must be a string");
    return -1;
  }
  if (len >= size - 1) {
    napi_throw_range_error(env, NULL, "path too long");
    return -1;
  }
  return 0;
}

/* The call's first `want` arguments into argv, the first one a path copied into buf; 0 on success. */
static int path_call(napi_env env, napi_callback_info info, size_t want, napi_value *argv, char *buf, size_t size) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want) {
    napi_throw_type_error(env, NULL, "missing argument");
    return -1;
  }
  return path_arg(env, argv[0], buf, size);
}

/* Watched paths (--watch.path): raw bytes, at most WATCHES_MAX (MAX_WATCH_PATHS in src/config.ts). */
#define WATCHES_MAX 64
#define WATCH_MAX_BYTES 4096

struct watches {
  size_t count;
  char *bytes[WATCHES_MAX];
  size_t lens[WATCHES_MAX];
};

/* memfd descriptors whose numbers are kept per table: MAX_MEMFDS_PER_TABLE of src/procfs/fd-table.ts. */
#define MEMFDS_MAX 256

struct fd_scan {
  uint32_t count;
  uint32_t kinds[K_COUNT];
  /* The lowest-numbered MEMFDS_MAX memfd descriptors, in no order; memfd_top indexes the highest. */
  int32_t memfds[MEMFDS_MAX];
  size_t memfd_len, memfd_top;
  struct vec inodes; /* double */
  struct vec sockfds; /* int32 */
  struct texts deleted, odd;
  const struct watches *watches;
  uint32_t hits[WATCHES_MAX];
  /* The open-path index (src/procfs/path-index.ts): on, over a cap (then dropped), its arrays. */
  int index_on, index_over;
  struct vec ihashes;   /* uint32, compacted (sorted, distinct) whenever it reaches 2 x the cap */
  struct vec ifds;      /* int32 */
  struct vec ifdhashes; /* uint32 */
};

static void fd_scan_free(struct fd_scan *s) {
  free(s->ihashes.data);
  free(s->ifds.data);
  free(s->ifdhashes.data);
  free(s->inodes.data);
  free(s->sockfds.data);
  texts_free(&s->deleted);
  texts_free(&s->odd);
}

static void watches_free(struct watches *w) {
  for (size_t i = 0; i < w->count; i++) free(w->bytes[i]);
  w->count = 0;
}

/* isUnderWatch of src/procfs/watched-paths.ts: the path itself, or below it on a "/" boundary. */
static int under_watch(const char *p, size_t n, const char *w, size_t wl) {
  if (n < wl || memcmp(p, w, wl) != 0) return 0;
  return n == wl || (wl == 1 && w[0] == '/') || p[wl] == '/';
}

static void count_watched(struct fd_scan *s, const char *p, size_t n) {
  for (size_t i = 0; i < s->watches->count; i++)
    if (under_watch(p, n, s->watches->bytes[i], s->watches->lens[i])) s->hits[i]++;
}

/* MAX_INDEX_HASHES and MAX_INDEXED_FDS of src/procfs/path-index.ts. */
#define INDEX_HASHES_MAX 16384
#define INDEX_FDS_MAX 16384
#define FNV_OFFSET 0x811c9dc5u
#define FNV_PRIME 0x01000193u

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Sort and deduplicate the hashes; over the cap the index is dropped (the process is searched live). */
static void index_compact(struct fd_scan *s) {
  uint32_t *h = (uint32_t *)s->ihashes.data;
  size_t n = s->ihashes.len, w = 0;
  qsort(h, n, sizeof *h, cmp_u32);
  for (size_t i = 0; i < n; i++)
    if (w == 0 || h[i] != h[w - 1]) h[w++] = h[i];
  s->ihashes.len = w;
  if (w > INDEX_HASHES_MAX) s->index_over = 1;
}

/*
 * PathIndexBuilder.add of src/procfs/path-index.ts: FNV-1a of the path (the " (deleted)" suffix
 * aside) and of each prefix ending before a "/" (its folders), "/" itself, and the descriptor with
 * its path's hash. The hashes are compacted at twice the cap, so a table of long, deep, distinct
 * paths holds at most 2 x INDEX_HASHES_MAX + one path's folders before it is dropped.
 */
static int index_link(struct fd_scan *s, int32_t fd, const char *t, size_t n) {
  if (n >= DELETED_SUFFIX_LEN && memcmp(t + n - DELETED_SUFFIX_LEN, DELETED_SUFFIX, DELETED_SUFFIX_LEN) == 0) n -= DELETED_SUFFIX_LEN;
  uint32_t h = FNV_OFFSET, root = (FNV_OFFSET ^ '/') * FNV_PRIME;
  if (vec_push(&s->ihashes, &root)) return -1;
  for (size_t i = 0; i < n; i++) {
    if (t[i] == '/' && i > 0 && vec_push(&s->ihashes, &h)) return -1;
    h = (h ^ (uint8_t)t[i]) * FNV_PRIME;
  }
  if (vec_push(&s->ihashes, &h) || vec_push(&s->ifds, &fd) || vec_push(&s->ifdhashes, &h)) return -1;
  if (s->ifds.len > INDEX_FDS_MAX) s->index_over = 1;
  else if (s->ihashes.len >= 2 * INDEX_HASHES_MAX) index_compact(s);
  if (s->index_over) s->ihashes.len = s->ifds.len = s->ifdhashes.len = 0;
  return 0;
}

/*
 * Keep fd among the lowest-numbered MEMFDS_MAX memfds, whatever order the folder lists them in (it
 * lists them ascending, so past the bound this is one comparison; a full rescan only on a swap).
 */
static void keep_memfd(struct fd_scan *s, int32_t fd) {
  if (s->memfd_len < MEMFDS_MAX) {
    if (s->memfd_len == 0 || fd > s->memfds[s->memfd_top]) s->memfd_top = s->memfd_len;
    s->memfds[s->memfd_len++] = fd;
    return;
  }
  if (fd >= s->memfds[s->memfd_top]) return;
  s->memfds[s->memfd_top] = fd;
  for (size_t i = 0; i < MEMFDS_MAX; i++)
    if (s->memfds[i] > s->memfds[s->memfd_top]) s->memfd_top = i;
}

static int classify(struct fd_scan *s, int32_t fd, const char *t, size_t n) {
  if (s->index_on && !s->index_over && n > 0 && t[0] == '/' && index_link(s, fd, t, n)) return -1;
  /* memfd_create(2): anonymous memory, always " (deleted)"; not a file on any disk. */
  if (starts(t, n, "/memfd:")) {
    s->kinds[K_MEMFD]++;
    keep_memfd(s, fd);
    return 0;
  }
  if (n > 0 && t[0] == '/') {
    int deleted = n >= DELETED_SUFFIX_LEN && memcmp(t + n - DELETED_SUFFIX_LEN, DELETED_SUFFIX, DELETED_SUFFIX_LEN) == 0;
    size_t plen = deleted ? n - DELETED_SUFFIX_LEN : n;
    s->kinds[is_device_path(t, plen) ? K_DEVICE : K_FILE]++;
    if (s->watches->count) count_watched(s, t, plen);
    /* Past DELETED_TEXTS_MAX the fd is kept without its text: src/scan/deleted-candidates.ts drops
       and counts those (a hostile table must not make us copy 20,000 long paths). */
    return deleted ? texts_push(&s->deleted, fd, t, s->deleted.fds.len < DELETED_TEXTS_MAX ? plen : 0) : 0;
  }
  if (starts(t, n, "socket:[")) {
    double inode = socket_inode(t, n);
    if (inode < 0) return texts_push(&s->odd, fd, t, n);
    return vec_push(&s->inodes, &inode) || vec_push(&s->sockfds, &fd);
  }
  if (starts(t, n, "pipe:[")) {
    s->kinds[K_PIPE]++;
    return 0;
  }
  if (starts(t, n, "anon_inode:")) {
    s->kinds[anon_kind(t, n)]++;
    return 0;
  }
  return texts_push(&s->odd, fd, t, n);
}

static int is_fd_name(const char *name) {
  if (!*name) return 0;
  for (; *name; name++)
    if (*name < '0' || *name > '9') return 0;
  return 1;
}

/*
 * The optional watches argument: an array of latin1 strings (raw bytes), at most WATCHES_MAX; 0 on
 * success (an absent or undefined argument is no watches).
 */
static int watches_arg(napi_env env, napi_value v, struct watches *w) {
  napi_valuetype t;
  w->count = 0;
  if (!v || napi_typeof(env, v, &t) != napi_ok || t == napi_undefined) return 0;
  uint32_t n;
  if (napi_get_array_length(env, v, &n) != napi_ok || n > WATCHES_MAX) {
    napi_throw_type_error(env, NULL, "watches must be an array of at most 64 strings");
    return -1;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    size_t len;
    char *buf = malloc(WATCH_MAX_BYTES + 1);
    if (!buf || napi_get_element(env, v, i, &e) != napi_ok || napi_get_value_string_latin1(env, e, buf, WATCH_MAX_BYTES + 1, &len) != napi_ok ||
        len == 0 || len >= WATCH_MAX_BYTES) {
      free(buf);
      watches_free(w);
      napi_throw_type_error(env, NULL, "each watch must be a non-empty string shorter than 4096 bytes");
      return -1;
    }
    w->bytes[i] = buf;
    w->lens[i] = len;
    w->count = i + 1;
  }
  return 0;
}

/* [watch index, count, ...] for the watches with hits, or undefined without watches. */
static napi_value hits_value(napi_env env, const struct fd_scan *s) {
  napi_value out;
  if (!s->watches->count) {
    napi_get_undefined(env, &out);
    return out;
  }
  uint32_t pairs[2 * WATCHES_MAX];
  size_t n = 0;
  for (size_t i = 0; i < s->watches->count; i++)
    if (s->hits[i]) pairs[n++] = (uint32_t)i, pairs[n++] = s->hits[i];
  return typed(env, napi_uint32_array, pairs, n, sizeof(uint32_t));
}

/* [hashes, fds, fdHashes] (path-index.ts), null when over a cap, undefined when not asked. */
static napi_value index_value(napi_env env, struct fd_scan *s) {
  napi_value out;
  if (!s->index_on) {
    napi_get_undefined(env, &out);
    return out;
  }
  if (!s->index_over) index_compact(s);
  if (s->index_over) {
    napi_get_null(env, &out);
    return out;
  }
  napi_create_array_with_length(env, 3, &out);
  napi_set_element(env, out, 0, typed(env, napi_uint32_array, s->ihashes.data, s->ihashes.len, sizeof(uint32_t)));
  napi_set_element(env, out, 1, typed(env, napi_int32_array, s->ifds.data, s->ifds.len, sizeof(int32_t)));
  napi_set_element(env, out, 2, typed(env, napi_uint32_array, s->ifdhashes.data, s->ifdhashes.len, sizeof(uint32_t)));
  return out;
}

/* An fd folder opened for readdir and readlinkat; NULL with errno set when it cannot be. */
static DIR *open_fd_dir(const char *dir, int *dfd) {
  *dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*dfd < 0) return NULL;
  DIR *d = fdopendir(*dfd);
  if (!d) {
    int e = errno;
    close(*dfd);
    errno = e;
  }
  return d;
}

/*
 * The next descriptor of an fd folder and its link text: 1 with *n the link's length, or *n < 0 and
 * errno set when it could not be read; 0 at the end, errno then readdir's failure (0: none). A
 * descriptor closed between readdir and readlink is skipped: simply not open any more.
 */
static int next_fd_link(DIR *d, int dfd, char *target, size_t size, ssize_t *n, const char **name) {
  for (;;) {
    /* readdir reports failure only through errno, so it must be clear before each call: an ENOENT
     * left by a descriptor that closed mid-read made the end of the folder look like an error. */
    errno = 0;
    struct dirent *e = readdir(d);
    if (!e) return 0;
    if (!is_fd_name(e->d_name)) continue;
    *name = e->d_name;
    *n = readlinkat(dfd, e->d_name, target, size);
    if (*n < 0 && errno == ENOENT) continue;
    return 1;
  }
}

/*
 * readFdDir(dir[, watches[, index]]) -> [count, kinds Uint32Array, socketInodes Float64Array,
 *                    socketFds Int32Array, [deletedFds Int32Array, deletedPaths string[]],
 *                    [oddFds Int32Array, oddTargets string[]], memfdFds Int32Array (the lowest-numbered
 *                    MEMFDS_MAX memfds, in no order), watchedHits Uint32Array | undefined,
 *                    pathIndex [hashes, fds, fdHashes] | null (over a cap) | undefined (not asked)]
 * Link texts are latin1 strings (bytes preserved). A descriptor closed between readdir and readlink is
 * not counted; one whose link cannot be read for another reason (ENAMETOOLONG: a path longer than
 * PATH_MAX) is counted as K_UNREADABLE and the others are still read, as lsof does. Refusal
 * (EACCES, EPERM) and a failing readdir throw an Error with the errno code, like fs.readlinkSync.
 */
static napi_value read_fd_dir(napi_env env, napi_callback_info info) {
  napi_value argv[3] = {NULL, NULL, NULL};
  char dir[4096];
  size_t argc = 3;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "missing argument");
    return NULL;
  }
  if (path_arg(env, argv[0], dir, sizeof dir)) return NULL;
  struct watches watches;
  if (watches_arg(env, argc > 1 ? argv[1] : NULL, &watches)) return NULL;

  int dfd;
  DIR *d = open_fd_dir(dir, &dfd);
  if (!d) {
    int e = errno;
    watches_free(&watches);
    return throw_errno(env, e, "scandir", dir);
  }
  struct fd_scan s;
  memset(&s, 0, sizeof s);
  s.watches = &watches;
  bool index_on = false;
  if (argc > 2) napi_get_value_bool(env, argv[2], &index_on);
  s.index_on = index_on;
  s.ihashes.item = s.ifdhashes.item = sizeof(uint32_t);
  s.ifds.item = sizeof(int32_t);
  s.inodes.item = sizeof(double);
  s.sockfds.item = sizeof(int32_t);
  s.deleted.fds.item = s.odd.fds.item = sizeof(int32_t);
  s.deleted.offsets.item = s.odd.offsets.item = sizeof(uint32_t);
  s.deleted.lens.item = s.odd.lens.item = sizeof(uint32_t);
  s.deleted.pool.item = s.odd.pool.item = 1;

  char target[LINK_MAX_BYTES];
  int failure = 0;
  const char *failed_name = "", *name;
  ssize_t n;
  for (;;) {
    if (!next_fd_link(d, dfd, target, sizeof target, &n, &name)) {
      failure = errno;
      break;
    }
    if (n < 0) {
      if (errno == EACCES || errno == EPERM) {
        failure = errno;
        failed_name = name;
        break;
      }
      s.count++;
      s.kinds[K_UNREADABLE]++;
      continue;
    }
    s.count++;
    if (classify(&s, (int32_t)atoi(name), target, (size_t)n)) {
      failure = ENOMEM;
      break;
    }
  }
  char failed_path[4400];
  snprintf(failed_path, sizeof failed_path, "%s/%s", dir, failed_name);
  closedir(d);
  if (failure) {
    fd_scan_free(&s);
    watches_free(&watches);
    return throw_errno(env, failure, failed_name[0] ? "readlink" : "scandir", failed_name[0] ? failed_path : dir);
  }

  napi_value out, count;
  napi_create_array_with_length(env, 9, &out);
  napi_create_uint32(env, s.count, &count);
  napi_set_element(env, out, 0, count);
  napi_set_element(env, out, 1, typed(env, napi_uint32_array, s.kinds, K_COUNT, sizeof(uint32_t)));
  napi_set_element(env, out, 2, typed(env, napi_float64_array, s.inodes.data, s.inodes.len, sizeof(double)));
  napi_set_element(env, out, 3, typed(env, napi_int32_array, s.sockfds.data, s.sockfds.len, sizeof(int32_t)));
  napi_set_element(env, out, 4, texts_value(env, &s.deleted));
  napi_set_element(env, out, 5, texts_value(env, &s.odd));
  napi_set_element(env, out, 6, typed(env, napi_int32_array, s.memfds, s.memfd_len, sizeof(int32_t)));
  napi_set_element(env, out, 7, hits_value(env, &s));
  napi_set_element(env, out, 8, index_value(env, &s));
  fd_scan_free(&s);
  watches_free(&watches);
  return out;
}

/*
 * socketProtocols(dir, fds Int32Array) -> Uint8Array: per descriptor 1 if its socket is AF_UNIX
 * (protocol name "UNIX", "UNIX-STREAM", ...), 2 if another non-TCP/UDP kind, 0 if it could not be
 * asked (closed since, or not a socket).
 */
static napi_value socket_protocols(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char dir[4096];
  if (path_call(env, info, 2, argv, dir, sizeof dir)) return NULL;
  napi_typedarray_type type;
  size_t count;
  void *data;
  if (napi_get_typedarray_info(env, argv[1], &type, &count, &data, NULL, NULL) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, NULL, "fds must be an Int32Array");
    return NULL;
  }
  const int32_t *fds = data;
  uint8_t *kinds = calloc(count ? count : 1, 1);
  if (!kinds) return throw_errno(env, ENOMEM, "socketProtocols", dir);
  char path[4200], name[64];
  for (size_t i = 0; i < count; i++) {
    snprintf(path, sizeof path, "%s/%d", dir, fds[i]);
    ssize_t n = getxattr(path, "system.sockprotoname", name, sizeof name - 1);
    if (n <= 0) continue;
    name[n] = 0;
    kinds[i] = strncmp(name, "UNIX", 4) == 0 ? 1 : 2;
  }
  napi_value out = typed(env, napi_uint8_array, kinds, count, 1);
  free(kinds);
  return out;
}

/*
 * readUnixInodes(file) -> Float64Array: field 7 of every line of a /proc/net/unix table whose field 7
 * starts with a positive decimal number (the header and unreadable lines are skipped), exactly as
 * forEachUnixInode reads it.
 */
static napi_value read_unix_inodes(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char file[4096];
  if (path_call(env, info, 1, argv, file, sizeof file)) return NULL;
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "open", file);
  struct vec inodes = {.item = sizeof(double)};
  char *buf = malloc(1 << 16);
  if (!buf) {
    close(fd);
    return throw_errno(env, ENOMEM, "read", file);
  }
  /* Parser state carried across reads: field number, whether in a token, the inode being read. */
  int field = 0, in_token = 0, skip_line = 0, digits = 0;
  double inode = -1;
  ssize_t n;
  int failure = 0;
  while ((n = read(fd, buf, 1 << 16)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      char c = buf[i];
      if (c == '\n') {
        if (field == 7 && inode > 0 && vec_push(&inodes, &inode)) failure = ENOMEM;
        field = 0, in_token = 0, skip_line = 0, digits = 0, inode = -1;
        continue;
      }
      if (skip_line) continue;
      if (c == ' ') {
        if (in_token && field == 7) skip_line = 1; /* the path follows: ignore the rest of the line */
        in_token = 0;
        continue;
      }
      if (!in_token) {
        in_token = 1;
        field++;
        digits = field == 7 && c >= '0' && c <= '9';
        if (digits) inode = 0;
      }
      /* Like forEachUnixInode: the leading digits of field 7 are the inode. */
      if (digits) {
        if (c >= '0' && c <= '9') inode = inode * 10 + (c - '0');
        else digits = 0;
      }
    }
  }
  if (n < 0) failure = errno;
  if (!failure && field == 7 && inode > 0 && vec_push(&inodes, &inode)) failure = ENOMEM;
  close(fd);
  free(buf);
  if (failure) {
    free(inodes.data);
    return throw_errno(env, failure, "read", file);
  }
  napi_value out = typed(env, napi_float64_array, inodes.data, inodes.len, sizeof(double));
  free(inodes.data);
  return out;
}

/* The link text (without a " (deleted)" suffix) is `want`, or with `under`, anything below it. */
static int link_matches(const char *t, size_t n, const char *want, size_t wn, int under) {
  if (n >= DELETED_SUFFIX_LEN && memcmp(t + n - DELETED_SUFFIX_LEN, DELETED_SUFFIX, DELETED_SUFFIX_LEN) == 0) n -= DELETED_SUFFIX_LEN;
  return under ? under_watch(t, n, want, wn) : n == wn && memcmp(t, want, n) == 0;
}

/*
 * findFdLinks(dir, path, under) -> [fds Int32Array, links string[]]: the descriptors of one
 * /proc/PID/fd whose target is `path` (lsof FILE) or, with `under`, anything below it (lsof +D DIR),
 * " (deleted)" kept in the returned latin1 text. The open-file search's inner loop: readlinkat and
 * a compare per descriptor, no string for the others. Errors as readFdDir's.
 */
static napi_value find_fd_links(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char dir[4096], want[4096];
  if (path_call(env, info, 3, argv, dir, sizeof dir) || path_arg(env, argv[1], want, sizeof want)) return NULL;
  bool under = false;
  napi_get_value_bool(env, argv[2], &under);
  size_t wn = strlen(want);
  int dfd;
  DIR *d = open_fd_dir(dir, &dfd);
  if (!d) return throw_errno(env, errno, "scandir", dir);
  struct texts found;
  memset(&found, 0, sizeof found);
  found.fds.item = sizeof(int32_t);
  found.offsets.item = found.lens.item = sizeof(uint32_t);
  found.pool.item = 1;
  char target[LINK_MAX_BYTES];
  int failure = 0;
  const char *name;
  ssize_t n;
  for (;;) {
    if (!next_fd_link(d, dfd, target, sizeof target, &n, &name)) {
      failure = errno;
      break;
    }
    if (n < 0) {
      if (errno == EACCES || errno == EPERM) {
        failure = errno;
        break;
      }
      continue; /* a target too long to be the one asked for */
    }
    if (link_matches(target, (size_t)n, want, wn, under) && texts_push(&found, (int32_t)atoi(name), target, (size_t)n)) {
      failure = ENOMEM;
      break;
    }
  }
  closedir(d);
  if (failure) {
    texts_free(&found);
    return throw_errno(env, failure, "scandir", dir);
  }
  napi_value out = texts_value(env, &found);
  texts_free(&found);
  return out;
}

/*
 * The thread walk (src/scan/tasks.ts). Everything it holds is bounded: at most TASKS_MAX threads
 * (a process with more is compared by the TypeScript loop, which gives the same answer) and a
 * fixed slot per namespace text (the kernel writes at most 10 digits).
 */
#define TASKS_MAX 65536
#define NETNS_DIGITS_MAX 20

struct task_diff {
  int32_t tid;
  double count;                    /* st_size of its fd folder; -1 when unknown */
  char netns[NETNS_DIGITS_MAX + 1]; /* the digits of its ns/net link; "" when unknown */
};

static int cmp_i32(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return x < y ? -1 : x > y;
}

/* A thread id as Number() reads a name matching /^\d+$/: -1 for another name, -2 over int32 (a bound). */
static int64_t tid_of(const char *name) {
  if (!is_fd_name(name)) return -1;
  int64_t v = 0;
  for (; *name; name++) {
    v = v * 10 + (*name - '0');
    if (v > INT32_MAX) return -2;
  }
  return v;
}

static int skipped(const int32_t *skip, size_t n, int32_t tid) {
  return bsearch(&tid, skip, n, sizeof *skip, cmp_i32) != NULL;
}

/*
 * The digits of a "net:[N]" link (as /^net:\[(\d+)\]$/ reads it) into out: 1 when the link is read
 * and has that form, 0 when not (unknown: gone, refused, another form), -1 when the digits would not
 * fit out (then the TypeScript loop decides).
 */
static int netns_digits(int dirfd, const char *rel, char *out) {
  char link[LINK_MAX_BYTES];
  ssize_t n = readlinkat(dirfd, rel, link, sizeof link);
  if (n < 0 || (size_t)n == sizeof link || n < 7 || memcmp(link, "net:[", 5) != 0 || link[n - 1] != ']') return 0;
  size_t digits = (size_t)n - 6;
  for (size_t i = 0; i < digits; i++)
    if (link[5 + i] < '0' || link[5 + i] > '9') return 0;
  if (digits > NETNS_DIGITS_MAX) return -1;
  memcpy(out, link + 5, digits);
  out[digits] = 0;
  return 1;
}

/*
 * Every thread id of a task folder, ascending, into tids (a vec of int32, at most TASKS_MAX): 0, -1
 * over a bound (more threads, a name over int32, no memory), or an errno (the folder's own failure:
 * the process is gone).
 */
static int list_tasks(int dirfd, struct vec *tids) {
  int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return errno;
  DIR *d = fdopendir(dup);
  if (!d) {
    int e = errno;
    close(dup);
    return e;
  }
  int failure = 0;
  for (;;) {
    errno = 0; /* readdir reports its failure only through errno */
    struct dirent *e = readdir(d);
    if (!e) {
      failure = errno;
      break;
    }
    int64_t tid = tid_of(e->d_name);
    if (tid == -1) continue;
    if (tid == -2 || tids->len == TASKS_MAX) {
      failure = -1;
      break;
    }
    int32_t t = (int32_t)tid;
    if (vec_push(tids, &t)) {
      failure = -1; /* out of memory: as over a bound */
      break;
    }
  }
  closedir(d);
  if (!failure) qsort(tids->data, tids->len, sizeof(int32_t), cmp_i32);
  return failure;
}

/*
 * Compare one thread with its process: 1 and *out filled when its descriptor count (known and not
 * `count`) or its namespace (known and not `netns`) differs, 0 when not or unknown (it exited or may
 * not be read: that thread only), -1 over a bound. Errors are taken from return values only.
 */
static int compare_task(int dirfd, int32_t tid, double count, const char *netns, struct task_diff *out) {
  char rel[32];
  struct stat st;
  snprintf(rel, sizeof rel, "%d/fd", tid);
  out->tid = tid;
  out->count = fstatat(dirfd, rel, &st, 0) == 0 && st.st_size > 0 ? (double)st.st_size : -1;
  snprintf(rel, sizeof rel, "%d/ns/net", tid);
  int known = netns_digits(dirfd, rel, out->netns);
  if (known < 0) return -1;
  if (!known) out->netns[0] = 0;
  return (out->count >= 0 && out->count != count) || (known && (!netns || strcmp(out->netns, netns) != 0));
}

static napi_value diffs_value(napi_env env, const struct task_diff *diffs, size_t n) {
  napi_value tids, counts, texts, s;
  int32_t *t;
  double *c;
  napi_value tb, cb;
  if (napi_create_arraybuffer(env, n * sizeof(int32_t), (void **)&t, &tb) != napi_ok ||
      napi_create_arraybuffer(env, n * sizeof(double), (void **)&c, &cb) != napi_ok)
    return NULL;
  napi_create_typedarray(env, napi_int32_array, n, tb, 0, &tids);
  napi_create_typedarray(env, napi_float64_array, n, cb, 0, &counts);
  napi_create_array_with_length(env, n, &texts);
  for (size_t i = 0; i < n; i++) {
    t[i] = diffs[i].tid;
    c[i] = diffs[i].count;
    if (diffs[i].netns[0]) napi_create_string_latin1(env, diffs[i].netns, NAPI_AUTO_LENGTH, &s);
    else napi_get_null(env, &s);
    napi_set_element(env, texts, (uint32_t)i, s);
  }
  napi_value out;
  napi_create_array_with_length(env, 3, &out);
  napi_set_element(env, out, 0, tids);
  napi_set_element(env, out, 1, counts);
  napi_set_element(env, out, 2, texts);
  return out;
}

/*
 * The process's namespace argument (digits, or null / undefined for unknown) into buf: 0 on
 * success, 1 when longer than a kernel writes (then the TypeScript loop decides), -1 thrown.
 */
static int netns_arg(napi_env env, napi_value v, char *buf, size_t size, const char **out) {
  napi_valuetype t;
  size_t len;
  *out = NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return -1;
  if (t == napi_null || t == napi_undefined) return 0;
  if (t != napi_string || napi_get_value_string_latin1(env, v, buf, size, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "netns must be a string or null");
    return -1;
  }
  *out = buf;
  return len >= size - 1;
}

/*
 * compareTasks(taskDir, fdCount, netns, skip Int32Array ascending) -> [tids Int32Array (every thread,
 * ascending), [diffTids Int32Array, diffCounts Float64Array (-1: unknown), diffNetns (string | null)[]]]
 * | null (over a bound, or out of memory: the caller compares with the TypeScript loop). Each thread not in skip is
 * compared with its process (descriptor count `fdCount`, namespace digits `netns`) by a stat of its
 * fd folder and a readlink of its ns/net; only the threads that differ are returned. A thread that
 * exited or may not be read costs itself only (unknown, so not different); the task folder's own
 * failure throws an Error with the errno code, like fs.readdirSync.
 */
static napi_value compare_tasks(napi_env env, napi_callback_info info) {
  napi_value argv[4], out;
  char dir[4096], netns_buf[NETNS_DIGITS_MAX + 2];
  const char *netns;
  double count;
  napi_typedarray_type type;
  size_t nskip;
  void *skip;
  if (path_call(env, info, 4, argv, dir, sizeof dir)) return NULL;
  if (napi_get_value_double(env, argv[1], &count) != napi_ok || napi_get_typedarray_info(env, argv[3], &type, &nskip, &skip, NULL, NULL) != napi_ok ||
      type != napi_int32_array) {
    napi_throw_type_error(env, NULL, "compareTasks(taskDir, fdCount number, netns, skip Int32Array)");
    return NULL;
  }
  int arg = netns_arg(env, argv[2], netns_buf, sizeof netns_buf, &netns);
  if (arg < 0) return NULL;
  int failure = arg ? -1 : 0;
  struct vec tids = {.item = sizeof(int32_t)}, diffs = {.item = sizeof(struct task_diff)};
  int dirfd = -1;
  if (!failure) {
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    failure = dirfd < 0 ? errno : list_tasks(dirfd, &tids);
  }
  const int32_t *t = (const int32_t *)tids.data;
  for (size_t i = 0; !failure && i < tids.len; i++) {
    struct task_diff d;
    if (skipped(skip, nskip, t[i])) continue;
    int differs = compare_task(dirfd, t[i], count, netns, &d);
    if (differs < 0) failure = -1;
    else if (differs && vec_push(&diffs, &d)) failure = -1;
  }
  if (dirfd >= 0) close(dirfd);
  if (failure > 0) {
    free(tids.data);
    free(diffs.data);
    return throw_errno(env, failure, "scandir", dir);
  }
  if (failure < 0) napi_get_null(env, &out);
  else {
    napi_create_array_with_length(env, 2, &out);
    napi_set_element(env, out, 0, typed(env, napi_int32_array, tids.data, tids.len, sizeof(int32_t)));
    napi_set_element(env, out, 1, diffs_value(env, (const struct task_diff *)diffs.data, diffs.len));
  }
  free(tids.data);
  free(diffs.data);
  return out;
}

napi_value sock_diag_init(napi_env env, napi_value exports); /* sock_diag.c */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"readFdDir", NULL, read_fd_dir, NULL, NULL, NULL, napi_enumerable, NULL},
      {"socketProtocols", NULL, socket_protocols, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readUnixInodes", NULL, read_unix_inodes, NULL, NULL, NULL, napi_enumerable, NULL},
      {"findFdLinks", NULL, find_fd_links, NULL, NULL, NULL, napi_enumerable, NULL},
      {"compareTasks", NULL, compare_tasks, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return sock_diag_init(env, exports);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
