// The text files of the nimbus-cirros initramfs: init, the boot script, the DHCP hook, the ACPI
// power-button handler, accounts and the boot loader's configuration. Everything the guest does at
// boot is here, so the image's cache key is the hash of these strings (plus the binaries' versions).

export const IMAGE_NAME = 'nimbus-cirros';
/** Bump when the layout of the image changes in a way the file texts do not show. */
export const BUILDER_VERSION = 3;

/** The kernel runs /init from the initramfs as pid 1: it hands over to busybox init (inittab below). */
export const INIT = `#!/bin/sh
# nimbus-cirros: pid 1 is busybox init; the boot work is /etc/init.d/rcS (sysinit).
exec /bin/busybox init
`;

export const INITTAB = `::sysinit:/etc/init.d/rcS
ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/init.d/rcK
`;

/**
 * The boot sequence. Every step prints a "nimbus-init: …" line on the console (ttyS0), which is
 * what `openstack console log show` and the tests read.
 */
export const RCS = `#!/bin/sh
# nimbus-cirros boot: mounts, modules, DHCP, metadata (config drive, else 169.254.169.254),
# hostname, SSH key for "cirros", user-data script, dropbear, acpid.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
log() { echo "nimbus-init: $* [$(cut -d" " -f1 /proc/uptime)]"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /run/nimbus /var/log /var/run
log "boot $(cat /etc/nimbus/version) kernel $(uname -r) at $(uptime_s)s"

loaded=0
failed=""
while read -r name path; do
  [ -n "$name" ] || continue
  if insmod "$path" 2>/dev/null; then loaded=$((loaded + 1)); else failed="$failed $name"; fi
done < /etc/nimbus/modules
log "modules loaded $loaded\${failed:+ failed:$failed}"

# The root is the initramfs: the disk's FAT partition on /mnt is what survives a reboot, a
# snapshot or a move (Tempest's snapshot pattern writes its timestamp there).
for dev in /dev/vda1 /dev/sda1 /dev/hda1; do
  [ -b "$dev" ] || continue
  if mount -t vfat -o rw,flush "$dev" /mnt 2>/dev/null; then log "disk $dev on /mnt"; break; fi
done
mkdir -p /mnt/config

ip link set lo up
hostname nimbus-cirros
iface=""
i=0
while [ $i -lt 50 ]; do
  for d in /sys/class/net/*; do
    n=\${d##*/}
    [ "$n" = lo ] && continue
    iface=$n
    break
  done
  [ -n "$iface" ] && break
  sleep 0.1
  i=$((i + 1))
done
ip=""
if [ -z "$iface" ]; then
  log "dhcp failed: no network interface"
else
  ip link set "$iface" up
  log "dhcp start on $iface $(cat /sys/class/net/$iface/address)"
  udhcpc -i "$iface" -s /etc/udhcpc.script -O mtu -O staticroutes -t 20 -T 1 -A 5 -b -p "/var/run/udhcpc.$iface.pid" >/dev/null 2>&1
  if [ -s /run/nimbus/net ]; then
    . /run/nimbus/net
    log "dhcp ok $ip mask $mask router \${router:-none} mtu \${mtu:-default} on $iface"
  else
    log "dhcp failed on $iface (still trying in the background)"
  fi
fi

meta=/run/nimbus/meta_data.json
ud=/run/nimbus/user_data
keys=/run/nimbus/keys
name=""
src=""
MD=http://169.254.169.254
# busybox wget's own -T option crashes it (Debian 1.35 static): time-limit it with timeout instead.
md_get() {
  if timeout 10 wget -q -O "$2" "$MD$1" 2>/dev/null; then return 0; fi
  rm -f "$2"
  return 1
}

# A config drive is an ISO9660 volume labelled config-2 (IDE/SATA CD-ROM or a virtio disk): read
# the volume id of each block device with a medium (findfs would also poke the empty drives).
find_config_drive() {
  for b in /sys/block/*; do
    n=\${b##*/}
    case "$n" in loop*|ram*) continue ;; esac
    [ "$(cat "$b/size" 2>/dev/null || echo 0)" -gt 0 ] || continue
    if [ "$(dd if=/dev/$n bs=2048 skip=16 count=1 2>/dev/null | dd bs=1 skip=40 count=8 2>/dev/null)" = config-2 ]; then
      echo "/dev/$n"
      return 0
    fi
  done
  return 1
}
cd_dev=$(find_config_drive)
i=0
while [ -z "$cd_dev" ] && [ $i -lt 4 ] && ls /sys/block | grep -q '^sr'; do
  # Optical drives are probed asynchronously: a medium may not be visible yet.
  sleep 0.25
  cd_dev=$(find_config_drive)
  i=$((i + 1))
done
if [ -n "$cd_dev" ] && mount -t iso9660 -o ro "$cd_dev" /mnt/config 2>/dev/null; then
  src="config-drive $cd_dev"
  cp /mnt/config/openstack/latest/meta_data.json "$meta" 2>/dev/null
  cp /mnt/config/openstack/latest/user_data "$ud" 2>/dev/null
elif [ -n "$ip" ]; then
  i=0
  until md_get /openstack/latest/meta_data.json "$meta"; do
    i=$((i + 1))
    [ $i -ge 20 ] && break
    sleep 1
  done
  if [ -s "$meta" ]; then
    src="$MD/openstack"
    md_get /openstack/latest/user_data "$ud"
  elif md_get /latest/meta-data/instance-id /run/nimbus/instance-id; then
    src="$MD/latest (ec2)"
    md_get /latest/meta-data/hostname /run/nimbus/hostname && name=$(cat /run/nimbus/hostname)
    md_get /latest/user-data "$ud"
  fi
fi

if [ -s "$meta" ]; then
  name=$(sed -n 's/.*"hostname": *"\\([^"]*\\)".*/\\1/p' "$meta" | head -n 1)
  grep -oE '"(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-zA-Z0-9@.-]+) [^"]+"' "$meta" \\
    | sed -e 's/^"//' -e 's/"$//' -e 's/\\\\n$//' -e 's#\\\\/#/#g' | sort -u > "$keys"
fi
if [ -n "$src" ] && [ ! -s "$keys" ] && [ -z "$cd_dev" ]; then
  md_get /latest/meta-data/public-keys/0/openssh-key "$keys"
fi

if [ -n "$src" ]; then
  log "metadata ok from $src"
else
  log "metadata failed: no config drive and no answer from $MD"
fi
if [ -n "$name" ]; then
  hostname "$name"
  echo "$name" > /etc/hostname
  echo "127.0.1.1 $name \${name%%.*}" >> /etc/hosts
fi
log "hostname $(hostname)"
if [ -s "$keys" ]; then
  mkdir -p /home/cirros/.ssh
  cp "$keys" /home/cirros/.ssh/authorized_keys
  chown -R cirros /home/cirros/.ssh
  chmod 700 /home/cirros/.ssh
  chmod 600 /home/cirros/.ssh/authorized_keys
  log "public keys $(grep -c . "$keys") installed for cirros"
else
  log "public keys none"
fi

if [ -s "$ud" ]; then
  if [ "$(head -c 2 "$ud")" = "#!" ]; then
    chmod 700 "$ud"
    log "user-data script start"
    "$ud"
    log "user-data script exit $?"
  else
    log "user-data is not a script ($(wc -c < "$ud") bytes), ignored"
  fi
else
  log "user-data none"
fi

mkdir -p /etc/dropbear
# ECDSA only: dropbear's ed25519 key generation takes seconds under TCG emulation.
hostkey=/etc/dropbear/dropbear_ecdsa_host_key
dropbearkey -t ecdsa -s 256 -f $hostkey >/dev/null 2>&1
log "ssh host key ecdsa $(dropbearkey -y -f $hostkey 2>/dev/null | sed -n 's/^Fingerprint: //p')"
# No -w: cirros is uid 0 (see PASSWD); root itself has no keys, so only cirros logs in.
if dropbear -r $hostkey -p 22 -s -P /run/dropbear.pid; then
  log "ssh ok: dropbear on port 22 (user cirros, key only)"
else
  log "ssh failed: dropbear did not start"
fi
acpid -c /etc/acpi -l /var/log/acpid.log 2>/dev/null

log "ready $(uptime_s)s ip \${ip:-none} hostname $(hostname)"
`;

