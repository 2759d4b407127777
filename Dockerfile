# scalebox serve in a container: the RL reward and code-execution service.
#
#   docker build -t scalebox .
#   echo "$(openssl rand -hex 24)" > token
#   docker run --rm -p 8080:8080 \
#       --cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#       --cgroupns=private -v "$PWD/token:/run/secrets/scalebox-token:ro" \
#       scalebox serve --listen 0.0.0.0:8080 --token-file /run/secrets/scalebox-token -j 16
#
# The sandbox (bubblewrap) makes user, mount, pid and network namespaces
# for every test and limits each in a cgroup of its own, so the container
# must allow unshare(2) and mount(2) (SYS_ADMIN, no default seccomp or
# AppArmor profile) and hand scalebox a writable cgroup (cgroup v2 with a
# private namespace, or v1 controllers mounted read-write). `scalebox
# doctor` inside the container says what works. Untrusted code never runs
# as root: bwrap is started as an unprivileged uid after the cgroups are set.
#
# scalebox is PID 1 here, with no init in front of it: it handles SIGTERM
# itself (drain: no new requests, those in flight finish within
# --drain-timeout, then exit 0) and, as PID 1, must reap the orphans that
# get reparented to it (main's child-subreaper handling does; no tini is
# needed). A test's own processes live in its sandbox's pid namespace and
# die with it.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/scalebox-dev/scalebox/internal/buildinfo.version=${VERSION}" \
      -o /out/scalebox .

FROM debian:bookworm-slim
# The toolchains of the language table, from Debian, as the tests use them.
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN apt-get update \
 && SCALEBOX_RUNTIME_ONLY=1 /tmp/install-deps.sh \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh
# Go programs need the Go toolchain (the language table looks in /usr/local/go).
COPY --from=build /usr/local/go /usr/local/go
COPY --from=build /out/scalebox /usr/local/bin/scalebox
# The compile cache and reference outputs live in the container's /tmp
# and ~/.cache; mount volumes there to keep them across restarts.
ENV HOME=/root
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/scalebox"]
# Listening beyond loopback needs a token: mount one (see above), or pass
# your own command (--insecure-no-auth only behind a network you trust).
CMD ["serve", "--listen", "0.0.0.0:8080", "--token-file", "/run/secrets/scalebox-token"]
