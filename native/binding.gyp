{
  "targets": [
    {
      "target_name": "lsof_native",
      "sources": ["procfs_fast.c", "sock_diag.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
