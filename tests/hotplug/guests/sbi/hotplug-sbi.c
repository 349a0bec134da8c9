/*
 * hotplug-sbi: the S-mode hot-plug guest, for tsemu's bundled firmware (`-bios default`, loaded at
 * 0x80200000). Run it with `-smp N,maxcpus=M` (M > N). It prints the same blocks as the M-mode
 * guest ../hotplug.S (see its header), but harts come and go through SBI HSM as under a real OS:
 *
 *   - hart 0 (the boot hart) starts every other hart that is PRESENT at boot, and every hart the
 *     controller reports ADDED, with hart_start(h, secondary_entry); a started hart checks in and
 *     works like the M-mode guest's harts;
 *   - the last slot (hart M-1) is the "stopper": after checking in it stops itself with
 *     hart_stop, and hart 0 prints "hart N stopped (HSM)" once hart_get_status says STOPPED, right
 *     after "hart N online". Removing it later is a device_del of a stopped hart;
 *   - hart 0 sleeps in wfi, woken by the controller's PLIC source 12 (S-mode context 1) or an SBI
 *     timer, never taking a trap (sstatus.SIE stays 0).
 *
 * Blocks:
 *   hart N added | hart N online | [hart N stopped (HSM)] | counter ok C | working H...
 *   hart N removed | hart N stopped | counter ok C | working H...
 * "working" lists hart 0 and the online harts (stopped ones excluded) whose work counter moved.
 */
#include <stdint.h>

#define UART 0x10000000UL
#define HP_PRESENT 0x102000UL
#define HP_ADDED 0x102004UL
#define HP_REMOVED 0x102008UL
#define HP_MAX 0x10200cUL
#define HP_IRQ 12
#define PLIC_PRIORITY(s) (0xc000000UL + 4 * (s))
#define PLIC_S_ENABLE 0xc002080UL      /* context 1: hart 0, S-mode */
#define PLIC_S_THRESHOLD 0xc201000UL
#define PLIC_S_CLAIM 0xc201004UL
#define TICKS_MS 10000UL               /* 10 MHz timebase */
#define MAX_SLOTS 32
#define WORK_STORE_MASK 0xfff
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)
#define SIP_STIP (1UL << 5)
#define SIP_SEIP (1UL << 9)

#define SBI_EXT_TIME 0x54494D45L
#define SBI_EXT_HSM 0x48534DL
#define HSM_STOPPED 1

/* shared by all harts, on its own page (stores near code would drop its translations) */
volatile uint64_t counter __attribute__((aligned(4096)));
volatile uint64_t online;
volatile uint64_t stopped;
volatile uint64_t work[MAX_SLOTS];
static uint64_t snapshot[MAX_SLOTS];
static unsigned stopper;

extern void secondary_entry(void);

struct sbiret { long error; long value; };

static struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2) {
  register long r0 __asm__("a0") = a0;
  register long r1 __asm__("a1") = a1;
  register long r2 __asm__("a2") = a2;
  register long r6 __asm__("a6") = fid;
  register long r7 __asm__("a7") = ext;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){ r0, r1 };
}

static inline uint32_t rd32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void wr32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t now(void) { uint64_t t; __asm__ volatile("rdtime %0" : "=r"(t)); return t; }

