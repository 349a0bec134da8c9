/*
 * PID 1 of tsemu's Linux test guest. It mounts /proc and /sys, runs the scenario named on the
 * kernel command line (`tsemu_scenario=NAME`, passed to init as an environment variable; a name with
 * a dot would be taken for a module parameter and kept from init; default "boot"), prints one line per fact it checks and powers the machine off
 * (reboot(2): SBI SRST on this kernel), or reboots for the "reboot" scenario.
 *
 * Every line starts with "tsemu-linux: " so tests can pick them out of the kernel's messages, and
 * says only what does not depend on timing, so the same kernel prints the same lines on QEMU.
 *
 *   boot     the CPU count
 *   smp      /proc/cpuinfo, a thread pinned to each CPU (sched_setaffinity) reports sched_getcpu()
 *            there, sleeps on that CPU's timer, and all meet at a barrier (IPIs between CPUs)
 *   hotplug  CPU 1 offline (SBI HSM hart_stop) and back online (hart_start), then used again
 *   disk     the ext2 root image on /dev/vda: read a file mke2fs put there, write and sync another
 *   stress   a thread per CPU: atomics, a futex-based mutex, mmap/munmap, signals between threads
 *   vdso     clock_gettime and sched_getcpu through the vDSO (its page read as data first)
 *   reboot   reboot(RB_AUTOBOOT) (with -no-reboot the emulator exits instead)
 *   rootfs   booted from an ext2 root on /dev/vda (root=/dev/vda rw init=/init): writes and syncs a file in /
 *   pci      rootfs with /dev/vda on virtio-blk-pci, then 64 bytes from /dev/hwrng (virtio-rng-pci), the
 *            current hw_random source, and the PCI functions sysfs lists (vendor, device, class)
 *   net      eth0 (virtio-net-pci) configured from here (SIOCSIFADDR 10.0.2.15/24, SIOCSIFFLAGS up),
 *            its MAC, then an ICMP echo to 10.0.2.2 (raw socket) and three UDP datagrams to
 *            10.0.2.2:$tsemu_port echoed back: slirp's gateway and a host UDP echo server with
 *            -netdev user, or the test's Ethernet peer with -netdev socket
 *   nettcp   eth0 configured as for net, then a TCP connection to 10.0.2.2:$tsemu_port (a host echo
 *            server through -netdev user): a line and 64 KiB sent and read back, a half-close
 *            answered by the server's end of stream; a connection to 10.0.2.2:$tsemu_closed_port
 *            (nothing listening on the host) refused
 *   vserial  virtio-serial-pci: the ports /sys/class/virtio-ports lists (with their names), then a
 *            line written to /dev/hvc0 (a virtconsole) and to the /dev/vport* named org.tsemu.port
 *            (a virtserialport), each answered by the host side (the test's socket chardev) with
 *            a line read back here
 *   idle     prints "idle: start", sleeps 3 s with every CPU idle, prints "idle: end" (npm run bench
 *            measures the emulator's CPU use in between)
 *   loops    the bench's integer and memory workloads (bench/guest/workloads.h) in this user process,
 *            timed with CLOCK_MONOTONIC: "loop int: <ns> ns, result <checksum>" (npm run bench)
 *   syscon-poweroff, syscon-reboot
 *            follows the device tree's syscon-poweroff / syscon-reboot node (regmap phandle, offset,
 *            value) to the register and writes it through /dev/mem, as the kernel's syscon drivers
 *            would if SBI SRST did not take precedence
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/auxv.h>
#include <dirent.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS 8

static int failures;

static void say(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  printf("tsemu-linux: %s\n", line);
  fflush(stdout);
  /* wait until the UART has sent the line: the tty driver sends it from interrupts, and a kernel
     message (printk writes the console directly) would otherwise land inside it */
  tcdrain(STDOUT_FILENO);
}

