/* Time, getrandom, uname, limits, ids: printed only as properties that hold on any host
 * (clocks move forward, random bytes differ between calls), so output is the same everywhere. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  struct timespec a, b, r;
  clock_gettime(CLOCK_MONOTONIC, &a);
  struct timespec nap = {0, 2000000};
  nanosleep(&nap, 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
  printf("monotonic advanced >= 2ms: %d\n", ns >= 2000000);
  clock_gettime(CLOCK_REALTIME, &r);
  printf("realtime after 2020: %d\n", r.tv_sec > 1577836800);
  struct timeval tv;
  gettimeofday(&tv, 0);
  printf("gettimeofday agrees: %d\n", tv.tv_sec - r.tv_sec < 5);
  printf("time agrees: %d\n", time(0) - r.tv_sec < 5);
  unsigned char x[16], y[16];
  printf("getrandom %zd %zd\n", getrandom(x, 16, 0), getrandom(y, 16, 0));
  printf("random differs: %d\n", memcmp(x, y, 16) != 0);
  struct utsname u;
  uname(&u);
  printf("sysname %s machine %s\n", u.sysname, u.machine);
  struct rlimit rl;
  printf("getrlimit stack -> %d\n", getrlimit(RLIMIT_STACK, &rl));
  printf("pid positive %d, ppid positive %d\n", getpid() > 0, getppid() > 0);
  printf("pagesize %ld\n", sysconf(_SC_PAGESIZE));
  clock_getres(CLOCK_MONOTONIC, &r);
  printf("res %ld\n", r.tv_nsec);
  return 3;
}
