/*
 * The SBI calls S-mode makes with `ecall`: a7 = extension, a6 = function, a0..a5 = arguments;
 * the reply goes in a0 (error) and a1 (value), or a0 only for the legacy (v0.1) calls.
 */
#include "console.h"
#include "hart.h"
#include "ipi.h"
#include "riscv.h"
#include "sbi.h"
#include "timer.h"
#include "trap.h"
#include <stdint.h>

#define RET(e, v) ((struct sbiret){ (e), (long)(v) })

static int implemented(unsigned long ext) {
  switch (ext) {
  case SBI_EXT_LEGACY_SET_TIMER: case SBI_EXT_LEGACY_PUTCHAR: case SBI_EXT_LEGACY_GETCHAR:
  case SBI_EXT_LEGACY_CLEAR_IPI: case SBI_EXT_LEGACY_SEND_IPI: case SBI_EXT_LEGACY_REMOTE_FENCE_I:
  case SBI_EXT_LEGACY_REMOTE_SFENCE_VMA: case SBI_EXT_LEGACY_REMOTE_SFENCE_VMA_ASID: case SBI_EXT_LEGACY_SHUTDOWN:
  case SBI_EXT_BASE: case SBI_EXT_TIME: case SBI_EXT_IPI: case SBI_EXT_RFENCE: case SBI_EXT_HSM:
  case SBI_EXT_SRST: case SBI_EXT_DBCN:
    return 1;
  default:
    return 0;
  }
}

static struct sbiret base(unsigned long fid, unsigned long a0) {
  switch (fid) {
  case 0: return RET(SBI_SUCCESS, SBI_SPEC_VERSION);
  case 1: return RET(SBI_SUCCESS, SBI_IMPL_ID);
  case 2: return RET(SBI_SUCCESS, SBI_IMPL_VERSION);
  case 3: return RET(SBI_SUCCESS, implemented(a0));
  case 4: return RET(SBI_SUCCESS, csr_read(CSR_MVENDORID));
  case 5: return RET(SBI_SUCCESS, csr_read(CSR_MARCHID));
  case 6: return RET(SBI_SUCCESS, csr_read(CSR_MIMPID));
  default: return RET(SBI_ERR_NOT_SUPPORTED, 0);
  }
}

/* System reset through the sifive_test finisher, as OpenSBI's sifive_test driver (reason unused). */
static struct sbiret system_reset(unsigned long type, unsigned long reason) {
  if (type > 0xffffffffUL || reason > 0xffffffffUL) return RET(SBI_ERR_INVALID_PARAM, 0);
  if (type > SBI_SRST_WARM_REBOOT) return RET(type < 0xf0000000UL ? SBI_ERR_INVALID_PARAM : SBI_ERR_NOT_SUPPORTED, 0);
  if (reason > 1) return RET(reason < 0xe0000000UL ? SBI_ERR_INVALID_PARAM : SBI_ERR_NOT_SUPPORTED, 0);
  *(volatile uint32_t *)TEST_BASE = type == SBI_SRST_SHUTDOWN ? TEST_PASS : TEST_RESET;
  /* the board resets or stops at that store; if it does not, say so */
  return RET(SBI_ERR_FAILED, 0);
}

static struct sbiret srst(unsigned long fid, unsigned long a0, unsigned long a1) {
  return fid == 0 ? system_reset(a0, a1) : RET(SBI_ERR_NOT_SUPPORTED, 0);
}

/*
 * A physical buffer for the debug console: it must lie in RAM, outside the firmware's M-only region
 * (SBI 2.0 shared-memory rule: S-mode must be allowed to access it).
 */
static int in_ram(unsigned long addr, unsigned long len) {
  if (!(addr >= ram_base && len <= ram_size && addr - ram_base <= ram_size - len)) return 0;
  return addr + len <= FW_BASE || addr >= FW_BASE + FW_REGION_SIZE;
}

static struct sbiret dbcn(unsigned long fid, unsigned long n, unsigned long lo, unsigned long hi) {
  if (fid == 2) {
    console_putc((char)n);
    return RET(SBI_SUCCESS, 0);
  }
  if (fid > 1) return RET(SBI_ERR_NOT_SUPPORTED, 0);
  if (hi != 0 || !in_ram(lo, n)) return RET(SBI_ERR_INVALID_PARAM, 0);
  uint8_t *buf = (uint8_t *)lo;
  if (fid == 0) {
    for (unsigned long i = 0; i < n; i++) console_putc((char)buf[i]);
    return RET(SBI_SUCCESS, n);
  }
  unsigned long got = 0;
  for (int c; got < n && (c = console_getc()) >= 0;) buf[got++] = (uint8_t)c;
  return RET(SBI_SUCCESS, got);
}