static void check(int ok, const char *fmt, ...) {
  char what[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  say("%s %s", ok ? "ok" : "FAILED", what);
  if (!ok) failures++;
}

static int online_cpus(void) { return (int)sysconf(_SC_NPROCESSORS_ONLN); }

/* ---- smp ---------------------------------------------------------------------------------- */

static pthread_barrier_t barrier;

struct pinned {
  int cpu;
  int ran_on;
  int ran_on_after_sleep;
  int timer_ok;
  int pin_error;
};

static void *pinned_thread(void *arg) {
  struct pinned *p = arg;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(p->cpu, &set);
  p->pin_error = sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
  sched_yield();
  p->ran_on = sched_getcpu();
  struct timespec before, after, nap = { 0, 10 * 1000 * 1000 };
  clock_gettime(CLOCK_MONOTONIC, &before);
  for (int i = 0; i < 3; i++) nanosleep(&nap, NULL);
  clock_gettime(CLOCK_MONOTONIC, &after);
  long elapsed_ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
  p->timer_ok = elapsed_ms >= 30;
  p->ran_on_after_sleep = sched_getcpu();
  pthread_barrier_wait(&barrier);
  return NULL;
}

static int count_cpuinfo_processors(void) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return -1;
  char line[256];
  int n = 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "processor", 9) == 0) n++;
  fclose(f);
  return n;
}

/* Pins one thread on each of `cpus` CPUs; checks each ran (and woke from its sleeps) where it was pinned. */
static void run_pinned_threads(int cpus) {
  struct pinned p[MAX_CPUS];
  pthread_t t[MAX_CPUS];
  pthread_barrier_init(&barrier, NULL, (unsigned)cpus);
  for (int i = 0; i < cpus; i++) {
    p[i] = (struct pinned){ .cpu = i };
    pthread_create(&t[i], NULL, pinned_thread, &p[i]);
  }
  for (int i = 0; i < cpus; i++) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&barrier);
  for (int i = 0; i < cpus; i++) {
    check(p[i].pin_error == 0, "thread pinned to cpu %d: sched_setaffinity error %d", i, p[i].pin_error);
    check(p[i].ran_on == i && p[i].ran_on_after_sleep == i, "thread pinned to cpu %d ran on cpu %d, after its sleeps on cpu %d", i, p[i].ran_on, p[i].ran_on_after_sleep);
    check(p[i].timer_ok, "thread on cpu %d slept 3 x 10 ms on that cpu's timer", i);
  }
}

static void scenario_smp(void) {
  int cpus = online_cpus();
  say("%d cpus online", cpus);
  check(count_cpuinfo_processors() == cpus, "/proc/cpuinfo lists %d processors", cpus);
  run_pinned_threads(cpus > MAX_CPUS ? MAX_CPUS : cpus);
  say("all threads met at the barrier");
}

/* ---- hotplug ---------------------------------------------------------------------------- */

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -errno;
  ssize_t n = write(fd, text, strlen(text));
  int err = n < 0 ? -errno : 0;
  close(fd);
  return err;
}

static int read_int_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  int v = -1;
  if (fscanf(f, "%d", &v) != 1) v = -1;
  fclose(f);
  return v;
}

static void scenario_hotplug(void) {
  int cpus = online_cpus();
  say("%d cpus online", cpus);
  if (cpus < 2) {
    check(0, "hotplug needs at least 2 cpus");
    return;
  }
  check(write_file("/sys/devices/system/cpu/cpu1/online", "0") == 0, "cpu1 taken offline");
  check(read_int_file("/sys/devices/system/cpu/cpu1/online") == 0, "cpu1/online reads 0");
  check(online_cpus() == cpus - 1, "%d cpus online after", cpus - 1);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(1, &set);
  check(sched_setaffinity(0, sizeof set, &set) != 0 && errno == EINVAL, "pinning to the offline cpu1 is refused");
  check(write_file("/sys/devices/system/cpu/cpu1/online", "1") == 0, "cpu1 brought back online");
  check(read_int_file("/sys/devices/system/cpu/cpu1/online") == 1, "cpu1/online reads 1");
  check(online_cpus() == cpus, "%d cpus online again", cpus);
  run_pinned_threads(cpus > MAX_CPUS ? MAX_CPUS : cpus);
}

/* ---- disk ------------------------------------------------------------------------------- */

