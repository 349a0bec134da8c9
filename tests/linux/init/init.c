/*
 * PID 1 of tsemu's Linux test guest. It mounts /proc and /sys, prints what it finds, runs the
 * scenario named by the kernel command line (`tsemu.scenario=NAME`, passed to init as the
 * environment variable "tsemu.scenario"; default "boot"), prints one result line per check and
 * powers the machine off (reboot(2) -> SBI SRST on a kernel without other power-off drivers).
 *
 * Output lines start with "tsemu-linux: " so tests can pick them out of the kernel's messages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

static void say(const char *fmt, const char *arg) {
  printf("tsemu-linux: ");
  printf(fmt, arg);
  printf("\n");
  fflush(stdout);
}

static int scenario_boot(void) {
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  char buf[32];
  snprintf(buf, sizeof buf, "%ld", online);
  say("%s cpus online", buf);
  return 0;
}

int main(void) {
  if (mount("proc", "/proc", "proc", 0, 0) != 0) say("mount /proc failed: %s", strerror(errno));
  if (mount("sysfs", "/sys", "sysfs", 0, 0) != 0) say("mount /sys failed: %s", strerror(errno));
  const char *scenario = getenv("tsemu.scenario");
  if (scenario == NULL) scenario = "boot";
  say("init started, scenario %s", scenario);
  int failures = 0;
  if (strcmp(scenario, "boot") == 0) failures = scenario_boot();
  else {
    say("unknown scenario %s", scenario);
    failures = 1;
  }
  say(failures == 0 ? "%s: PASS" : "%s: FAIL", scenario);
  say("power off%s", "");
  sync();
  reboot(RB_POWER_OFF);
  say("reboot(RB_POWER_OFF) returned: %s", strerror(errno));
  return 1;
}
