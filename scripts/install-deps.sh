#!/usr/bin/env bash
# Installs what Nimbus needs: Debian packages (only those missing) and the npm dependencies.
#   install-deps.sh run    what the all-in-one cloud and its users need
#   install-deps.sh test   that plus what the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-run}

run_packages=(python3-openstackclient iproute2 nftables dnsmasq-base haproxy busybox-static qemu-system-x86 qemu-utils xorriso linux-image-amd64 dropbear-bin syslinux syslinux-common syslinux-efi ovmf mtools fdisk)
test_packages=(postgresql rabbitmq-server python3-requests tempest neutron-tempest-plugin qemu-utils xorriso iputils-ping curl socat openssh-client chromium iperf3)
packages=("${run_packages[@]}")
[ "$purpose" = test ] && packages+=("${test_packages[@]}")

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "install-deps: Node.js 20 or newer is required (found ${node_major:-none})" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing Debian packages ${missing[*]}; run as root (sudo) to install them" >&2
    exit 2
  fi
  echo "install-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts may try to start system services; Nimbus never uses those instances.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