export const RCK = `#!/bin/sh
echo "nimbus-init: shutting down"
[ -s /run/dropbear.pid ] && kill "$(cat /run/dropbear.pid)" 2>/dev/null
for f in /var/run/udhcpc.*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
exit 0
`;

/** Power button (QMP system_powerdown → ACPI): busybox acpid runs /etc/acpi/PWRF/00000080. */
export const ACPI_POWER = `#!/bin/sh
echo "nimbus-init: power button, powering off" > /dev/console
poweroff
`;

/** udhcpc's hook: address, MTU, classless static routes (RFC 3442, they override the router option), DNS. */
export const UDHCPC_SCRIPT = `#!/bin/sh
state=/run/nimbus/net
case "$1" in
  deconfig)
    ip link set "$interface" up
    ;;
  bound|renew)
    old=""
    [ -s $state ] && old=$(sed -n 's/^ip=//p' $state)
    [ "$old" != "$ip" ] && ip -4 addr flush dev "$interface"
    ip addr add "$ip/$mask" \${broadcast:+broadcast $broadcast} dev "$interface" 2>/dev/null
    [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
    if [ -n "$staticroutes" ]; then
      set -- $staticroutes
      while [ $# -ge 2 ]; do
        if [ "$2" = 0.0.0.0 ]; then ip route replace "$1" dev "$interface"; else ip route replace "$1" via "$2" dev "$interface"; fi
        shift 2
      done
    elif [ -n "$router" ]; then
      for r in $router; do ip route replace default via "$r" dev "$interface"; break; done
    fi
    : > /etc/resolv.conf
    [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    r=""
    for x in $router; do r=$x; break; done
    printf 'ip=%s\\nmask=%s\\nrouter=%s\\nmtu=%s\\n' "$ip" "$mask" "$r" "$mtu" > $state
    ;;
esac
exit 0
`;