static void scenario_disk(void) {
  mkdir("/mnt", 0755);
  int r = mount("/dev/vda", "/mnt", "ext2", 0, NULL);
  check(r == 0, "mounted /dev/vda (ext2) read-write%s%s", r ? ": " : "", r ? strerror(errno) : "");
  if (r) return;
  char buf[128] = { 0 };
  int fd = open("/mnt/hello.txt", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0) close(fd);
  check(n > 0, "read /mnt/hello.txt: %s", n > 0 ? strtok(buf, "\n") : strerror(errno));
  fd = open("/mnt/written-by-guest.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const char *text = "written by tsemu's Linux guest\n";
  check(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "wrote /mnt/written-by-guest.txt");
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  sync();
  check(umount("/mnt") == 0, "unmounted /mnt");
}

/* ---- rootfs ------------------------------------------------------------------------------ */

static void scenario_rootfs(void) {
  struct statfs fs;
  check(statfs("/", &fs) == 0 && fs.f_type == EXT2_SUPER_MAGIC, "/ is an ext2 file system");
  char buf[128] = { 0 };
  int fd = open("/hello.txt", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0) close(fd);
  check(n > 0, "read /hello.txt: %s", n > 0 ? strtok(buf, "\n") : strerror(errno));
  fd = open("/written-by-guest.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const char *text = "written by tsemu's Linux guest on its root file system\n";
  check(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "wrote /written-by-guest.txt");
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  sync();
  check(mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "remounted / read-only before power-off");
}

/* ---- pci -------------------------------------------------------------------------------- */

static void read_line(const char *path, char *buf, size_t size) {
  buf[0] = 0;
  int fd = open(path, O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
  if (fd >= 0) close(fd);
  buf[n > 0 ? n : 0] = 0;
  strtok(buf, "\n");
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static void scenario_pci(void) {
  scenario_rootfs();
  unsigned char bytes[64];
  int fd = open("/dev/hwrng", O_RDONLY);
  size_t got = 0;
  while (fd >= 0 && got < sizeof bytes) {
    ssize_t n = read(fd, bytes + got, sizeof bytes - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  if (fd >= 0) close(fd);
  check(got == sizeof bytes, "read %zu of %zu bytes from /dev/hwrng", got, sizeof bytes);
  char line[128];
  read_line("/sys/class/misc/hw_random/rng_current", line, sizeof line);
  say("hw_random source: %s", line);
  struct dirent **list;
  int n = scandir("/sys/bus/pci/devices", &list, NULL, by_name);
  for (int i = 0; i < n; i++) {
    if (list[i]->d_name[0] != '.') {
      char path[300], vendor[32], device[32], class_[32];
      snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/vendor", list[i]->d_name);
      read_line(path, vendor, sizeof vendor);
      snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/device", list[i]->d_name);
      read_line(path, device, sizeof device);
      snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/class", list[i]->d_name);
      read_line(path, class_, sizeof class_);
      say("pci %s %s:%s class %s", list[i]->d_name, vendor, device, class_);
    }
    free(list[i]);
  }
  if (n >= 0) free(list);
  check(n > 0, "sysfs lists PCI functions");
}

/* ---- net --------------------------------------------------------------------------------- */

static int set_inet(int fd, unsigned long request, const char *ifname, const char *addr) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
  sin->sin_family = AF_INET;
  inet_pton(AF_INET, addr, &sin->sin_addr);
  return ioctl(fd, request, &ifr);
}

static void configure_eth0(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  check(fd >= 0, "socket(AF_INET): %s", fd < 0 ? strerror(errno) : "ok");
  if (fd < 0) return;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "eth0");
  int r = ioctl(fd, SIOCGIFHWADDR, &ifr);
  check(r == 0, "SIOCGIFHWADDR eth0: %s", r ? strerror(errno) : "ok");
  unsigned char *m = (unsigned char *)ifr.ifr_hwaddr.sa_data;
  say("eth0 MAC %02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  check(set_inet(fd, SIOCSIFADDR, "eth0", "10.0.2.15") == 0, "SIOCSIFADDR 10.0.2.15");
  check(set_inet(fd, SIOCSIFNETMASK, "eth0", "255.255.255.0") == 0, "SIOCSIFNETMASK 255.255.255.0");
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "eth0");
  ioctl(fd, SIOCGIFFLAGS, &ifr);
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  check(ioctl(fd, SIOCSIFFLAGS, &ifr) == 0, "SIOCSIFFLAGS eth0 up");
  close(fd);
}

static unsigned short inet_csum(const void *data, int len) {
  const unsigned char *p = data;
  unsigned long sum = 0;
  for (int i = 0; i + 1 < len; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (len & 1) sum += p[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons((unsigned short)~sum);
}

static void set_timeout(int fd, int seconds) {
  struct timeval tv = {seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* One ICMP echo to `ip` over a raw socket; the reply's type, id, sequence and payload are checked. */
static void ping_once(const char *ip) {
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  check(fd >= 0, "raw ICMP socket: %s", fd < 0 ? strerror(errno) : "ok");
  if (fd < 0) return;
  set_timeout(fd, 20);
  struct sockaddr_in to = {.sin_family = AF_INET};
  inet_pton(AF_INET, ip, &to.sin_addr);
  unsigned char pkt[64];
  struct icmphdr *h = (struct icmphdr *)pkt;
  memset(pkt, 0, sizeof pkt);
  h->type = ICMP_ECHO;
  h->un.echo.id = htons(0x7473);
  h->un.echo.sequence = htons(1);
  for (unsigned i = sizeof *h; i < sizeof pkt; i++) pkt[i] = (unsigned char)i;
  h->checksum = inet_csum(pkt, sizeof pkt);
  ssize_t n = sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&to, sizeof to);
  check(n == (ssize_t)sizeof pkt, "ICMP echo sent: %s", n < 0 ? strerror(errno) : "ok");
  unsigned char buf[256];
  for (int tries = 0; tries < 5; tries++) {
    n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) break;
    struct iphdr *iph = (struct iphdr *)buf;
    struct icmphdr *r = (struct icmphdr *)(buf + 4 * iph->ihl);
    if (r->type != ICMP_ECHOREPLY) continue;
    int same = n - 4 * iph->ihl == (ssize_t)sizeof pkt && memcmp((unsigned char *)r + sizeof *r, pkt + sizeof *h, sizeof pkt - sizeof *h) == 0;
    char from[32];
    inet_ntop(AF_INET, &iph->saddr, from, sizeof from);
    say("ping %s: echo reply from %s, id %#x seq %u, %zd bytes, payload %s", ip, from, ntohs(r->un.echo.id), ntohs(r->un.echo.sequence),
        n - 4 * iph->ihl, same ? "intact" : "different");
    close(fd);
    return;
  }
  check(0, "ping %s: no echo reply (%s)", ip, n < 0 ? strerror(errno) : "other ICMP only");
  close(fd);
}

static void udp_echo(const char *ip, int port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  check(fd >= 0, "UDP socket: %s", fd < 0 ? strerror(errno) : "ok");
  if (fd < 0) return;
  set_timeout(fd, 20);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, ip, &to.sin_addr);
  for (int i = 1; i <= 3; i++) {
    char msg[64], reply[128];
    int len = snprintf(msg, sizeof msg, "datagram %d over virtio-net", i);
    ssize_t n = sendto(fd, msg, len, 0, (struct sockaddr *)&to, sizeof to);
    check(n == len, "UDP datagram %d sent: %s", i, n < 0 ? strerror(errno) : "ok");
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    n = recvfrom(fd, reply, sizeof reply - 1, 0, (struct sockaddr *)&from, &fl);
    check(n >= 0, "UDP reply %d: %s", i, n < 0 ? strerror(errno) : "ok");
    if (n < 0) break;
    reply[n] = 0;
    char addr[32];
    inet_ntop(AF_INET, &from.sin_addr, addr, sizeof addr);
    say("udp reply from %s:%d: \"%s\"", addr, ntohs(from.sin_port), reply);
  }
  close(fd);
}

static void scenario_net(void) {
  char line[128];
  read_line("/sys/class/net/eth0/device/device", line, sizeof line);
  say("eth0 is virtio device %s", line);
  configure_eth0();
  ping_once("10.0.2.2");
  const char *port = getenv("tsemu_port");
  check(port != NULL, "tsemu_port given on the command line");
  if (port) udp_echo("10.0.2.2", atoi(port));
}

/* ---- nettcp ----------------------------------------------------------------------------- */

static int tcp_connect(const char *ip, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  set_timeout(fd, 20);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, ip, &to.sin_addr);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* Sends a line and 64 KiB of a pattern to an echo server, reads all of it back, then half-closes
   and waits for the server's end of stream. */
static void tcp_echo(const char *ip, int port) {
  static unsigned char out[65536 + 64], in[sizeof out];
  int fd = tcp_connect(ip, port);
  check(fd >= 0, "TCP connect to %s: %s", ip, fd < 0 ? strerror(errno) : "ok");
  if (fd < 0) return;
  int len = snprintf((char *)out, 64, "a line over TCP\n");
  for (int i = 0; i < 65536; i++) out[len + i] = (unsigned char)(i * 7 + (i >> 8));
  len += 65536;
  ssize_t sent = 0;
  while (sent < len) {
    ssize_t n = write(fd, out + sent, len - sent);
    if (n <= 0) break;
    sent += n;
  }
  check(sent == len, "TCP sent %d bytes", len);
  ssize_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, in + got, len - got);
    if (n <= 0) break;
    got += n;
  }
  check(got == len && memcmp(in, out, len) == 0, "TCP echo: %zd of %d bytes back, intact", got, len);
  check(shutdown(fd, SHUT_WR) == 0, "TCP shutdown(SHUT_WR)");
  char extra;
  ssize_t n = read(fd, &extra, 1);
  check(n == 0, "TCP end of stream after the server closed (%s)", n < 0 ? strerror(errno) : n == 0 ? "read 0" : "more data");
  close(fd);
}

static void scenario_nettcp(void) {
  configure_eth0();
  const char *port = getenv("tsemu_port");
  const char *closed = getenv("tsemu_closed_port");
  check(port != NULL && closed != NULL, "tsemu_port and tsemu_closed_port given on the command line");
  if (!port || !closed) return;
  tcp_echo("10.0.2.2", atoi(port));
  int fd = tcp_connect("10.0.2.2", atoi(closed));
  say("TCP connect to a closed host port: %s", fd < 0 ? strerror(errno) : "connected");
  if (fd >= 0) close(fd);
}

/* ---- vserial ---------------------------------------------------------------------------- */

/* Write `msg` to a virtio-serial device and read one line back (raw mode on a tty: no echo). */
static void vserial_exchange(const char *dev, const char *msg) {
  int fd = open(dev, O_RDWR | O_NOCTTY);
  check(fd >= 0, "open %s: %s", dev, fd < 0 ? strerror(errno) : "ok");
  if (fd < 0) return;
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(fd, TCSANOW, &t);
  }
  ssize_t n = write(fd, msg, strlen(msg));
  check(n == (ssize_t)strlen(msg), "%s: line written: %s", dev, n < 0 ? strerror(errno) : "ok");
  char reply[128];
  size_t got = 0;
  while (got < sizeof reply - 1 && (got == 0 || reply[got - 1] != '\n')) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 20000) <= 0) break;
    n = read(fd, reply + got, sizeof reply - 1 - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  reply[got] = 0;
  if (got > 0 && reply[got - 1] == '\n') reply[got - 1] = 0;
  check(got > 0, "%s: a line from the host", dev);
  say("%s read \"%s\"", dev, reply);
  close(fd);
}

static void scenario_vserial(void) {
  struct dirent **list;
  char port_dev[300] = "";
  int n = scandir("/sys/class/virtio-ports", &list, NULL, by_name);
  for (int i = 0; i < n; i++) {
    if (list[i]->d_name[0] != '.') {
      char path[300], name[128];
      snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", list[i]->d_name);
      read_line(path, name, sizeof name);
      say("virtio-port %s name \"%s\"", list[i]->d_name, name);
      if (strcmp(name, "org.tsemu.port") == 0) snprintf(port_dev, sizeof port_dev, "/dev/%s", list[i]->d_name);
    }
    free(list[i]);
  }
  if (n >= 0) free(list);
  check(n > 2, "sysfs lists virtio ports");
  vserial_exchange("/dev/hvc0", "hello from hvc0\n");
  check(port_dev[0] != 0, "a port named org.tsemu.port");
  if (port_dev[0]) vserial_exchange(port_dev, "hello from the named port\n");
}

/* ---- loops ------------------------------------------------------------------------------- */

#include "../../../bench/guest/workloads.h"

static long long monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Rounds: a fifth of the bare-metal guests' (bench/guest/int.c 2000, mem.c 12 rounds), about
 * 80 M and 60 M instructions. */
static void scenario_loops(void) {
  long long t0 = monotonic_ns();
  uint64_t acc = int_kernel(400);
  long long t1 = monotonic_ns();
  say("loop int: %lld ns, result %llu", t1 - t0, (unsigned long long)acc);
  acc = mem_kernel(2);
  long long t2 = monotonic_ns();
  say("loop mem: %lld ns, result %llu", t2 - t1, (unsigned long long)acc);
}

/* ---- syscon ------------------------------------------------------------------------------ */

/* A big-endian cell array property of /proc/device-tree; returns the number of cells read. */
static int dt_cells(const char *path, uint32_t *cells, int max) {
  unsigned char raw[64];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, raw, sizeof raw);
  close(fd);
  int count = n > 0 ? (int)(n / 4) : 0;
  if (count > max) count = max;
  for (int i = 0; i < count; i++)
    cells[i] = (uint32_t)raw[4 * i] << 24 | (uint32_t)raw[4 * i + 1] << 16 | (uint32_t)raw[4 * i + 2] << 8 | raw[4 * i + 3];
  return count;
}

