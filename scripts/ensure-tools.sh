#!/usr/bin/env bash
# Installs the system tools the build and tests need when they are missing:
#   flatc (Debian's flatbuffers-compiler) for `npm run gen` and the stale-code check,
#   taskset and chrt (util-linux) for pinning actors to CPUs and giving them a real-time class.
# Runs as root on CI and developer machines; on a machine where apt-get is unavailable it says
# what is missing and exits non-zero.
set -euo pipefail
missing=()
command -v flatc >/dev/null 2>&1 || missing+=(flatbuffers-compiler)
{ command -v taskset && command -v chrt; } >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: missing ${missing[*]} and no apt-get to install them" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "ensure-tools: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
