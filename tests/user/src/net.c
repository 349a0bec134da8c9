/* Waiting for descriptors and sockets: poll/ppoll/select/pselect, epoll, eventfd, unix sockets
 * (socketpair, a path, stream and datagram) and loopback TCP/UDP between threads and processes.
 * Ports are the system's choice, so only properties of them are printed. argv[1]: a scratch
 * directory for the socket paths. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void check(int ok, const char *what) {
  printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
}

static long elapsed_ms(struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static void polls(void) {
  int p[2];
  pipe(p);
  struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
  printf("poll empty pipe: %d in=%d out=%d\n", poll(f, 2, 0), f[0].revents, f[1].revents);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  printf("poll timeout: %d\n", poll(f, 1, 30));
  printf("waited >= 30ms: %d\n", elapsed_ms(&t0) >= 30);
  write(p[1], "x", 1);
  printf("poll after write: %d in=%d\n", poll(f, 1, -1), f[0].revents);
  fd_set r, w;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(p[0], &r);
  FD_SET(p[1], &w);
  struct timeval tv = {0, 0};
  int n = select(p[1] + 1, &r, &w, 0, &tv);
  printf("select: %d r=%d w=%d\n", n, FD_ISSET(p[0], &r) != 0, FD_ISSET(p[1], &w) != 0);
  char c;
  read(p[0], &c, 1);
  FD_ZERO(&r);
  FD_SET(p[0], &r);
  struct timespec ts = {0, 20000000};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  printf("pselect timeout: %d r=%d\n", pselect(p[0] + 1, &r, 0, 0, &ts, 0), FD_ISSET(p[0], &r) != 0);
  printf("waited >= 20ms: %d\n", elapsed_ms(&t0) >= 20);
  close(p[1]);
  f[0].revents = 0;
  printf("ppoll after close: %d hup=%d\n", ppoll(f, 1, 0, 0), (f[0].revents & POLLHUP) != 0);
  close(p[0]);
  struct pollfd bad = {p[0], POLLIN, 0};
  printf("poll closed fd: %d nval=%d\n", poll(&bad, 1, 0), bad.revents == POLLNVAL);
}

static void eventfds(void) {
  int e = eventfd(3, EFD_NONBLOCK);
  uint64_t v = 0;
  printf("eventfd read: %zd %llu\n", read(e, &v, 8), (unsigned long long)v);
  printf("eventfd empty: %zd %s\n", read(e, &v, 8), strerror(errno));
  v = 5;
  write(e, &v, 8);
  write(e, &v, 8);
  read(e, &v, 8);
  printf("eventfd sum: %llu\n", (unsigned long long)v);
  close(e);
  int s = eventfd(2, EFD_SEMAPHORE);
  read(s, &v, 8);
  printf("semaphore: %llu\n", (unsigned long long)v);
  read(s, &v, 8);
  struct pollfd f = {s, POLLIN, 0};
  printf("semaphore drained: poll %d\n", poll(&f, 1, 0));
  close(s);
}

static int efd;
static void *poster(void *arg) {
  (void)arg;
  struct timespec nap = {0, 10000000};
  nanosleep(&nap, 0);
  uint64_t one = 1;
  write(efd, &one, 8);
  return 0;
}

static void epolls(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int p[2];
  pipe(p);
  efd = eventfd(0, 0);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL};
  check(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "epoll_ctl add pipe");
  ev.data.u64 = 7;
  check(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0, "epoll_ctl add eventfd");
  printf("epoll_ctl add again: %d %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), strerror(errno));
  struct epoll_event out[4];
  printf("epoll_wait none: %d\n", epoll_wait(ep, out, 4, 0));
  write(p[1], "ab", 2);
  int n = epoll_wait(ep, out, 4, -1);
  printf("epoll_wait pipe: %d events=%u data=%llx\n", n, out[0].events, (unsigned long long)out[0].data.u64);
  pthread_t t;
  pthread_create(&t, 0, poster, 0);
  char buf[4];
  read(p[0], buf, 2);
  n = epoll_wait(ep, out, 4, 5000);
  printf("epoll_wait thread's eventfd: %d data=%llu\n", n, (unsigned long long)out[0].data.u64);
  pthread_join(t, 0);
  uint64_t v;
  read(efd, &v, 8);
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = 1;
  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
  write(p[1], "c", 1);
  printf("edge-triggered first: %d\n", epoll_wait(ep, out, 4, 0));
  printf("edge-triggered again: %d\n", epoll_wait(ep, out, 4, 0));
  check(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], 0) == 0, "epoll_ctl del");
  printf("epoll_ctl del again: %d %s\n", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], 0), strerror(errno));
  printf("epoll timeout: %d\n", epoll_wait(ep, out, 4, 20));
  close(ep);
  close(efd);
  close(p[0]);
  close(p[1]);
}

static void pairs(void) {
  int sv[2];
  check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair stream");
  write(sv[0], "hello", 5);
  char buf[32] = {0};
  int avail = 0;
  ioctl(sv[1], FIONREAD, &avail);
  printf("FIONREAD: %d\n", avail);
  printf("recv: %zd %s\n", recv(sv[1], buf, sizeof buf, 0), buf);
  send(sv[1], "back", 4, 0);
  memset(buf, 0, sizeof buf);
  printf("read: %zd %s\n", read(sv[0], buf, sizeof buf), buf);
  shutdown(sv[0], SHUT_WR);
  printf("after shutdown: %zd\n", read(sv[1], buf, sizeof buf));
  struct stat st;
  fstat(sv[0], &st);
  printf("S_ISSOCK: %d\n", S_ISSOCK(st.st_mode));
  close(sv[0]);
  close(sv[1]);
  check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair dgram");
  send(sv[0], "one", 3, 0);
  send(sv[0], "two!", 4, 0);
  printf("datagrams: %zd %zd\n", recv(sv[1], buf, sizeof buf, 0), recv(sv[1], buf, sizeof buf, 0));
  fcntl(sv[1], F_SETFL, O_NONBLOCK);
  printf("empty nonblocking: %zd %s\n", recv(sv[1], buf, sizeof buf, 0), strerror(errno));
  close(sv[0]);
  close(sv[1]);
  printf("socket bad family: %d %s\n", socket(12345, SOCK_STREAM, 0), strerror(errno));
  int nul = open("/dev/null", O_WRONLY);
  printf("send on a file: %zd %s\n", send(nul, "x", 1, 0), strerror(errno));
  close(nul);
}

static void unix_path(const char *dir) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof a.sun_path, "%s/stream.sock", dir);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("connect before bind: %d %s\n", connect(c, (struct sockaddr *)&a, sizeof a), strerror(errno));
  check(bind(l, (struct sockaddr *)&a, sizeof a) == 0, "bind path");
  struct stat st;
  printf("socket file: %d\n", stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode));
  int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("bind again: %d %s\n", bind(l2, (struct sockaddr *)&a, sizeof a), strerror(errno));
  close(l2);
  printf("connect before listen: %d %s\n", connect(c, (struct sockaddr *)&a, sizeof a), strerror(errno));
  check(listen(l, 4) == 0, "listen");
  check(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect");
  struct sockaddr_un peer;
  socklen_t len = sizeof peer;
  int s = accept(l, (struct sockaddr *)&peer, &len);
  printf("accept: %d peer len %u\n", s >= 0, len);
  len = sizeof peer;
  getsockname(l, (struct sockaddr *)&peer, &len);
  printf("getsockname is the path: %d\n", strcmp(peer.sun_path, a.sun_path) == 0);
  write(c, "ping", 4);
  char buf[16] = {0};
  read(s, buf, sizeof buf);
  printf("server got %s\n", buf);
  close(c);
  printf("eof after close: %zd\n", read(s, buf, sizeof buf));
  close(s);
  close(l);
  check(unlink(a.sun_path) == 0, "unlink");
  snprintf(a.sun_path, sizeof a.sun_path, "%s/dgram.sock", dir);
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  bind(d, (struct sockaddr *)&a, sizeof a);
  int e = socket(AF_UNIX, SOCK_DGRAM, 0);
  printf("sendto path: %zd\n", sendto(e, "dgram", 5, 0, (struct sockaddr *)&a, sizeof a));
  memset(buf, 0, sizeof buf);
  len = sizeof peer;
  printf("recvfrom: %zd %s from len %u\n", recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&peer, &len), buf, len);
  close(d);
  close(e);
  unlink(a.sun_path);
}

static int tcp_listener(struct sockaddr_in *a) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  check(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "SO_REUSEADDR");
  *a = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  check(bind(l, (struct sockaddr *)a, sizeof *a) == 0, "bind 127.0.0.1:0");
  socklen_t len = sizeof *a;
  getsockname(l, (struct sockaddr *)a, &len);
  printf("ephemeral port: %d len %u\n", ntohs(a->sin_port) >= 1024, len);
  check(listen(l, 8) == 0, "listen tcp");
  return l;
}

static void *tcp_server(void *arg) {
  int l = *(int *)arg;
  for (int i = 0; i < 2; i++) {
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int s = accept(l, (struct sockaddr *)&peer, &len);
    char buf[64];
    ssize_t n;
    size_t total = 0;
    while ((n = recv(s, buf, sizeof buf, 0)) > 0) {
      for (ssize_t k = 0; k < n; k++) buf[k] ^= 0x20;
      send(s, buf, n, MSG_NOSIGNAL);
      total += n;
    }
    printf("server: connection %d from 127.0.0.1: %d, %zu bytes\n", i, peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), total);
    close(s);
  }
  return 0;
}

static void tcp_client(const struct sockaddr_in *a, const char *msg) {
  int c = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  check(connect(c, (const struct sockaddr *)a, sizeof *a) == 0, "connect tcp");
  struct sockaddr_in peer;
  socklen_t len = sizeof peer;
  getpeername(c, (struct sockaddr *)&peer, &len);
  printf("getpeername port matches: %d\n", peer.sin_port == a->sin_port);
  send(c, msg, strlen(msg), 0);
  shutdown(c, SHUT_WR);
  char buf[64] = {0};
  size_t got = 0;
  ssize_t n;
  while ((n = recv(c, buf + got, sizeof buf - 1 - got, 0)) > 0) got += n;
  printf("client got %s\n", buf);
  close(c);
}

static void tcp(void) {
  struct sockaddr_in a;
  int l = tcp_listener(&a);
  pthread_t t;
  pthread_create(&t, 0, tcp_server, &l);
  tcp_client(&a, "threads");
  pid_t pid = fork();
  if (pid == 0) {
    tcp_client(&a, "forked");
    fflush(stdout);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  pthread_join(t, 0);
  close(l);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  printf("connect refused: %d %s\n", connect(c, (struct sockaddr *)&a, sizeof a), strerror(errno));
  close(c);
  int type = 0;
  socklen_t len = sizeof type;
  c = socket(AF_INET, SOCK_STREAM, 0);
  getsockopt(c, SOL_SOCKET, SO_TYPE, &type, &len);
  printf("SO_TYPE: %d len %u\n", type, len);
  printf("recv unconnected: %zd %s\n", recv(c, &type, 4, 0), strerror(errno));
  close(c);
}

static void udp(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  check(bind(s, (struct sockaddr *)&a, sizeof a) == 0, "bind udp");
  socklen_t len = sizeof a;
  getsockname(s, (struct sockaddr *)&a, &len);
  int c = socket(AF_INET, SOCK_DGRAM, 0);
  printf("sendto: %zd\n", sendto(c, "datagram", 8, 0, (struct sockaddr *)&a, sizeof a));
  struct pollfd f = {s, POLLIN, 0};
  printf("poll udp: %d in=%d\n", poll(&f, 1, 1000), f.revents);
  char buf[16] = {0};
  struct sockaddr_in from;
  len = sizeof from;
  printf("recvfrom: %zd %s from loopback %d\n", recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), buf, from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  sendto(s, "reply", 5, 0, (struct sockaddr *)&from, len);
  check(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect udp");
  memset(buf, 0, sizeof buf);
  printf("recv reply: %zd %s\n", recv(c, buf, sizeof buf, 0), buf);
  struct iovec iov[2] = {{"ve", 2}, {"ctor", 4}};
  struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
  printf("sendmsg: %zd\n", sendmsg(c, &m, 0));
  memset(buf, 0, sizeof buf);
  struct iovec in = {buf, sizeof buf};
  struct msghdr r = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &in, .msg_iovlen = 1};
  printf("recvmsg: %zd %s namelen %u\n", recvmsg(s, &r, 0), buf, r.msg_namelen);
  close(s);
  close(c);
}

/* A signal to a thread waiting in poll (EINTR, restarted or not) or in a read (SA_RESTART: read again). */
static volatile sig_atomic_t handled, stop_kicking;
static pthread_t main_thread;
static int kick_fd;
static void on_usr1(int s) { (void)s; handled++; }
static void *kicker(void *arg) {
  struct timespec nap = {0, 20000000};
  /* the poll case kicks until main has seen EINTR; the read case until a handler ran, then writes */
  while (arg == 0 ? !stop_kicking : !handled) {
    nanosleep(&nap, 0);
    pthread_kill(main_thread, SIGUSR1);
  }
  if (arg != 0) {
    nanosleep(&nap, 0);
    write(kick_fd, "late", 4);
  }
  return 0;
}

static void interrupted(void) {
  main_thread = pthread_self();
  struct sigaction sa = {.sa_handler = on_usr1};
  sigaction(SIGUSR1, &sa, 0);
  int p[2];
  pipe(p);
  struct pollfd f = {p[0], POLLIN, 0};
  pthread_t t;
  pthread_create(&t, 0, kicker, 0);
  int n = poll(&f, 1, -1);
  printf("poll interrupted: %d %s handled %d\n", n, strerror(errno), handled > 0);
  stop_kicking = 1;
  pthread_join(t, 0);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, 0);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  kick_fd = sv[0];
  handled = 0;
  stop_kicking = 0;
  pthread_create(&t, 0, kicker, (void *)1);
  char buf[8] = {0};
  ssize_t r = read(sv[1], buf, sizeof buf);
  printf("SA_RESTART read: %zd %s\n", r, buf);
  pthread_join(t, 0);
  close(p[0]);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IONBF, 0);
  polls();
  eventfds();
  epolls();
  pairs();
  unix_path(argc > 1 ? argv[1] : "/tmp");
  tcp();
  udp();
  interrupted();
  return 0;
}