static struct sbiret rfence(unsigned long fid, unsigned long hmask, unsigned long hbase) {
  switch (fid) {
  case 0: return ipi_fence_mask(hmask, hbase, IPI_FENCE_I);
  case 1: /* sfence.vma over a range: a full flush is a correct superset */
  case 2: /* the same for one ASID */
    return ipi_fence_mask(hmask, hbase, IPI_SFENCE_VMA);
  default: return RET(SBI_ERR_NOT_SUPPORTED, 0);   /* hypervisor fences: no H extension */
  }
}

static struct sbiret hsm(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2) {
  switch (fid) {
  case 0: return hsm_hart_start(a0, a1, a2);
  case 1: return hsm_hart_stop();
  case 2: return hsm_hart_get_status(a0);
  case 3: return hsm_hart_suspend(a0, a1, a2);
  default: return RET(SBI_ERR_NOT_SUPPORTED, 0);
  }
}

/*
 * Legacy calls take a pointer to a hart mask in S-mode memory (NULL: every hart). A fault on that
 * load goes to S-mode, as OpenSBI does it; returns 0 then.
 */
static int legacy_harts(struct trap_frame *f, unsigned long *mask, unsigned long *hbase) {
  unsigned long ptr = f->regs[REG_A0];
  *mask = 0;
  *hbase = ptr == 0 ? -1UL : 0;
  if (ptr == 0) return 1;
  unsigned long cause = load_s_ulong(ptr, mask);
  if (cause) trap_redirect(f, cause, ptr);
  return cause == 0;
}

static int legacy(struct trap_frame *f, unsigned long ext) {
  unsigned long mask, hbase;
  long ret = SBI_SUCCESS;
  switch (ext) {
  case SBI_EXT_LEGACY_SET_TIMER: timer_set(f->regs[REG_A0]); break;
  case SBI_EXT_LEGACY_PUTCHAR: console_putc((char)f->regs[REG_A0]); break;
  case SBI_EXT_LEGACY_GETCHAR: ret = console_getc(); break;
  case SBI_EXT_LEGACY_CLEAR_IPI: csr_clear(CSR_MIP, MIP_SSIP); break;
  case SBI_EXT_LEGACY_SEND_IPI:
    if (!legacy_harts(f, &mask, &hbase)) return 0;
    ret = ipi_send_mask(mask, hbase).error;
    break;
  case SBI_EXT_LEGACY_REMOTE_FENCE_I:
    if (!legacy_harts(f, &mask, &hbase)) return 0;
    ret = ipi_fence_mask(mask, hbase, IPI_FENCE_I).error;
    break;
  case SBI_EXT_LEGACY_REMOTE_SFENCE_VMA:
  case SBI_EXT_LEGACY_REMOTE_SFENCE_VMA_ASID:
    if (!legacy_harts(f, &mask, &hbase)) return 0;
    ret = ipi_fence_mask(mask, hbase, IPI_SFENCE_VMA).error;
    break;
  case SBI_EXT_LEGACY_SHUTDOWN: ret = system_reset(SBI_SRST_SHUTDOWN, 0).error; break;
  }
  f->regs[REG_A0] = (unsigned long)ret;
  return 1;
}

int sbi_ecall(struct trap_frame *f) {
  unsigned long ext = f->regs[REG_A7], fid = f->regs[REG_A6];
  unsigned long a0 = f->regs[REG_A0], a1 = f->regs[REG_A1], a2 = f->regs[REG_A2];
  if (ext <= SBI_EXT_LEGACY_SHUTDOWN) return legacy(f, ext);
  struct sbiret r;
  switch (ext) {
  case SBI_EXT_BASE: r = base(fid, a0); break;
  case SBI_EXT_TIME:
    if (fid == 0) {
      timer_set(a0);
      r = RET(SBI_SUCCESS, 0);
    } else {
      r = RET(SBI_ERR_NOT_SUPPORTED, 0);
    }
    break;
  case SBI_EXT_IPI: r = fid == 0 ? ipi_send_mask(a0, a1) : RET(SBI_ERR_NOT_SUPPORTED, 0); break;
  case SBI_EXT_RFENCE: r = rfence(fid, a0, a1); break;
  case SBI_EXT_HSM: r = hsm(fid, a0, a1, a2); break;
  case SBI_EXT_SRST: r = srst(fid, a0, a1); break;
  case SBI_EXT_DBCN: r = dbcn(fid, a0, a1, a2); break;
  default: r = RET(SBI_ERR_NOT_SUPPORTED, 0); break;
  }
  f->regs[REG_A0] = (unsigned long)r.error;
  f->regs[REG_A1] = (unsigned long)r.value;
  return 1;
}
