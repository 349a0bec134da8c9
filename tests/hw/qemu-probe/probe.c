#include <stdint.h>
#define R8(a) (*(volatile uint8_t *)(uintptr_t)(a))
#define R16(a) (*(volatile uint16_t *)(uintptr_t)(a))
#define R32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define R64(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define UART 0x10000000UL
#define PLIC 0x0c000000UL
#define RTC 0x101000UL
#define CLINT 0x2000000UL

static const char *names[200];
static uint64_t vals[200];
static int n;
static void rec(const char *name, uint64_t v) { names[n] = name; vals[n] = v; n++; }
void on_trap(uint64_t cause, uint64_t tval) { rec("TRAP", (cause << 32) | (tval & 0xffffffff)); }
static uint64_t mip(void) { uint64_t v; asm volatile("csrr %0, mip" : "=r"(v)); return v; }

static void putc_(char c) { while (!(R8(UART + 5) & 0x20)) {} R8(UART) = c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v) { puts_("0x"); for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]); }

/* virtio structures in RAM */
static uint8_t desc[16 * 8] __attribute__((aligned(16)));
static uint16_t avail[2 + 8 + 1] __attribute__((aligned(2)));
static uint32_t used[1 + 2 * 8 + 1] __attribute__((aligned(4)));
static uint8_t hdr[16], data[1024], stat;

static void setdesc(int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
  *(uint64_t *)&desc[16 * i] = addr; *(uint32_t *)&desc[16 * i + 8] = len;
  *(uint16_t *)&desc[16 * i + 12] = flags; *(uint16_t *)&desc[16 * i + 14] = next;
}
static uint64_t vio;
static void submit(uint32_t type, uint64_t sector, uint32_t len, int datawrite) {
  *(uint32_t *)&hdr[0] = type; *(uint32_t *)&hdr[4] = 0; *(uint64_t *)&hdr[8] = sector;
  stat = 0xee;
  setdesc(0, (uintptr_t)hdr, 16, 1, 1);
  if (len) { setdesc(1, (uintptr_t)data, len, 1 | (datawrite ? 2 : 0), 2); setdesc(2, (uintptr_t)&stat, 1, 2, 0); }
  else setdesc(1, (uintptr_t)&stat, 1, 2, 0);
  uint16_t idx = avail[1];
  avail[2 + (idx % 8)] = 0;
  asm volatile("fence" ::: "memory");
  avail[1] = idx + 1;
  asm volatile("fence" ::: "memory");
  R32(vio + 0x50) = 0;
  for (int spin = 0; spin < 100000000 && (uint16_t)(used[0] >> 16) != (uint16_t)(idx + 1); spin++) {}
}

