#!/usr/bin/env bash
# Installs what scalebox needs at run time and in its tests, from Debian's
# packages, when it is missing: bubblewrap (the sandbox), prlimit
# (util-linux), the toolchains of the language table (runner/
# languages.toml) that the tests require, and Chromium for the browser
# tests of the HTML pages. Idempotent.
#
# Tools are checked at the Debian paths scalebox uses, not in PATH: a rustc
# under ~/.cargo or a python under pyenv is invisible to the sandbox user.
set -euo pipefail

need=()
# want PACKAGE PATH...: install PACKAGE unless every PATH is executable.
want() {
  local pkg=$1; shift
  for p in "$@"; do
    if [ ! -x "$p" ]; then need+=("$pkg"); return; fi
  done
}
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v prlimit >/dev/null 2>&1 || need+=(util-linux)
want python3 /usr/bin/python3
# The reference environments of the Python benchmarks (evalplus, human-eval,
# lcb_runner, DeepSeek-Coder's evaluation) have numpy: a program may use it.
/usr/bin/python3 -I -c 'import numpy' >/dev/null 2>&1 || need+=(python3-numpy)
want pypy3 /usr/bin/pypy3
want gcc /usr/bin/gcc
want g++ /usr/bin/g++
want default-jdk-headless /usr/bin/javac /usr/bin/java
want rustc /usr/bin/rustc
want nodejs /usr/bin/node
want node-typescript /usr/bin/tsc
want php-cli /usr/bin/php
want ruby /usr/bin/ruby
want lua5.4 /usr/bin/lua5.4
want mono-mcs /usr/bin/mcs
want mono-runtime /usr/bin/mono
# MultiPL-E (multiple-<lang>): Java prompts import org.javatuples; Bash
# programs compute with bc, which the parity test's known verdicts assume.
[ -f /usr/share/java/javatuples.jar ] || need+=(libjavatuples-java)
want bc /usr/bin/bc
# The HTML report pages are tested in a real browser: Debian's headless
# Chromium (internal/chromium drives it over --remote-debugging-pipe), with
# a font so that screenshots show text.
want chromium /usr/bin/chromium
# The cluster's front door (scalebox cluster nginx-conf) and its tests.
[ "${SCALEBOX_RUNTIME_ONLY:-}" = 1 ] || want nginx /usr/sbin/nginx
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install: ${need[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "install-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; then
    $sudo apt-get update >/dev/null
    $sudo apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

# The Go toolchain builds scalebox; an image that only runs it (the
# Dockerfile's) sets SCALEBOX_RUNTIME_ONLY=1.
if [ "${SCALEBOX_RUNTIME_ONLY:-}" != 1 ] && ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
  echo "install-deps: Go $(sed -n 's/^go //p' go.mod) or newer is required (https://go.dev/dl/); Debian's golang package is too old" >&2
  exit 1
fi
