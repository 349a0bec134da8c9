/* Goldfish RTC at 0x101000 (PLIC source 11):
 * - TIME_LOW/TIME_HIGH give wall-clock nanoseconds (reading LOW latches HIGH):
 *   plausible (2020..2100) and advancing by at least the mtime interval waited;
 * - the time can be set (writing TIME_HIGH shifts the clock by 2^32 ns steps);
 * - alarm: ALARM_HIGH then ALARM_LOW arms it (ALARM_STATUS = 1), it fires into
 *   the PLIC when IRQ_ENABLED, CLEAR_INTERRUPT drops the line, an alarm in the
 *   past fires at once, CLEAR_ALARM cancels. No time values are printed. */
#include "test.h"
#include "plic.h"

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_ALARM_STATUS 0x18
#define RTC_CLEAR_INTERRUPT 0x1c
#define RTC(r) MMIO32(RTC_BASE + (r))

#define NS_PER_MS 1000000ULL
#define YEAR_2020_NS 1577836800000000000ULL
#define YEAR_2100_NS 4102444800000000000ULL

static uint64_t rtc_now(void) {
  uint64_t lo = RTC(RTC_TIME_LOW);
  return lo | ((uint64_t)RTC(RTC_TIME_HIGH) << 32);
}

static void delay_mtime_ms(uint64_t ms) {
  uint64_t end = read_mtime() + ms * (TIMEBASE_HZ / 1000);
  while (read_mtime() < end) {
  }
}

static void set_alarm(uint64_t when) {
  RTC(RTC_ALARM_HIGH) = (uint32_t)(when >> 32);
  RTC(RTC_ALARM_LOW) = (uint32_t)when;
}

/* Waits until the PLIC shows the RTC pending (or 1 s of mtime). */
static int wait_rtc_pending(void) {
  uint64_t deadline = read_mtime() + TIMEBASE_HZ;
  while (!plic_pending(RTC_IRQ) && read_mtime() < deadline) {
  }
  return plic_pending(RTC_IRQ);
}

static void test_time(void) {
  uint64_t t1 = rtc_now();
  CHECK(t1 > YEAR_2020_NS && t1 < YEAR_2100_NS, "RTC time is a plausible date");
  delay_mtime_ms(2);
  uint64_t t2 = rtc_now();
  CHECK(t2 > t1, "RTC time advances");
  CHECK(t2 - t1 >= 1 * NS_PER_MS, "RTC advanced at least 1 ms while mtime advanced 2 ms");
  CHECK(t2 - t1 < 10000 * NS_PER_MS, "RTC advanced less than 10 s");

  /* setting the high word moves the clock by whole 2^32 ns steps */
  uint64_t before = rtc_now();
  RTC(RTC_TIME_HIGH) = (uint32_t)(before >> 32) + 1;
  uint64_t after = rtc_now();
  CHECK(after - before >= (1ULL << 32) && after - before < (1ULL << 32) + 1000 * NS_PER_MS,
        "writing TIME_HIGH shifts the clock by 2^32 ns");
}

static void test_alarm(void) {
  unsigned m = PLIC_CTX_M(0);
  MMIO32(PLIC_PRIORITY(RTC_IRQ)) = 1;
  plic_enable(m, RTC_IRQ, 1);
  MMIO32(PLIC_THRESHOLD(m)) = 0;
  CHECK_EQ(RTC(RTC_ALARM_STATUS), 0, "no alarm armed at reset");
  CHECK_EQ(RTC(RTC_IRQ_ENABLED), 0, "IRQ disabled at reset");
  CHECK_EQ(plic_pending(RTC_IRQ), 0, "RTC not pending at reset");

  RTC(RTC_IRQ_ENABLED) = 3;
  CHECK_EQ(RTC(RTC_IRQ_ENABLED), 1, "IRQ_ENABLED keeps bit 0");

  /* arm far enough ahead (1 s) that host scheduling cannot make it fire
   * before we look, then cancel it */
  uint64_t when = rtc_now() + 1000 * NS_PER_MS;
  set_alarm(when);
  CHECK_EQ(RTC(RTC_ALARM_STATUS), 1, "alarm armed");
  CHECK_EQ(RTC(RTC_ALARM_LOW), (uint32_t)when, "ALARM_LOW reads back");
  CHECK_EQ(RTC(RTC_ALARM_HIGH), (uint32_t)(when >> 32), "ALARM_HIGH reads back");
  RTC(RTC_CLEAR_ALARM) = 1;
  CHECK_EQ(RTC(RTC_ALARM_STATUS), 0, "CLEAR_ALARM disarms");
  delay_mtime_ms(3);
  CHECK_EQ(plic_pending(RTC_IRQ), 0, "cancelled alarm does not fire");

  /* a near alarm fires into the PLIC */
  when = rtc_now() + 3 * NS_PER_MS;
  set_alarm(when);
  CHECK_EQ(wait_rtc_pending(), 1, "alarm fires into the PLIC");
  CHECK(rtc_now() >= when, "alarm fired no earlier than requested");
  CHECK_EQ(RTC(RTC_ALARM_STATUS), 0, "alarm no longer armed after firing");
  CHECK_EQ(mip_wait(MIP_MEIP, MIP_MEIP), MIP_MEIP, "MEIP from the RTC");
  CHECK_EQ(plic_claim(m), RTC_IRQ, "claim returns the RTC source");
  RTC(RTC_CLEAR_INTERRUPT) = 1;
  plic_complete(m, RTC_IRQ);
  CHECK_EQ(plic_pending(RTC_IRQ), 0, "cleared interrupt is not pending");
  CHECK_EQ(mip_wait(MIP_MEIP, 0), 0, "no MEIP after clearing");

  /* an alarm in the past fires immediately */
  set_alarm(rtc_now() - NS_PER_MS);
  CHECK_EQ(RTC(RTC_ALARM_STATUS), 0, "past alarm is not left armed");
  CHECK_EQ(wait_rtc_pending(), 1, "past alarm fires at once");
  CHECK_EQ(plic_claim(m), RTC_IRQ, "claim past alarm");
  RTC(RTC_CLEAR_INTERRUPT) = 1;
  plic_complete(m, RTC_IRQ);

  /* with IRQ_ENABLED = 0 the alarm fires without raising the line */
  RTC(RTC_IRQ_ENABLED) = 0;
  set_alarm(rtc_now() - NS_PER_MS);
  delay_mtime_ms(2);
  CHECK_EQ(plic_pending(RTC_IRQ), 0, "masked alarm does not reach the PLIC");
  RTC(RTC_IRQ_ENABLED) = 1;
  CHECK_EQ(wait_rtc_pending(), 1, "enabling the IRQ delivers the pending alarm");
  CHECK_EQ(plic_claim(m), RTC_IRQ, "claim the unmasked alarm");
  RTC(RTC_CLEAR_INTERRUPT) = 1;
  plic_complete(m, RTC_IRQ);

  RTC(RTC_IRQ_ENABLED) = 0;
  plic_enable(m, RTC_IRQ, 0);
  MMIO32(PLIC_THRESHOLD(m)) = 0;
}

int main(void) {
  test_begin("rtc");
  test_time();
  test_alarm();
  return test_end();
}