/* The /soc child whose phandle is `phandle`, its first reg address (2 address cells). */
static unsigned long soc_node_address(uint32_t phandle, char *name, size_t name_size) {
  DIR *soc = opendir("/proc/device-tree/soc");
  struct dirent *e;
  unsigned long address = 0;
  while (soc != NULL && (e = readdir(soc)) != NULL) {
    char path[300];
    uint32_t cells[4];
    snprintf(path, sizeof path, "/proc/device-tree/soc/%s/phandle", e->d_name);
    if (dt_cells(path, cells, 1) != 1 || cells[0] != phandle) continue;
    snprintf(path, sizeof path, "/proc/device-tree/soc/%s/reg", e->d_name);
    if (dt_cells(path, cells, 4) >= 2) address = (unsigned long)cells[0] << 32 | cells[1];
    snprintf(name, name_size, "%s", e->d_name);
  }
  if (soc != NULL) closedir(soc);
  return address;
}

/* Checks the node and its driver, prints PASS, then writes the register: the machine stops. */
static void scenario_syscon(const char *node) {
  char path[200], target[300] = "";
  uint32_t regmap = 0, offset = 0, value = 0;
  snprintf(path, sizeof path, "/proc/device-tree/%s/regmap", node);
  check(dt_cells(path, &regmap, 1) == 1, "/%s has a regmap phandle", node);
  snprintf(path, sizeof path, "/proc/device-tree/%s/offset", node);
  check(dt_cells(path, &offset, 1) == 1, "/%s offset 0x%x", node, offset);
  snprintf(path, sizeof path, "/proc/device-tree/%s/value", node);
  check(dt_cells(path, &value, 1) == 1, "/%s value 0x%x", node, value);
  unsigned long address = soc_node_address(regmap, target, sizeof target);
  check(address != 0, "its regmap is /soc/%s at 0x%lx", target, address);
  struct stat st;
  say("syscon-reboot driver bound to /reboot: %s", stat("/sys/bus/platform/drivers/syscon-reboot/reboot", &st) == 0 ? "yes" : "no");
  say("syscon-poweroff driver bound to /poweroff: %s (SBI SRST claims power-off first)",
      stat("/sys/bus/platform/drivers/syscon-poweroff/poweroff", &st) == 0 ? "yes" : "no");
  int fd = open("/dev/mem", O_RDWR | O_SYNC);
  check(fd >= 0, "opened /dev/mem");
  volatile uint32_t *regs = fd >= 0 ? mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)address) : MAP_FAILED;
  check(regs != MAP_FAILED, "mapped the syscon page");
  say(failures == 0 ? "syscon-%s: PASS" : "syscon-%s: FAIL", node);
  sync();
  if (regs == MAP_FAILED) return;
  say("writing 0x%x to 0x%lx", value, address + offset);
  regs[offset / 4] = value;
  say("still running after the syscon write");
}