void main(void) {
  /* ---- UART reset state ---- */
  rec("uart.ier", R8(UART + 1)); rec("uart.iir", R8(UART + 2)); rec("uart.lcr", R8(UART + 3));
  rec("uart.mcr", R8(UART + 4)); rec("uart.lsr", R8(UART + 5)); rec("uart.msr", R8(UART + 6));
  rec("uart.scr", R8(UART + 7));
  R8(UART + 3) = 0x80; rec("uart.dll", R8(UART + 0)); rec("uart.dlm", R8(UART + 1));
  R8(UART + 0) = 0x34; R8(UART + 1) = 0x12; rec("uart.dll2", R8(UART + 0)); rec("uart.dlm2", R8(UART + 1));
  R8(UART + 3) = 0x03; rec("uart.lcr2", R8(UART + 3)); rec("uart.ier_after_dlab", R8(UART + 1));
  R8(UART + 7) = 0x5a; rec("uart.scr2", R8(UART + 7));
  rec("uart.r32_lsr", R32(UART + 4)); /* 4-byte read at offset 4 */
  rec("uart.r_off8", R8(UART + 8));
  R8(UART + 2) = 0x07; rec("uart.iir_fifo", R8(UART + 2));
  R8(UART + 1) = 0x02; rec("uart.iir_thri", R8(UART + 2)); rec("uart.iir_thri_again", R8(UART + 2));
  R8(UART + 1) = 0x00; R8(UART + 1) = 0x02; rec("uart.iir_thri_reenable", R8(UART + 2));
  R8(UART + 1) = 0x00;
  /* loopback */
  R8(UART + 4) = 0x1f; rec("uart.msr_loop", R8(UART + 6));
  R8(UART + 2) = 0x01; /* fifo on, itl 1 */
  for (int i = 0; i < 20; i++) R8(UART) = 'a' + i;
  rec("uart.lsr_overrun", R8(UART + 5)); rec("uart.lsr_overrun2", R8(UART + 5));
  R8(UART + 1) = 0x01; rec("uart.iir_rdi_loop", R8(UART + 2));
  int cnt = 0; uint64_t firsts = 0;
  while (R8(UART + 5) & 1) { uint8_t c = R8(UART); if (cnt < 8) firsts |= (uint64_t)c << (8 * cnt); cnt++; }
  rec("uart.loop_count", cnt); rec("uart.loop_first8", firsts);
  rec("uart.iir_after_drain", R8(UART + 2));
  R8(UART + 3) = 0x80; R8(UART) = 1; R8(UART + 1) = 0; R8(UART + 3) = 0x03;
  R8(UART + 2) = 0x41; /* ITL 4 */ R8(UART) = 'x';
  rec("uart.iir_below_itl_now", R8(UART + 2));
  for (volatile int i = 0; i < 20000000; i++) {}
  rec("uart.iir_below_itl_later", R8(UART + 2));
  (void)R8(UART);
  R8(UART + 2) = 0x00; rec("uart.iir_fifo_off", R8(UART + 2));
  R8(UART) = 'y'; R8(UART) = 'z'; rec("uart.lsr_nofifo_oe", R8(UART + 5)); rec("uart.rbr_nofifo", R8(UART));
  R8(UART + 1) = 0; R8(UART + 4) = 0x08; (void)R8(UART + 5);

  /* ---- PLIC ---- */
  R32(PLIC + 4 * 10) = 0xff; rec("plic.prio_ff", R32(PLIC + 4 * 10));
  R32(PLIC + 4 * 10) = 9; rec("plic.prio_9", R32(PLIC + 4 * 10));
  R32(PLIC + 0x200000) = 0xf; rec("plic.thresh_f", R32(PLIC + 0x200000));
  R32(PLIC + 0x200000) = 0;
  R32(PLIC + 4 * 95) = 3; rec("plic.prio95", R32(PLIC + 4 * 95));
  R32(PLIC + 4 * 96) = 3; rec("plic.prio96", R32(PLIC + 4 * 96));
  R32(PLIC + 0x200c) = 0xffffffff; rec("plic.enable_word3", R32(PLIC + 0x200c));
  R32(PLIC + 0x2008) = 0xffffffff; rec("plic.enable_word2", R32(PLIC + 0x2008)); R32(PLIC + 0x2008) = 0;
  R8(UART + 1) = 0x02; /* THRI -> uart line high */
  rec("plic.pending0_uart", R32(PLIC + 0x1000));
  rec("plic.mip_before_enable", mip() & 0xa00);
  R32(PLIC + 4 * 10) = 1;
  R32(PLIC + 0x2000) = 1 << 10;
  rec("plic.mip_m_enabled", mip() & 0xa00);
  R32(PLIC + 0x2080) = 1 << 10;
  rec("plic.mip_ms_enabled", mip() & 0xa00);
  R32(PLIC + 0x200000) = 1; rec("plic.mip_thresh1", mip() & 0xa00); R32(PLIC + 0x200000) = 0;
  rec("plic.claim_m", R32(PLIC + 0x200004));
  rec("plic.pending_after_claim", R32(PLIC + 0x1000));
  rec("plic.mip_after_claim", mip() & 0xa00);
  rec("plic.claim_s", R32(PLIC + 0x201004));
  rec("plic.claim_m_again", R32(PLIC + 0x200004));
  R32(PLIC + 0x200004) = 10;
  rec("plic.pending_after_complete", R32(PLIC + 0x1000));
  rec("plic.mip_after_complete", mip() & 0xa00);
  R8(UART + 1) = 0x00; R8(UART + 1) = 0x02; /* re-raise */
  rec("plic.pending_after_reraise", R32(PLIC + 0x1000));
  /* RTC as second source 11, same priority */
  R32(PLIC + 4 * 11) = 1; R32(PLIC + 0x2000) = (1 << 10) | (1 << 11);
  R32(RTC + 0x10) = 1; R32(RTC + 0x0c) = 0; R32(RTC + 0x08) = 0;
  rec("rtc.irq_enabled", R32(RTC + 0x10)); rec("rtc.alarm_status_past", R32(RTC + 0x18));
  rec("plic.pending_uart_rtc", R32(PLIC + 0x1000));
  rec("plic.claim_tie", R32(PLIC + 0x200004));
  R32(PLIC + 4 * 11) = 2;
  rec("plic.claim_higher", R32(PLIC + 0x200004));
  R32(PLIC + 0x200004) = 10; R32(PLIC + 0x200004) = 11;
  R32(RTC + 0x1c) = 1; rec("plic.pending_rtc_cleared", R32(PLIC + 0x1000));
  R8(UART + 1) = 0; rec("plic.pending_uart_low", R32(PLIC + 0x1000));
  rec("plic.r8_prio", R8(PLIC + 4 * 11));
  /* RTC */
  uint32_t lo = R32(RTC), hi = R32(RTC + 4);
  rec("rtc.time", ((uint64_t)hi << 32) | lo);
  R32(RTC + 0x0c) = 0x7fffffff; R32(RTC + 0x08) = 0x1234;
  rec("rtc.alarm_lo", R32(RTC + 8)); rec("rtc.alarm_hi", R32(RTC + 0xc)); rec("rtc.alarm_status_future", R32(RTC + 0x18));
  R32(RTC + 0x14) = 1; rec("rtc.alarm_status_cleared", R32(RTC + 0x18));
  rec("rtc.r_0x20", R32(RTC + 0x20));
  /* CLINT */
  rec("clint.mtimecmp0_boot", R64(CLINT + 0x4000));
  rec("clint.mtimecmp1", R64(CLINT + 0x4008));
  rec("clint.mtime_a", R64(CLINT + 0xbff8)); rec("clint.mtime_b", R64(CLINT + 0xbff8));
  rec("clint.mip_mtip_boot", mip() & 0x80);
  R64(CLINT + 0x4000) = ~0ULL; rec("clint.mip_mtip_max", mip() & 0x80);
  R32(CLINT + 0x4000) = 0; rec("clint.mtimecmp_lo0", R64(CLINT + 0x4000)); rec("clint.mtimecmp_hi_r32", R32(CLINT + 0x4004));
  R64(CLINT + 0x4000) = ~0ULL;
  R32(CLINT) = 1; rec("clint.msip_r", R32(CLINT)); rec("clint.mip_msip", mip() & 8);
  R32(CLINT) = 2; rec("clint.msip_r2", R32(CLINT)); rec("clint.mip_msip2", mip() & 8);
  R32(CLINT + 4) = 1; rec("clint.msip1_r", R32(CLINT + 4));
  R64(CLINT + 0xbff8) = 0x100000000ULL; rec("clint.mtime_after_write", R64(CLINT + 0xbff8));
  rec("clint.mtime_hi_r32", R32(CLINT + 0xbffc));

  /* ---- virtio ---- */
  for (int i = 0; i < 8; i++) {
    uint64_t b = 0x10001000UL + 0x1000UL * i;
    if (R32(b + 8) == 2) vio = b;
  }
  uint64_t e = vio == 0x10001000UL ? 0x10002000UL : 0x10001000UL;
  rec("vio.base", vio);
  rec("empty.magic", R32(e)); rec("empty.version", R32(e + 4)); rec("empty.devid", R32(e + 8));
  rec("empty.vendor", R32(e + 0xc)); rec("empty.feat", R32(e + 0x10)); rec("empty.qmax", R32(e + 0x34));
  rec("vio.magic", R32(vio)); rec("vio.version", R32(vio + 4)); rec("vio.vendor", R32(vio + 0xc));
  R32(vio + 0x14) = 0; rec("vio.feat0", R32(vio + 0x10)); R32(vio + 0x14) = 1; rec("vio.feat1", R32(vio + 0x10));
  R32(vio + 0x14) = 2; rec("vio.feat2", R32(vio + 0x10));
  rec("vio.qmax0", R32(vio + 0x34)); R32(vio + 0x30) = 1; rec("vio.qmax1", R32(vio + 0x34)); R32(vio + 0x30) = 0;
  rec("vio.qready", R32(vio + 0x44)); rec("vio.status", R32(vio + 0x70)); rec("vio.isr", R32(vio + 0x60));
  rec("vio.gen", R32(vio + 0xfc)); rec("vio.shmlen", R32(vio + 0xb0)); rec("vio.shmlenhi", R32(vio + 0xb4));
  rec("vio.r16_magic", R16(vio)); rec("vio.qdesc_r", R32(vio + 0x80));
  rec("vio.cfg_cap", R32(vio + 0x100)); rec("vio.cfg_caphi", R32(vio + 0x104));
  rec("vio.cfg_segmax", R32(vio + 0x10c)); rec("vio.cfg_blksize", R32(vio + 0x114));
  rec("vio.cfg_b0", R8(vio + 0x100)); rec("vio.cfg_w", R16(vio + 0x114));
  rec("vio.cfg_beyond", R32(vio + 0x200)); rec("vio.cfg_beyond8", R8(vio + 0x200));
  R32(vio + 0x70) = 1; R32(vio + 0x70) = 3;
  R32(vio + 0x24) = 0; R32(vio + 0x20) = 0; R32(vio + 0x24) = 1; R32(vio + 0x20) = 1; /* VERSION_1 only */
  R32(vio + 0x70) = 0xb; rec("vio.status_fok", R32(vio + 0x70));
  R32(vio + 0x30) = 0; R32(vio + 0x38) = 8;
  R32(vio + 0x80) = (uintptr_t)desc; R32(vio + 0x84) = 0;
  R32(vio + 0x90) = (uintptr_t)avail; R32(vio + 0x94) = 0;
  R32(vio + 0xa0) = (uintptr_t)used; R32(vio + 0xa4) = 0;
  R32(vio + 0x44) = 1; rec("vio.qready_set", R32(vio + 0x44));
  R32(vio + 0x70) = 0xf;
  submit(8, 0, 20, 1);
  rec("blk.getid_status", stat); rec("blk.getid_usedlen", used[2]); rec("blk.getid_data", *(uint64_t *)data);
  rec("blk.used_idx", used[0] >> 16); rec("vio.isr_after", R32(vio + 0x60)); R32(vio + 0x64) = 1; rec("vio.isr_acked", R32(vio + 0x60));
  submit(0, 1, 512, 1); rec("blk.in_status", stat); rec("blk.in_usedlen", used[4]); rec("blk.in_data", *(uint64_t *)data);
  submit(0, 0, 100, 1); rec("blk.in_misaligned", stat); rec("blk.in_misaligned_len", used[6]);
  submit(0, 8, 512, 1); rec("blk.in_beyond", stat);
  submit(0, 7, 1024, 1); rec("blk.in_straddle", stat);
  submit(99, 0, 0, 0); rec("blk.unsupp", stat); rec("blk.unsupp_len", used[12]);
  submit(4, 0, 0, 0); rec("blk.flush", stat);
  for (int i = 0; i < 512; i++) data[i] = 0xA5;
  submit(1, 2, 512, 0); rec("blk.out_status", stat); rec("blk.out_len", used[16]);
  submit(0, 2, 512, 1); rec("blk.readback", *(uint64_t *)data);
  submit(5, 0, 0, 0); rec("blk.type5", stat);
  submit(0x80000000u, 1, 512, 1); rec("blk.barrier_in", stat);
  /* bad DMA address */
  *(uint32_t *)&hdr[0] = 0; setdesc(0, 0x90000000UL, 16, 1, 1); setdesc(1, (uintptr_t)&stat, 1, 2, 0);
  { uint16_t idx = avail[1]; avail[2 + idx % 8] = 0; asm volatile("fence" ::: "memory"); avail[1] = idx + 1; }
  R32(vio + 0x50) = 0;
  for (int spin = 0; spin < 100000000 && !(R32(vio + 0x70) & 0x40); spin++) {}
  rec("vio.status_baddma", R32(vio + 0x70)); rec("vio.isr_baddma", R32(vio + 0x60)); rec("vio.gen_baddma", R32(vio + 0xfc));
  R32(vio + 0x70) = 0; rec("vio.status_reset", R32(vio + 0x70)); rec("vio.isr_reset", R32(vio + 0x60)); rec("vio.qready_reset", R32(vio + 0x44));

  for (int i = 0; i < n; i++) { puts_(names[i]); puts_(" "); puthex(vals[i]); puts_("\n"); }
  R32(0x100000) = 0x5555;
}
