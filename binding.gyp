{
  "targets": [
    {
      "target_name": "berkeley",
      "sources": [
        "native/addon.c",
        "native/args.c",
        "native/contract.c",
        "native/constants.c",
        "native/errno.c",
        "native/sockaddr.c",
        "native/socket.c",
        "native/io.c",
        "native/sockopt.c",
        "native/netdb.c",
        "native/names.c",
        "native/msg.c",
        "native/mmsg.c",
        "native/poll.c",
        "native/epoll.c",
        "native/teardown.c",
        "native/tls_context.c",
        "native/tls_conn.c",
        "native/tls_bio.c",
        "native/tls_memory.c",
        "native/tls_info.c",
        "native/tls_error.c",
        "native/tls_session.c",
        "native/tls_settings.c",
        "native/tls_sni.c",
        "native/tls_module.c"
      ],
      "include_dirs": ["native"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Werror"],
      "conditions": [
        ["OS=='linux'", {"cflags_c": ["-fvisibility=hidden"]}]
      ]
    }
  ]
}