/* ---- stress ----------------------------------------------------------------------------- */

#define STRESS_ROUNDS 2000
#define SIGNAL_EVERY 100

static atomic_long atomic_counter;
static long mutex_counter;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static atomic_int signals_received[MAX_CPUS];
static pid_t tids[MAX_CPUS];
static atomic_int ready;
static int stress_threads;

static __thread int my_index;

static void on_signal(int sig) {
  (void)sig;
  atomic_fetch_add(&signals_received[my_index], 1);
}

struct stress_arg {
  int index;
  int mmap_errors;
  long checksum;
};

static void *stress_thread(void *arg) {
  struct stress_arg *a = arg;
  my_index = a->index;
  tids[a->index] = (pid_t)syscall(SYS_gettid);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(a->index % online_cpus(), &set);
  sched_setaffinity(0, sizeof set, &set);
  atomic_fetch_add(&ready, 1);
  while (atomic_load(&ready) < stress_threads) sched_yield();
  int next = (a->index + 1) % stress_threads;
  for (int round = 0; round < STRESS_ROUNDS; round++) {
    atomic_fetch_add(&atomic_counter, 1);
    pthread_mutex_lock(&mutex);
    mutex_counter++;
    pthread_mutex_unlock(&mutex);
    if (round % 50 == 0) {
      unsigned char *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) {
        a->mmap_errors++;
      } else {
        for (int i = 0; i < 65536; i += 4096) m[i] = (unsigned char)(round + i / 4096);
        for (int i = 0; i < 65536; i += 4096) a->checksum += m[i];
        if (munmap(m, 65536) != 0) a->mmap_errors++;
      }
    }
    if (round % SIGNAL_EVERY == 0) syscall(SYS_tgkill, getpid(), tids[next], SIGRTMIN);
  }
  /* stay alive until every thread has sent its signals (a signal to a thread that already
     returned is lost); queued signals are delivered on the way back from this wait */
  pthread_barrier_wait(&barrier);
  return NULL;
}

