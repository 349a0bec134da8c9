/*
 * Cold and warm boot, with QEMU's fw_dynamic hand-off: the reset vector passes a0 = hart id,
 * a1 = device tree, a2 = struct fw_dynamic_info (next stage address and mode, options, boot hart).
 * The cold-boot hart sets the board up and enters the next stage; the others wait, STOPPED, for
 * SBI HSM hart_start. A hart that arrives later (CPU hot-plug) waits the same way.
 */
#include "console.h"
#include "fdt.h"
#include "hart.h"
#include "ipi.h"
#include "riscv.h"
#include "trap.h"
#include <stdint.h>

#define FW_DYNAMIC_INFO_MAGIC 0x4942534fUL   /* "OSBI" */
#define FW_DYNAMIC_INFO_NO_BOOT_PRINTS 1UL

struct fw_dynamic_info {
  unsigned long magic;
  unsigned long version;
  unsigned long next_addr;
  unsigned long next_mode;
  unsigned long options;
  unsigned long boot_hart;   /* version >= 2; -1 = any hart */
};

/* Set once the cold-boot hart has set up the shared state (.data: reloaded at every board reset). */
volatile uint32_t boot_done;

static int info_valid(const struct fw_dynamic_info *info) {
  unsigned long at = (unsigned long)info;
  if (at & 7) return 0;
  if (!((at >= MROM_BASE && at + sizeof *info <= MROM_END) || at >= FW_BASE)) return 0;
  return info->magic == FW_DYNAMIC_INFO_MAGIC && info->version >= 1;
}

/* entry.S asks which hart boots (-1: the first to arrive). Uses no .bss: it is not cleared yet. */
long fw_boot_hart(const struct fw_dynamic_info *info) {
  if (!info_valid(info) || info->version < 2) return -1;
  return (long)info->boot_hart;
}

static void banner(unsigned long next_addr, unsigned long next_mode) {
  unsigned long n = 0;
  for (unsigned long h = 0; h < MAX_HARTS; h++) n += hart_present(h);
  console_puts("tsemu-sbi v1.0 (SBI v2.0): ");
  console_putdec(n);
  console_puts(n == 1 ? " hart" : " harts");
  console_puts(", next stage ");
  console_puthex(next_addr);
  console_puts(next_mode == PRV_S ? " in S-mode\n" : next_mode == PRV_U ? " in U-mode\n" : " in M-mode\n");
}

void __attribute__((noreturn)) cold_boot(unsigned long hartid, void *fdt, const struct fw_dynamic_info *info) {
  struct hart *h = this_hart();
  console_init();
  if (!info_valid(info)) fatal("no fw_dynamic_info from the boot ROM (a2, magic, version)", (unsigned long)info, 0, 0);
  if (!fdt_valid(fdt)) fatal("no device tree in a1", (unsigned long)fdt, 0, 0);
  unsigned long next_mode = info->next_mode == 0 ? PRV_U : info->next_mode == 3 ? PRV_M : PRV_S;
  if (fdt_fixup(fdt) < 0) console_puts("tsemu-sbi: warning: no room to fix up the device tree\n");
  fdt_scan(fdt);
  for (unsigned long i = 0; i < MAX_HARTS; i++) {
    harts[i].id = i;
    harts[i].hsm_state = i == hartid ? SBI_HSM_STARTED : SBI_HSM_STOPPED;
  }
  hart_arrived(h);
  hart_init(h);
  if (!(info->options & FW_DYNAMIC_INFO_NO_BOOT_PRINTS)) banner(info->next_addr, next_mode);
  __atomic_store_n(&boot_done, 1, __ATOMIC_RELEASE);
  for (unsigned long other = 0; other < MAX_HARTS; other++)
    if (other != hartid && hart_present(other)) ipi_kick(other);
  if (info->next_addr == 0) {
    console_puts("tsemu-sbi: no next stage to run (fw_dynamic_info.next_addr is 0: no -kernel?)\n");
    hart_hang();
  }
  h->start_addr = info->next_addr;
  h->start_arg = (unsigned long)fdt;
  h->start_mode = next_mode;
  hart_enter(h->start_addr, next_mode, h->start_arg);
}

void __attribute__((noreturn)) warm_boot(void) {
  struct hart *h = this_hart();
  /*
   * A hart hot-plugged back in: the state it had before it was removed is gone. Reset it before
   * taking the new generation: until then a hart_start from another hart sees the old state as
   * stale and claims the hart; taking the generation first left a window in which the old
   * STARTED looked current, hart_start answered ALREADY_AVAILABLE and the start was lost.
   */
  uint32_t state = SBI_HSM_STARTED;
  __atomic_compare_exchange_n(&h->hsm_state, &state, SBI_HSM_STOPPED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  state = SBI_HSM_SUSPENDED;
  __atomic_compare_exchange_n(&h->hsm_state, &state, SBI_HSM_STOPPED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  hart_arrived(h);
  hart_init(h);
  hsm_wait_for_start();
}
