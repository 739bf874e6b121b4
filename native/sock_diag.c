/*
 * Listening sockets of the caller's network namespace from the kernel's NETLINK_SOCK_DIAG interface
 * (see src/procfs/sock-diag.ts, which parses what this returns):
 *
 *   sockDiagDump(protocol, family, states) -> Uint8Array of whole `struct inet_diag_msg` records
 *
 * With a state filter of TCP_LISTEN alone the kernel walks only its listening hash and never the
 * established one (inet_diag_dump_icsk), so the cost is that of the listeners, however many
 * connections the host holds; /proc/net/tcp walks every socket. UDP has one hash: the kernel walks
 * it and keeps the sockets in the asked states (TCP_CLOSE: not connected).
 *
 * A netlink socket answers for the network namespace it was created in, and socket(2) always creates
 * it in the caller's: other namespaces are reached only by setns(2), which needs CAP_SYS_ADMIN. The
 * exporter's CAP_SYS_PTRACE would let pidfd_getfd(2) copy a socket out of a process in another
 * namespace, but only a NETLINK_SOCK_DIAG one would do, processes do not keep one, and sharing it
 * would steal its owner's replies (docs/benchmarks.md "Listener poll"). Other namespaces are read
 * from their text tables (src/procfs/text-listeners.ts).
 * This reads no procfs file and needs no capability (sock_diag dumps of inet sockets are open to all).
 *
 * Raw records out, parsing in TypeScript, like procfs_fast.c. Nothing is kept between calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The kernel sends dump batches of at most 32 KiB (netlink_recvmsg caps max_recvmsg_len there). */
#define RECV_BYTES (64 * 1024)
/* More listening sockets than any host has: beyond this the dump fails rather than eat memory. */
#define MAX_RECORDS (1 << 20)
/* A dump the kernel marks inconsistent (NLM_F_DUMP_INTR: the table changed under it) is redone. */
#define MAX_ATTEMPTS 4
/* A dump is answered at once; a silent kernel must not hang the worker. */
#define RECV_TIMEOUT_SECONDS 5

struct records {
  uint8_t *data;
  size_t count, cap;
};

static int records_push(struct records *r, const struct inet_diag_msg *m) {
  if (r->count == r->cap) {
    if (r->cap >= MAX_RECORDS) return E2BIG;
    size_t cap = r->cap ? r->cap * 2 : 256;
    uint8_t *data = realloc(r->data, cap * sizeof *m);
    if (!data) return ENOMEM;
    r->data = data, r->cap = cap;
  }
  memcpy(r->data + r->count++ * sizeof *m, m, sizeof *m);
  return 0;
}

static int diag_socket(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -errno;
  struct timeval tv = {.tv_sec = RECV_TIMEOUT_SECONDS};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

static int send_request(int fd, uint8_t protocol, uint8_t family, uint32_t states, uint32_t seq) {
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 req;
  } msg = {
      .nlh = {.nlmsg_len = sizeof msg, .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq},
      .req = {.sdiag_family = family, .sdiag_protocol = protocol, .idiag_states = states},
  };
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  for (;;) {
    ssize_t n = sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&kernel, sizeof kernel);
    if (n == (ssize_t)sizeof msg) return 0;
    if (n < 0 && errno == EINTR) continue;
    return n < 0 ? errno : EIO;
  }
}

/* What one netlink message tells the dump loop: go on, done, or an errno. */
enum step { STEP_MORE = -1, STEP_DONE = 0 };

static int on_message(const struct nlmsghdr *h, struct records *out, int *interrupted) {
  if (h->nlmsg_flags & NLM_F_DUMP_INTR) *interrupted = 1;
  if (h->nlmsg_type == NLMSG_DONE) {
    /* A dump may end with its error in NLMSG_DONE's payload. */
    if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) && *(const int *)NLMSG_DATA(h) < 0) return -*(const int *)NLMSG_DATA(h);
    return STEP_DONE;
  }
  if (h->nlmsg_type == NLMSG_ERROR) {
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return EPROTO;
    int err = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
    return err ? -err : STEP_MORE; /* 0 is an acknowledgement */
  }
  if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return STEP_MORE;
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) return EPROTO;
  int err = records_push(out, NLMSG_DATA(h));
  return err ? err : STEP_MORE;
}

