#!/bin/sh
# The image's entry point: `weir broker` on /data, listening on every interface, with the host it
# advertises to clients taken from WEIR_ADVERTISED_HOST when set (otherwise the container's host
# name, which only clients on the same Docker network can resolve). Arguments given to
# `docker run IMAGE ...` are added to the broker's flags (a later flag wins), e.g. --id 2 --peers ...
# `exec` makes the broker PID 1, so `docker stop` (SIGTERM) reaches it and it closes cleanly.
set -eu
if [ -n "${WEIR_ADVERTISED_HOST:-}" ]; then
  set -- --advertised-host "$WEIR_ADVERTISED_HOST" "$@"
fi
exec weir broker --data-dir /data --listen 0.0.0.0:7171 "$@"