static void putc_(char c) {
  while (!(*(volatile uint8_t *)(UART + 5) & 0x20)) {
  }
  *(volatile uint8_t *)UART = (uint8_t)c;
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void putdec(uint64_t v) {
  char buf[24];
  int i = 0;
  do { buf[i++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (i) putc_(buf[--i]);
}
static void print_hart(unsigned h, const char *what) {
  puts_("hart ");
  putdec(h);
  puts_(what);
  putc_('\n');
}

/* counter += 1, then online |= 1 << id (whoever sees the bit sees the count) */
static void check_in(unsigned long id) {
  __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
  __atomic_fetch_or(&online, 1UL << id, __ATOMIC_SEQ_CST);
}

static void __attribute__((noreturn)) work_loop(unsigned long id) {
  uint64_t n = work[id];   /* a re-added hart continues its count */
  for (;;) {
    n++;
    if ((n & WORK_STORE_MASK) == 0) work[id] = n;
  }
}

void secondary_main(unsigned long id) {
  check_in(id);
  if (id == stopper) {
    __atomic_fetch_or(&stopped, 1UL << id, __ATOMIC_SEQ_CST);
    sbi_call(SBI_EXT_HSM, 1, 0, 0, 0);   /* hart_stop: does not return */
  }
  work_loop(id);
}

/* Sleeps `ticks` in wfi; with `wake_on_irq`, also returns when the controller's interrupt is pending. */
static void sleep_wfi(uint64_t ticks, int wake_on_irq) {
  uint64_t deadline = now() + ticks;
  sbi_call(SBI_EXT_TIME, 0, (long)deadline, 0, 0);
  while (now() < deadline) {
    if (wake_on_irq) {
      uint64_t sip;
      __asm__ volatile("csrr %0, sip" : "=r"(sip));
      if (sip & SIP_SEIP) break;
    }
    __asm__ volatile("wfi");
  }
  sbi_call(SBI_EXT_TIME, 0, -1L, 0, 0);
}

static unsigned arrivals;

static void check_counter(void) {
  uint64_t c = counter, o = online, p = rd32(HP_PRESENT);
  puts_("counter ");
  if (c == arrivals && o == p) {
    puts_("ok ");
    putdec(c);
  } else {
    puts_("BAD "); putdec(c);
    puts_(" arrivals "); putdec(arrivals);
    puts_(" online "); putdec(o);
    puts_(" present "); putdec(p);
  }
  putc_('\n');
}

/* "working 0 h1 h2 ...": waits (up to 20 s) until every running hart's work counter moved */
static void check_working(void) {
  uint64_t watch = online & ~stopped & ~1UL;
  uint64_t moved = 1;
  for (unsigned h = 0; h < MAX_SLOTS; h++) snapshot[h] = work[h];
  uint64_t deadline = now() + 20000 * TICKS_MS;
  while (moved != (watch | 1) && now() < deadline) {
    for (unsigned h = 0; h < MAX_SLOTS; h++)
      if ((watch >> h & 1) && work[h] != snapshot[h]) moved |= 1UL << h;
    if (moved != (watch | 1)) sleep_wfi(TICKS_MS, 0);
  }
  puts_("working");
  for (unsigned h = 0; h < MAX_SLOTS; h++)
    if (moved >> h & 1) { putc_(' '); putdec(h); }
  putc_('\n');
}

/* A hart came (at boot or hot-added): start it through HSM, wait for its check-in. */
static void start_hart(unsigned h) {
  sbi_call(SBI_EXT_HSM, 0, h, (long)(uintptr_t)secondary_entry, 0);
  while (!(online >> h & 1)) {
  }
  arrivals++;
  print_hart(h, " online");
  if (h == stopper) {
    while (sbi_call(SBI_EXT_HSM, 2, h, 0, 0).value != HSM_STOPPED) {
    }
    print_hart(h, " stopped (HSM)");
  }
}

static int lowest_bit(uint32_t v) {
  int i = 0;
  while (!(v >> i & 1)) i++;
  return i;
}

/* "hart N stopped" if work[N] stays the same for 200 ms, else "hart N STILL RUNNING" */
static void check_stopped(unsigned h) {
  uint64_t before = work[h];
  sleep_wfi(200 * TICKS_MS, 0);
  print_hart(h, work[h] == before ? " stopped" : " STILL RUNNING");
}

void boot_main(unsigned long hart) {
  (void)hart;
  unsigned max = rd32(HP_MAX);
  stopper = max - 1;
  wr32(PLIC_PRIORITY(HP_IRQ), 1);
  wr32(PLIC_S_ENABLE, 1u << HP_IRQ);
  wr32(PLIC_S_THRESHOLD, 0);
  __asm__ volatile("csrw sie, %0" :: "r"(SIE_SEIE | SIE_STIE));
  puts_("hotplug guest maxcpus ");
  putdec(max);
  putc_('\n');
  check_in(0);
  arrivals = 1;
  print_hart(0, " online");
  uint32_t present = rd32(HP_PRESENT);
  for (unsigned h = 1; h < MAX_SLOTS; h++)
    if (present >> h & 1) start_hart(h);
  check_counter();
  check_working();
  for (;;) {
    uint32_t claim = rd32(PLIC_S_CLAIM);
    uint32_t added = rd32(HP_ADDED), removed = rd32(HP_REMOVED);
    if (added) {
      unsigned h = (unsigned)lowest_bit(added);
      wr32(HP_ADDED, 1u << h);
      if (claim) wr32(PLIC_S_CLAIM, claim);
      print_hart(h, " added");
      __atomic_fetch_and(&stopped, ~(1UL << h), __ATOMIC_SEQ_CST);
      start_hart(h);
      check_counter();
      check_working();
    } else if (removed) {
      unsigned h = (unsigned)lowest_bit(removed);
      wr32(HP_REMOVED, 1u << h);
      __atomic_fetch_and(&online, ~(1UL << h), __ATOMIC_SEQ_CST);
      if (claim) wr32(PLIC_S_CLAIM, claim);
      print_hart(h, " removed");
      check_stopped(h);
      check_counter();
      check_working();
    } else {
      if (claim) wr32(PLIC_S_CLAIM, claim);
      sleep_wfi(10 * TICKS_MS, 1);
    }
  }
}