/* Receive one dump's replies into out; 0 when NLMSG_DONE arrived, else an errno. */
static int receive_dump(int fd, uint32_t seq, uint8_t *buf, struct records *out, int *interrupted) {
  for (;;) {
    struct sockaddr_nl from = {0};
    struct iovec iov = {.iov_base = buf, .iov_len = RECV_BYTES};
    struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT : errno;
    if (n == 0 || (msg.msg_flags & MSG_TRUNC)) return n == 0 ? EPROTO : EMSGSIZE;
    if (from.nl_pid != 0) continue; /* only the kernel answers a dump */
    int left = (int)n;
    const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
    for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != seq) continue; /* a late reply to an abandoned attempt */
      int step = on_message(h, out, interrupted);
      if (step != STEP_MORE) return step;
    }
    if (left != 0) return EPROTO; /* a message cut short: never parse half a record */
  }
}

/* The whole dump, redone while the kernel reports it interrupted; 0 or an errno. */
static int dump(uint8_t protocol, uint8_t family, uint32_t states, struct records *out) {
  uint8_t *buf = malloc(RECV_BYTES);
  if (!buf) return ENOMEM;
  int fd = diag_socket();
  int err = fd < 0 ? -fd : 0;
  for (uint32_t attempt = 1; !err; attempt++) {
    int interrupted = 0;
    out->count = 0;
    err = send_request(fd, protocol, family, states, attempt);
    if (!err) err = receive_dump(fd, attempt, buf, out, &interrupted);
    if (!err && !interrupted) break;
    if (!err && attempt == MAX_ATTEMPTS) err = EAGAIN;
  }
  if (fd >= 0) close(fd);
  free(buf);
  return err;
}

static napi_value throw_diag_error(napi_env env, int err, uint8_t protocol, uint8_t family) {
  const char *code = strerrorname_np(err);
  char msg[200];
  snprintf(msg, sizeof msg, "%s: %s, sock_diag dump of protocol %u family %u", code ? code : "EUNKNOWN", strerror(err), protocol, family);
  napi_value text, codeValue, error;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_string_utf8(env, code ? code : "EUNKNOWN", NAPI_AUTO_LENGTH, &codeValue);
  napi_create_error(env, codeValue, text, &error);
  napi_throw(env, error);
  return NULL;
}

static int uint_arg(napi_env env, napi_value v, uint32_t max, uint32_t *out) {
  if (napi_get_value_uint32(env, v, out) != napi_ok || *out > max) {
    napi_throw_range_error(env, NULL, "sockDiagDump(protocol, family, states): out of range");
    return -1;
  }
  return 0;
}

/*
 * sockDiagDump(protocol, family, states) -> Uint8Array: the records (sizeof(struct inet_diag_msg)
 * bytes each, host byte order as the kernel sent them) of every socket of IPPROTO `protocol` and
 * AF_ `family` in one of `states` (a bit mask: 1 << TCP_LISTEN, 1 << TCP_CLOSE, ...).
 */
static napi_value sock_diag_dump(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint32_t protocol, family, states;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "sockDiagDump(protocol, family, states): missing argument");
    return NULL;
  }
  if (uint_arg(env, argv[0], 255, &protocol) || uint_arg(env, argv[1], 255, &family) || uint_arg(env, argv[2], UINT32_MAX, &states)) return NULL;
  struct records r = {0};
  int err = dump((uint8_t)protocol, (uint8_t)family, states, &r);
  napi_value out = NULL;
  if (err) {
    throw_diag_error(env, err, (uint8_t)protocol, (uint8_t)family);
  } else {
    void *bytes;
    napi_value ab;
    size_t len = r.count * sizeof(struct inet_diag_msg);
    if (napi_create_arraybuffer(env, len, &bytes, &ab) == napi_ok) {
      if (len) memcpy(bytes, r.data, len);
      napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &out);
    }
  }
  free(r.data);
  return out;
}

/* Called from procfs_fast.c's module init: adds sockDiagDump to the addon's exports. */
napi_value sock_diag_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sockDiagDump", NULL, sock_diag_dump, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