// cirros has uid 0: CirrOS gives its user passwordless sudo, and this image has no sudo to give
// (a setuid helper would need a compiler); `sudo` below is a pass-through, so commands written
// for CirrOS (Tempest's `sudo mount`, `sudo cat`) run unchanged. Login stays key-only.
// cirros comes first so that uid 0 reads as "cirros" (id -un, ls -l), as a user logged in sees it.
export const PASSWD = `cirros:*:0:0:CirrOS user:/home/cirros:/bin/sh
root:*:0:0:root:/root:/bin/sh
`;

/** sudo for CirrOS-style commands: options dropped, the command run (the user is uid 0 already). */
export const SUDO = `#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -u|-g|-C|-h|-p) shift 2;;
    --) shift; break;;
    -*) shift;;
    *) break;;
  esac
done
[ $# -gt 0 ] || exit 0
exec "$@"
`;

/**
 * curl for scripts and Tempest (\\`curl URL\\`, \\`curl -X POST -d DATA URL\\`) on busybox wget: GET, or POST
 * with -d; -s/-f/-L/-k and the like accepted and ignored; -o FILE writes there.
 */
export const CURL = `#!/bin/sh
method=""; data=""; has_data=0; out="-"; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -X|--request) method=$2; shift;;
    -d|--data|--data-raw|--data-binary|--data-ascii) data=$2; has_data=1; shift;;
    -o|--output) out=$2; shift;;
    -H|--header|-m|--max-time|--connect-timeout|-u|--user|-A|--user-agent) shift;;
    -*) ;;
    *) url=$1;;
  esac
  shift
done
[ -n "$url" ] || { echo "curl: no URL specified" >&2; exit 2; }
[ -n "$method" ] || { [ "$has_data" = 1 ] && method=POST || method=GET; }
if [ "$method" = POST ]; then exec wget -q -O "$out" --post-data "$data" "$url"; fi
exec wget -q -O "$out" "$url"
`;

/**
 * blkid -L LABEL [-o device]: the device carrying a label, as util-linux prints it (Tempest finds
 * the config drive so); Debian's busybox has no blkid but has findfs.
 */
export const BLKID = `#!/bin/sh
label=""; prev=""
for a in "$@"; do
  [ "$prev" = "-L" ] && label=$a
  prev=$a
done
[ -n "$label" ] || { echo "blkid: only -L LABEL is supported here" >&2; exit 2; }
exec findfs "LABEL=$label"
`;
export const GROUP = `root:x:0:
tty:x:5:
`;
export const SHELLS = '/bin/sh\n';
export const NSSWITCH = 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n';
export const HOSTS = '127.0.0.1 localhost\n';
export const PROFILE = 'export PATH=/bin:/sbin:/usr/bin:/usr/sbin\nexport PS1=\'\\u@\\h:\\w\\$ \'\n';

/** syslinux on the FAT partition: kernel and initramfs, console on the serial port (and VGA). */
export const SYSLINUX_CFG = `SERIAL 0 115200
DEFAULT nimbus
PROMPT 0
TIMEOUT 0
LABEL nimbus
  LINUX /vmlinuz
  INITRD /initrd.gz
  APPEND console=tty0 console=ttyS0,115200n8 quiet
`;

/**
 * Kernel modules the guest loads (with their dependencies, resolved by modinfo at build time):
 * virtio NIC/disk/RNG, e1000, the optical drive and ISO9660 for a config drive on IDE/SATA, and
 * the ACPI power button (graceful stop), and FAT for the disk's persistent /mnt.
 */
export const GUEST_MODULES = [
  'virtio_pci', 'virtio_net', 'virtio_blk', 'virtio_rng', 'e1000',
  'ata_piix', 'ahci', 'sr_mod', 'sd_mod', 'isofs',
  'button', 'evdev',
  'vfat', 'nls_cp437', 'nls_ascii',
] as const;

/** Every text above, for the cache key. */
export function guestTextsDigestInput(): string {
  return JSON.stringify([BUILDER_VERSION, INIT, INITTAB, RCS, RCK, ACPI_POWER, UDHCPC_SCRIPT, PASSWD, GROUP, SHELLS, NSSWITCH, HOSTS,
    PROFILE, SYSLINUX_CFG, GUEST_MODULES, SUDO, CURL, BLKID]);
}