static void scenario_stress(void) {
  int cpus = online_cpus();
  stress_threads = cpus > MAX_CPUS ? MAX_CPUS : cpus;
  if (stress_threads < 2) stress_threads = 2;
  say("%d cpus online, %d threads", cpus, stress_threads);
  /* a real-time signal: every one sent is queued (a standard signal sent twice before it is
     delivered arrives once) */
  struct sigaction sa = { 0 };
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGRTMIN, &sa, NULL);
  pthread_t t[MAX_CPUS];
  struct stress_arg args[MAX_CPUS];
  pthread_barrier_init(&barrier, NULL, (unsigned)stress_threads);
  for (int i = 0; i < stress_threads; i++) {
    args[i] = (struct stress_arg){ .index = i };
    pthread_create(&t[i], NULL, stress_thread, &args[i]);
  }
  for (int i = 0; i < stress_threads; i++) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&barrier);
  long expected = (long)stress_threads * STRESS_ROUNDS;
  check(atomic_load(&atomic_counter) == expected, "atomic counter %ld (expected %ld)", atomic_load(&atomic_counter), expected);
  check(mutex_counter == expected, "mutex counter %ld (expected %ld)", mutex_counter, expected);
  long checksum = 0, expected_checksum = 0;
  int mmap_errors = 0;
  for (int round = 0; round < STRESS_ROUNDS; round += 50)
    for (int i = 0; i < 16; i++) expected_checksum += (unsigned char)(round + i);
  for (int i = 0; i < stress_threads; i++) {
    checksum += args[i].checksum;
    mmap_errors += args[i].mmap_errors;
  }
  check(mmap_errors == 0 && checksum == expected_checksum * stress_threads, "mmap/munmap across threads: %d errors, checksum %s", mmap_errors,
        checksum == expected_checksum * stress_threads ? "right" : "WRONG");
  int sent = STRESS_ROUNDS / SIGNAL_EVERY;
  for (int i = 0; i < stress_threads; i++)
    check(atomic_load(&signals_received[i]) == sent, "thread %d received %d of %d signals", i, atomic_load(&signals_received[i]), sent);
}

