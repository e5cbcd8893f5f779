#!/bin/sh
# Install what the judge's sandboxes need, if it is missing: bubblewrap, gcc/g++ with libc6-dev,
# and the toolchains Debian packages beyond the base image's (PyPy 3, Go, Kotlin: the judge lists a language only where
# its toolchain answers), and the Docker engine with --docker. Idempotent. As root it installs; otherwise it prints the exact command
# to run and exits non-zero, so `make test` / `make demo` fail loudly instead of half-working.
set -eu

want_docker=0
for arg in "$@"; do
    case "$arg" in
        --docker) want_docker=1 ;;
        -h|--help) echo "usage: $0 [--docker]"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

packages=""
command -v bwrap >/dev/null 2>&1 || packages="bubblewrap"
# C and C++ need the compilers and the C library's headers (`make demo` plays C)
command -v gcc >/dev/null 2>&1 || packages="$packages gcc"
command -v g++ >/dev/null 2>&1 || packages="$packages g++"
[ -f /usr/include/stdio.h ] || packages="$packages libc6-dev"
command -v pypy3 >/dev/null 2>&1 || packages="$packages pypy3"
command -v go >/dev/null 2>&1 || packages="$packages golang-go"
command -v kotlinc >/dev/null 2>&1 || packages="$packages kotlin"
if [ "$want_docker" = 1 ] && ! command -v dockerd >/dev/null 2>&1; then
    packages="$packages docker.io"
fi
packages=$(echo "$packages" | sed 's/^ *//')

if [ -z "$packages" ]; then
    echo "judge dependencies present: bubblewrap, gcc, g++, libc6-dev, pypy3, golang-go, kotlin$([ "$want_docker" = 1 ] && echo ", docker.io")"
    exit 0
fi

command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages"
if [ "$(id -u)" != 0 ]; then
    echo "missing: $packages. Run as root:" >&2
    echo "  sudo sh -c '$command'" >&2
    exit 1
fi
echo "installing: $packages"
sh -c "$command"
