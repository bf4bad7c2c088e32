#!/usr/bin/env bash
# Sourced by the install-*.sh scripts: apt_install NAME PACKAGE... installs Debian packages
# non-interactively (sudo when not root), or stops with NAME's hint when there is no apt-get.
# NAME prefixes the messages; HINT (set by the caller) says what to do by hand.

apt_install() {
    local name=$1
    shift
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$name: apt-get not found; ${HINT:-install $* by hand}" >&2
        exit 1
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "$@"
}