/* ---- main ------------------------------------------------------------------------------- */

int main(void) {
  if (mount("proc", "/proc", "proc", 0, 0) != 0) say("mount /proc failed: %s", strerror(errno));
  if (mount("sysfs", "/sys", "sysfs", 0, 0) != 0) say("mount /sys failed: %s", strerror(errno));
  /* an initramfs gets no devtmpfs of its own (CONFIG_DEVTMPFS_MOUNT acts on a disk root only) */
  if (mount("devtmpfs", "/dev", "devtmpfs", 0, 0) != 0 && errno != EBUSY) say("mount /dev failed: %s", strerror(errno));
  /* kernel warnings off the console from here on (as `dmesg -n 4`): printk writes the console
     directly, so a warning raised while a line is on its way (a slow host makes "hrtimer:
     interrupt took N ns" likely) lands inside that line; errors and worse still show */
  if (klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, 4) != 0) say("klogctl failed: %s", strerror(errno));
  const char *scenario = getenv("tsemu_scenario");
  if (scenario == NULL) scenario = "boot";
  say("init started, scenario %s", scenario);
  int reboot_requested = 0;
  if (strcmp(scenario, "boot") == 0) say("%d cpus online", online_cpus());
  else if (strcmp(scenario, "smp") == 0) scenario_smp();
  else if (strcmp(scenario, "hotplug") == 0) scenario_hotplug();
  else if (strcmp(scenario, "disk") == 0) scenario_disk();
  else if (strcmp(scenario, "stress") == 0) scenario_stress();
  else if (strcmp(scenario, "reboot") == 0) reboot_requested = 1;
  else if (strcmp(scenario, "rootfs") == 0) scenario_rootfs();
  else if (strcmp(scenario, "pci") == 0) scenario_pci();
  else if (strcmp(scenario, "net") == 0) scenario_net();
  else if (strcmp(scenario, "loops") == 0) scenario_loops();
  else if (strcmp(scenario, "vserial") == 0) scenario_vserial();
  else if (strcmp(scenario, "nettcp") == 0) scenario_nettcp();
  else if (strcmp(scenario, "idle") == 0) {
    /* a shell at its prompt: a prompt on the console, then blocked reading it (3 s, no input) */
    say("idle: start");
    printf("tsemu-linux# ");
    fflush(stdout);
    struct pollfd console = {.fd = 0, .events = POLLIN};
    int ready = poll(&console, 1, 3000);
    printf("\n");
    say("idle: end (%s)", ready == 0 ? "no input" : "input");
    /* stay up a moment: the bench reads the emulator's CPU time when it sees "idle: end", and a
       guest powering off at once can be gone by then (QEMU at -smp 8 often was) */
    sleep(1);
  }
  else if (strncmp(scenario, "syscon-", 7) == 0) {
    scenario_syscon(scenario + 7);
    return 1;
  }
  else if (strcmp(scenario, "vdso") == 0) {
    const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
    check(vdso != NULL && memcmp(vdso, "\177ELF", 4) == 0, "the vDSO (AT_SYSINFO_EHDR) starts with an ELF header");
    unsigned long sum = 0;
    for (int i = 0; i < 4096; i++) sum += vdso[i];
    say("vdso page byte sum %lu, word at +0x808 %08x", sum, *(const unsigned *)(vdso + 0x808));
    struct timespec ts;
    check(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "clock_gettime (vDSO)");
    check(sched_getcpu() >= 0, "sched_getcpu (vDSO getcpu)");
  }
  else check(0, "unknown scenario %s", scenario);
  say(failures == 0 ? "%s: PASS" : "%s: FAIL", scenario);
  sync();
  if (reboot_requested) {
    say("reboot");
    reboot(RB_AUTOBOOT);
  } else {
    say("power off");
    reboot(RB_POWER_OFF);
  }
  say("reboot(2) returned: %s", strerror(errno));
  return 1;
}
