/*
 * sbi-test: an S-mode conformance guest for tsemu-sbi (tests/sbi/README.md lists the checks).
 *
 * The boot hart runs every check and prints one PASS or FAIL line per check, plus INFO lines for
 * facts the platform decides (QEMU is the oracle); only deterministic facts are printed. The other
 * harts take commands through their mailboxes (harts.c) and report through memory. At the end the
 * guest asks for a cold reboot, finds its marker at 0x80400000 on the second boot, prints the
 * summary and shuts down through SBI SRST.
 */
#include "test.h"
#include <stddef.h>

unsigned long boot_hart;

/* Left in RAM outside every loaded image (the board reloads images at reset, RAM keeps the rest). */
#define MARKER ((volatile unsigned long *)0x80400000UL)
#define MARKER_MAGIC 0x5342492d54455354UL   /* "SBI-TEST" */

#define FW_BASE 0x80000000UL
#define FW_END 0x80080000UL
#define CLINT_BASE 0x2000000UL
#define RAM_END 0x88000000UL   /* -m 128M (the default) */

/* ---- helpers ---------------------------------------------------------------------------------- */

static int expect_err(const char *check, struct sbiret r, long err) { return expect_dec(check, "error", r.error, err); }

static int expect_ret(const char *check, struct sbiret r, long err, unsigned long value) {
  if (r.error != err) return expect_dec(check, "error", r.error, err);
  return expect_hex(check, "value", (unsigned long)r.value, value);
}

static void post(unsigned long hart, enum command cmd, unsigned long arg, unsigned long arg2) {
  struct slot *s = &slots[hart];
  s->cmd = cmd;
  s->arg = arg;
  s->arg2 = arg2;
  __sync_synchronize();
  s->seq = s->seq + 1;
}

static int command_done(unsigned long hart) { return slots[hart].ack == slots[hart].seq; }

/* PASS if hart finished its command in time (no line when it did, unless `check` is given). */
static int wait_command(unsigned long hart, const char *check) {
  int ok = WAIT_UNTIL(command_done(hart));
  if (!ok) {
    fail(check ? check : name("hart%u_command", hart), "command finished", "no (timeout)", "yes");
  } else if (check) {
    pass(check);
  }
  return ok;
}

static long hart_state(unsigned long hart) {
  struct sbiret r = sbi_hart_status(hart);
  return r.error ? -1000 + r.error : r.value;
}

/* ---- interrupt counts ------------------------------------------------------------------------- */

/* Supervisor software interrupts each of harts 0..3 should have taken so far. */
static unsigned long expected_ssi[NHARTS];

static int counts_reached(void) {
  for (unsigned long h = 0; h < NHARTS; h++)
    if (slots[h].ssi_count < expected_ssi[h]) return 0;
  return 1;
}

static const char *counts_text(char *text, int expected) {
  char *p = text;
  for (unsigned long h = 0; h < NHARTS; h++) {
    unsigned long v = expected ? expected_ssi[h] : slots[h].ssi_count;
    if (h) *p++ = ',';
    if (v >= 10) *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
  }
  *p = 0;
  return text;
}

/* Every hart has taken exactly the interrupts it should (waiting for those still on their way). */
static void counts_check(const char *check) {
  WAIT_UNTIL(counts_reached());
  for (unsigned long h = 0; h < NHARTS; h++) {
    if (slots[h].ssi_count != expected_ssi[h]) {
      char got[48], exp[48];
      fail(check, "interrupts taken by harts 0..3", counts_text(got, 0), counts_text(exp, 1));
      for (unsigned long k = 0; k < NHARTS; k++) expected_ssi[k] = slots[k].ssi_count;   /* one failure, not many */
      return;
    }
  }
  pass(check);
}

/* An IPI call that should succeed and reach the harts of `targets` (a mask of harts 0..3). */
static void ipi_step(const char *check, long error, unsigned long targets) {
  if (error != SBI_SUCCESS) {
    expect_dec(check, "error", error, SBI_SUCCESS);
    return;
  }
  for (unsigned long h = 0; h < NHARTS; h++)
    if ((targets >> h) & 1) expected_ssi[h]++;
  counts_check(check);
}

/* ---- BASE ------------------------------------------------------------------------------------- */

struct ext_name {
  unsigned long id;
  const char *name;
};

static const struct ext_name implemented[] = {
  { LEGACY_SET_TIMER, "legacy_set_timer" }, { LEGACY_PUTCHAR, "legacy_putchar" }, { LEGACY_GETCHAR, "legacy_getchar" },
  { LEGACY_CLEAR_IPI, "legacy_clear_ipi" }, { LEGACY_SEND_IPI, "legacy_send_ipi" },
  { LEGACY_REMOTE_FENCE_I, "legacy_remote_fence_i" }, { LEGACY_REMOTE_SFENCE_VMA, "legacy_remote_sfence_vma" },
  { LEGACY_REMOTE_SFENCE_VMA_ASID, "legacy_remote_sfence_vma_asid" }, { LEGACY_SHUTDOWN, "legacy_shutdown" },
  { EXT_BASE, "base" }, { EXT_TIME, "time" }, { EXT_IPI, "ipi" }, { EXT_RFENCE, "rfence" }, { EXT_HSM, "hsm" },
  { EXT_SRST, "srst" }, { EXT_DBCN, "dbcn" },
};

static const struct ext_name absent[] = {
  { EXT_PMU, "pmu" }, { 0x53555350UL, "susp" }, { 0x43505043UL, "cppc" }, { 0x4E41434CUL, "nacl" }, { 0x535441UL, "sta" },
  { 0x09UL, "0x09" }, { 0x6c3a91f2UL, "random_0x6c3a91f2" },
};

static void test_base(void) {
  expect_ret("base_get_spec_version", sbi0(EXT_BASE, 0), 0, 0x2000000UL);
  expect_ret("base_get_impl_id", sbi0(EXT_BASE, 1), 0, 0x7473UL);
  expect_ret("base_get_impl_version", sbi0(EXT_BASE, 2), 0, 0x10000UL);
  for (unsigned long i = 0; i < sizeof implemented / sizeof implemented[0]; i++)
    expect_ret(name("base_probe_%s", implemented[i].name), sbi1(EXT_BASE, 3, implemented[i].id), 0, 1);
  for (unsigned long i = 0; i < sizeof absent / sizeof absent[0]; i++)
    expect_ret(name("base_probe_%s_absent", absent[i].name), sbi1(EXT_BASE, 3, absent[i].id), 0, 0);
  static const char *const ids[] = { "mvendorid", "marchid", "mimpid" };
  for (unsigned long i = 0; i < 3; i++) {
    struct sbiret r = sbi0(EXT_BASE, 4 + i);
    if (expect_err(name("base_get_%s", ids[i]), r, 0)) say("INFO %s %x\n", ids[i], (unsigned long)r.value);
  }
  static const struct { unsigned long ext, fid; const char *name; } bad_fids[] = {
    { EXT_BASE, 7, "base_fid_7" }, { EXT_TIME, 1, "time_fid_1" }, { EXT_IPI, 1, "ipi_fid_1" },
    { EXT_RFENCE, 7, "rfence_fid_7" }, { EXT_HSM, 4, "hsm_fid_4" }, { EXT_SRST, 1, "srst_fid_1" },
    { EXT_DBCN, 3, "dbcn_fid_3" },
  };
  for (unsigned long i = 0; i < sizeof bad_fids / sizeof bad_fids[0]; i++)
    expect_err(name("%s_not_supported", bad_fids[i].name), sbi0(bad_fids[i].ext, bad_fids[i].fid), SBI_ERR_NOT_SUPPORTED);
  for (unsigned long i = 0; i < sizeof absent / sizeof absent[0]; i++)
    expect_err(name("ext_%s_not_supported", absent[i].name), sbi0(absent[i].id, 0), SBI_ERR_NOT_SUPPORTED);
}

/* ---- registers across an ecall ---------------------------------------------------------------- */

/* Every register but a0 (and a1, unless the call is a legacy one) keeps its value across the ecall. */
static void regs_check(const char *check, unsigned long ext, unsigned long fid, unsigned long arg0, unsigned long arg1, int legacy) {
  unsigned long dump[32];
  unsigned long sie = csr_read(CSR_SSTATUS) & SSTATUS_SIE;
  csr_clear(CSR_SSTATUS, SSTATUS_SIE);
  regs_probe(ext, fid, arg0, arg1, dump);
  csr_set(CSR_SSTATUS, sie);
  for (unsigned long i = 1; i < 32; i++) {
    if (i == 10 || (i == 11 && !legacy)) continue;
    unsigned long want = i == 2 ? dump[0] : i == 11 ? arg1 : i == 16 ? fid : i == 17 ? ext : REG_PATTERN(i);
    if (dump[i] != want) {
      expect_hex(check, name("x%u", i), dump[i], want);
      return;
    }
  }
  pass(check);
}

static void test_regs(void) {
  regs_check("regs_preserved_base", EXT_BASE, 0, 0, REG_PATTERN(11), 0);
  regs_check("regs_preserved_hsm_status", EXT_HSM, 2, 1, REG_PATTERN(11), 0);
  regs_check("regs_preserved_set_timer", EXT_TIME, 0, -1UL, REG_PATTERN(11), 0);
  regs_check("regs_preserved_send_ipi_empty", EXT_IPI, 0, 0, 0, 0);
  regs_check("regs_preserved_remote_fence_i", EXT_RFENCE, 0, 0xe, 0, 0);
  regs_check("regs_preserved_unknown_extension", 0x6c3a91f2UL, 0, 0, REG_PATTERN(11), 0);
  regs_check("regs_preserved_legacy_clear_ipi", LEGACY_CLEAR_IPI, 0, 0, REG_PATTERN(11), 1);
  regs_check("regs_preserved_legacy_remote_fence_i_null", LEGACY_REMOTE_FENCE_I, 0, 0, REG_PATTERN(11), 1);
}

/* ---- DBCN and the legacy console -------------------------------------------------------------- */

static unsigned long length(const char *s) {
  unsigned long n = 0;
  while (s[n]) n++;
  return n;
}

static void test_console(void) {
  static const char text[] = "DBCN console_write: this line is one call\n";
  expect_ret("dbcn_write", sbi3(EXT_DBCN, 0, length(text), (unsigned long)text, 0), 0, length(text));
  static const char bytes[] = "DBCN console_write_byte: one call per byte\n";
  unsigned long bad = 0;
  for (const char *p = bytes; *p; p++) {
    struct sbiret r = sbi1(EXT_DBCN, 2, (unsigned char)*p);
    if (r.error || r.value) bad++;
  }
  expect_dec("dbcn_write_byte", "failed calls", (long)bad, 0);
  expect_ret("dbcn_write_zero_bytes", sbi3(EXT_DBCN, 0, 0, (unsigned long)text, 0), 0, 0);
  expect_err("dbcn_write_outside_ram", sbi3(EXT_DBCN, 0, 16, 0x0UL, 0), SBI_ERR_INVALID_PARAM);
  expect_err("dbcn_write_base_addr_hi", sbi3(EXT_DBCN, 0, 16, (unsigned long)text, 1), SBI_ERR_INVALID_PARAM);
  expect_err("dbcn_write_past_ram_end", sbi3(EXT_DBCN, 0, 16, RAM_END - 8, 0), SBI_ERR_INVALID_PARAM);
  expect_err("dbcn_write_firmware_memory", sbi3(EXT_DBCN, 0, 16, FW_BASE, 0), SBI_ERR_INVALID_PARAM);
  static char in[16];
  for (unsigned long i = 0; i < sizeof in; i++) in[i] = (char)0xee;
  expect_ret("dbcn_read_no_input", sbi3(EXT_DBCN, 1, sizeof in, (unsigned long)in, 0), 0, 0);
  expect_hex("dbcn_read_buffer_untouched", "first byte", (unsigned char)in[0], 0xee);
  expect_err("dbcn_read_outside_ram", sbi3(EXT_DBCN, 1, 16, 0x1000UL, 0), SBI_ERR_INVALID_PARAM);
  expect_err("dbcn_read_firmware_memory", sbi3(EXT_DBCN, 1, 16, FW_BASE + 0x3000, 0), SBI_ERR_INVALID_PARAM);

  static const char legacy[] = "legacy console_putchar: one call per byte\n";
  bad = 0;
  for (const char *p = legacy; *p; p++)
    if (sbi_legacy(LEGACY_PUTCHAR, (unsigned char)*p) != 0) bad++;
  expect_dec("legacy_putchar", "failed calls", (long)bad, 0);
  expect_dec("legacy_getchar_no_input", "a0", sbi_legacy(LEGACY_GETCHAR, 0), -1);
}

/* ---- HSM: status, start ----------------------------------------------------------------------- */

static unsigned long opaque_for(unsigned long hart, unsigned long start) { return 0x0c0ffee000000000UL | (hart << 8) | start; }

/* Starts `hart` at hart_entry and checks what it found there (check names: hsm_<what>_hartH...). */
static int start_and_check(unsigned long hart, const char *what, unsigned long opaque, int check_sip) {
  unsigned long seq0 = entry_seq;
  if (!expect_err(name("hsm_%s_hart%u", what, hart), sbi_hart_start(hart, (unsigned long)hart_entry, opaque), 0)) return 0;
  if (!WAIT_UNTIL(entry_seq != seq0)) {
    fail(name("hsm_%s_hart%u_entered", what, hart), "report from the hart", "none (timeout)", "one");
    return 0;
  }
  __sync_synchronize();
  expect_hex(name("hsm_%s_hart%u_a0_hartid", what, hart), "a0", entry.a0, hart);
  expect_hex(name("hsm_%s_hart%u_a1_opaque", what, hart), "a1", entry.a1, opaque);
  expect_hex(name("hsm_%s_hart%u_satp_0", what, hart), "satp", entry.satp, 0);
  expect_hex(name("hsm_%s_hart%u_sstatus_sie_0", what, hart), "sstatus.SIE", entry.sstatus & SSTATUS_SIE, 0);
  if (check_sip) expect_hex(name("hsm_%s_hart%u_no_ssip_pending", what, hart), "sip.SSIP", entry.sip & SIP_SSIP, 0);
  return 1;
}

static void test_hsm_start(void) {
  for (unsigned long h = 0; h < MAX_HARTS; h++) {
    const char *check = name("hsm_status_hart%u_at_boot", h);
    if (h == boot_hart) expect_ret(check, sbi_hart_status(h), 0, HSM_STARTED);
    else if (h < NHARTS) expect_ret(check, sbi_hart_status(h), 0, HSM_STOPPED);
    else expect_err(check, sbi_hart_status(h), SBI_ERR_INVALID_PARAM);
  }
  expect_err("hsm_status_hart1000", sbi_hart_status(1000), SBI_ERR_INVALID_PARAM);
  expect_err("hsm_status_hart_minus1", sbi_hart_status(-1UL), SBI_ERR_INVALID_PARAM);

  unsigned long entry_addr = (unsigned long)hart_entry;
  expect_err("hsm_start_at_firmware_base", sbi_hart_start(1, FW_BASE, 0), SBI_ERR_INVALID_ADDRESS);
  expect_err("hsm_start_at_firmware_end", sbi_hart_start(1, FW_END - 4, 0), SBI_ERR_INVALID_ADDRESS);
  expect_err("hsm_start_at_clint", sbi_hart_start(1, CLINT_BASE, 0), SBI_ERR_INVALID_ADDRESS);
  expect_err("hsm_start_absent_hart4", sbi_hart_start(4, entry_addr, 0), SBI_ERR_INVALID_PARAM);
  expect_err("hsm_start_absent_hart7", sbi_hart_start(7, entry_addr, 0), SBI_ERR_INVALID_PARAM);
  expect_err("hsm_start_hart1000", sbi_hart_start(1000, entry_addr, 0), SBI_ERR_INVALID_PARAM);
  expect_err("hsm_start_boot_hart_already_available", sbi_hart_start(boot_hart, entry_addr, 0), SBI_ERR_ALREADY_AVAILABLE);
  expect_ret("hsm_status_hart1_after_failed_starts", sbi_hart_status(1), 0, HSM_STOPPED);

  /* an IPI to a stopped hart is not delivered, and it is not pending when the hart starts */
  expect_err("ipi_send_to_stopped_hart3", sbi_send_ipi(1UL << 3, 0), 0);

  for (unsigned long h = 1; h < NHARTS; h++) {
    if (!start_and_check(h, "start", opaque_for(h, 1), 1)) continue;
    expect_ret(name("hsm_status_hart%u_started", h), sbi_hart_status(h), 0, HSM_STARTED);
    expect_err(name("hsm_start_hart%u_again_already_available", h), sbi_hart_start(h, entry_addr, 0), SBI_ERR_ALREADY_AVAILABLE);
  }
}

/* ---- IPI -------------------------------------------------------------------------------------- */

static void test_ipi(void) {
  counts_check("ipi_no_interrupts_yet");
  ipi_step("ipi_send_mask_0xe_base_0", sbi_send_ipi(0xe, 0).error, 0xe);
  ipi_step("ipi_send_mask_0x1_base_2", sbi_send_ipi(0x1, 2).error, 0x4);
  ipi_step("ipi_send_mask_0x3_base_1", sbi_send_ipi(0x3, 1).error, 0x6);
  ipi_step("ipi_send_mask_0x5_base_0_self", sbi_send_ipi(0x5, 0).error, 0x5);
  ipi_step("ipi_send_mask_0x1_base_3", sbi_send_ipi(0x1, 3).error, 0x8);
  ipi_step("ipi_send_base_minus1_all", sbi_send_ipi(0, -1UL).error, 0xf);
  ipi_step("ipi_send_base_minus1_mask_ignored", sbi_send_ipi(0x2, -1UL).error, 0xf);
  ipi_step("ipi_send_empty_mask", sbi_send_ipi(0, 0).error, 0);
  expect_err("ipi_send_base_4_absent", sbi_send_ipi(0x1, 4), SBI_ERR_INVALID_PARAM);
  expect_err("ipi_send_base_1000", sbi_send_ipi(0x1, 1000), SBI_ERR_INVALID_PARAM);
  expect_err("ipi_send_mask_bit_of_absent_hart4", sbi_send_ipi(0x10, 0), SBI_ERR_INVALID_PARAM);
  expect_err("ipi_send_mask_0x1f_with_absent_hart4", sbi_send_ipi(0x1f, 0), SBI_ERR_INVALID_PARAM);
  expect_err("ipi_send_mask_0x3_base_3_absent_hart4", sbi_send_ipi(0x3, 3), SBI_ERR_INVALID_PARAM);
  delay(20 * MS);
  counts_check("ipi_rejected_calls_sent_nothing");
}

/* ---- RFENCE ----------------------------------------------------------------------------------- */

static unsigned long root_table[512] __attribute__((aligned(4096)));
static unsigned long mid_table[512] __attribute__((aligned(4096)));
static unsigned long leaf_table[512] __attribute__((aligned(4096)));
static unsigned long page_a[512] __attribute__((aligned(4096)));
static unsigned long page_b[512] __attribute__((aligned(4096)));

#define PTE_V 0x01UL
#define PTE_R 0x02UL
#define PTE_W 0x04UL
#define PTE_X 0x08UL
#define PTE_A 0x40UL
#define PTE_D 0x80UL
#define PTE(pa, flags) ((((unsigned long)(pa)) >> 12 << 10) | (flags))
#define PAGE_A_WORD 0x4141414150414745UL
#define PAGE_B_WORD 0x4242424250414745UL
#define LEAF_INDEX ((VIRT_PAGE >> 12) & 511)

/* Sv39: a 1 GiB identity mapping of 0x80000000.. and VIRT_PAGE -> page_a; returns satp. */
static unsigned long build_tables(void) {
  for (unsigned long i = 0; i < 512; i++) {
    page_a[i] = PAGE_A_WORD;
    page_b[i] = PAGE_B_WORD;
  }
  root_table[2] = PTE(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
  root_table[(VIRT_PAGE >> 30) & 511] = PTE(mid_table, PTE_V);
  mid_table[(VIRT_PAGE >> 21) & 511] = PTE(leaf_table, PTE_V);
  leaf_table[LEAF_INDEX] = PTE(page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  __sync_synchronize();
  return (8UL << 60) | ((unsigned long)root_table >> 12);
}

static void remap(unsigned long *page) {
  leaf_table[LEAF_INDEX] = PTE(page, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  __sync_synchronize();
}

/* Lets hart 3 read VIRT_PAGE (step k) and returns what it read. */
static unsigned long sv39_read(unsigned long k) {
  sv39_step = k;
  if (!WAIT_UNTIL(sv39_done == k + 1)) return 0xdead;
  __sync_synchronize();
  return sv39_seen[k];
}

static void test_sv39(unsigned long satp) {
  const unsigned long reader = 3, mask = 1UL << reader;
  post(reader, CMD_SV39, satp, 0);
  expect_hex("rfence_sv39_hart3_reads_page_a", "word read", sv39_read(0), PAGE_A_WORD);
  remap(page_b);
  expect_err("rfence_sv39_remote_sfence_vma", sbi_call(EXT_RFENCE, 1, mask, 0, VIRT_PAGE, 4096, 0), 0);
  expect_hex("rfence_sv39_hart3_reads_page_b_after_remote_sfence_vma", "word read", sv39_read(1), PAGE_B_WORD);
  remap(page_a);
  expect_err("rfence_sv39_remote_sfence_vma_asid", sbi_call(EXT_RFENCE, 2, mask, 0, VIRT_PAGE, 4096, 0), 0);
  expect_hex("rfence_sv39_hart3_reads_page_a_after_remote_sfence_vma_asid", "word read", sv39_read(2), PAGE_A_WORD);
  remap(page_b);
  static unsigned long legacy_mask;
  legacy_mask = mask;
  expect_dec("rfence_sv39_legacy_remote_sfence_vma",
             "a0", sbi_call(LEGACY_REMOTE_SFENCE_VMA, 0, (unsigned long)&legacy_mask, VIRT_PAGE, 4096, 0, 0).error, 0);
  expect_hex("rfence_sv39_hart3_reads_page_b_after_legacy_remote_sfence_vma", "word read", sv39_read(3), PAGE_B_WORD);
  wait_command(reader, "rfence_sv39_hart3_done");
}

#define STORM_ROUNDS 250

static void test_rfence(unsigned long satp) {
  expect_err("rfence_fence_i_mask_0xe", sbi2(EXT_RFENCE, 0, 0xe, 0), 0);
  expect_err("rfence_fence_i_all", sbi2(EXT_RFENCE, 0, 0, -1UL), 0);
  expect_err("rfence_fence_i_self", sbi2(EXT_RFENCE, 0, 1UL << boot_hart, 0), 0);
  expect_err("rfence_sfence_vma_mask_0xf_range", sbi_call(EXT_RFENCE, 1, 0xf, 0, 0x80200000UL, 0x1000, 0), 0);
  expect_err("rfence_sfence_vma_all_full", sbi_call(EXT_RFENCE, 1, 0, -1UL, 0, -1UL, 0), 0);
  expect_err("rfence_sfence_vma_asid_mask_0x1_base_1", sbi_call(EXT_RFENCE, 2, 0x1, 1, 0, 0, 0), 0);
  for (unsigned long fid = 3; fid <= 6; fid++)
    expect_err(name("rfence_hfence_fid_%u_not_supported", fid), sbi_call(EXT_RFENCE, fid, 0xe, 0, 0, -1UL, 0), SBI_ERR_NOT_SUPPORTED);
  expect_err("rfence_fence_i_base_4_absent", sbi2(EXT_RFENCE, 0, 0x1, 4), SBI_ERR_INVALID_PARAM);
  expect_err("rfence_sfence_vma_mask_bit_of_absent_hart4", sbi_call(EXT_RFENCE, 1, 0x10, 0, 0, -1UL, 0), SBI_ERR_INVALID_PARAM);
  counts_check("rfence_raised_no_supervisor_interrupts");

  /* harts 1 and 2 fence each other while the boot hart fences both */
  post(1, CMD_FENCE_STORM, 1UL << 2, STORM_ROUNDS);
  post(2, CMD_FENCE_STORM, 1UL << 1, STORM_ROUNDS);
  unsigned long errors = 0;
  for (unsigned long i = 0; i < STORM_ROUNDS; i++)
    if (sbi2(EXT_RFENCE, 0, 0x6, 0).error) errors++;
  expect_dec("rfence_storm_hart0_errors", "failed calls", (long)errors, 0);
  if (wait_command(1, "rfence_storm_hart1_finished")) expect_dec("rfence_storm_hart1_errors", "failed calls", (long)slots[1].r[0], 0);
  if (wait_command(2, "rfence_storm_hart2_finished")) expect_dec("rfence_storm_hart2_errors", "failed calls", (long)slots[2].r[0], 0);

  test_sv39(satp);
  counts_check("rfence_storm_raised_no_supervisor_interrupts");
}

/* ---- TIME ------------------------------------------------------------------------------------- */

static void test_time(void) {
  struct slot *s = &slots[boot_hart];
  unsigned long deadline = rdtime() + 10 * MS;
  expect_err("time_set_timer", sbi_set_timer(deadline), 0);
  WAIT_UNTIL(s->sti_count >= 1);
  expect_dec("time_set_timer_interrupt_taken", "timer interrupts", (long)s->sti_count, 1);
  expect_hex("time_set_timer_interrupt_scause", "scause", s->sti_cause, SCAUSE_INTERRUPT | IRQ_S_TIMER);
  expect_dec("time_set_timer_interrupt_not_early", "taken before the deadline", s->sti_time < deadline, 0);
  delay(20 * MS);
  expect_dec("time_set_timer_minus1_quiet", "timer interrupts", (long)s->sti_count, 1);
  expect_hex("time_set_timer_minus1_stip_clear", "sip.STIP", csr_read(CSR_SIP) & SIP_STIP, 0);

  sbi_set_timer(rdtime() + 100 * MS);
  expect_err("time_set_timer_cancel", sbi_set_timer(-1UL), 0);
  delay(200 * MS);
  expect_dec("time_cancelled_timer_quiet", "timer interrupts", (long)s->sti_count, 1);

  expect_err("time_set_timer_in_the_past", sbi_set_timer(0), 0);
  WAIT_UNTIL(s->sti_count >= 2);
  expect_dec("time_set_timer_in_the_past_interrupt", "timer interrupts", (long)s->sti_count, 2);

  expect_dec("legacy_set_timer", "a0", sbi_legacy(LEGACY_SET_TIMER, rdtime() + 10 * MS), 0);
  WAIT_UNTIL(s->sti_count >= 3);
  expect_dec("legacy_set_timer_interrupt", "timer interrupts", (long)s->sti_count, 3);

  /* with sie.STIE off the interrupt is pending but not taken; set_timer(-1) clears it */
  csr_clear(CSR_SIE, SIE_STIE);
  sbi_set_timer(rdtime());
  WAIT_UNTIL(csr_read(CSR_SIP) & SIP_STIP);
  expect_hex("time_stip_pending_with_stie_off", "sip.STIP", csr_read(CSR_SIP) & SIP_STIP, SIP_STIP);
  sbi_set_timer(-1UL);
  expect_hex("time_stip_cleared_by_set_timer_minus1", "sip.STIP", csr_read(CSR_SIP) & SIP_STIP, 0);
  csr_set(CSR_SIE, SIE_STIE);
  expect_dec("time_no_interrupt_with_stie_off", "timer interrupts", (long)s->sti_count, 3);
}

/* ---- legacy calls and traps the firmware redirects -------------------------------------------- */

/* A legacy call with a hart-mask pointer the firmware cannot read: the load fault comes to S-mode. */
static void fault_check(const char *check, unsigned long ext, unsigned long pointer) {
  struct slot *s = &slots[boot_hart];
  s->expect_trap = 1;
  legacy_probe(ext, pointer);
  if (s->expect_trap) {
    s->expect_trap = 0;
    fail(check, "S-mode trap", "none", "load access fault");
    return;
  }
  expect_hex(name("%s_scause", check), "scause", s->trap_cause, CAUSE_LOAD_ACCESS);
  expect_hex(name("%s_sepc_at_ecall", check), "sepc", s->trap_epc, (unsigned long)legacy_probe_ecall);
  expect_hex(name("%s_stval", check), "stval", s->trap_tval, pointer);
  expect_hex(name("%s_spp_s", check), "sstatus.SPP", s->trap_sstatus & SSTATUS_SPP, SSTATUS_SPP);
}

static void test_legacy(void) {
  /* clear_ipi: an IPI to this hart with S interrupts off, then cleared */
  csr_clear(CSR_SSTATUS, SSTATUS_SIE);
  sbi_send_ipi(1UL << boot_hart, 0);
  WAIT_UNTIL(csr_read(CSR_SIP) & SIP_SSIP);
  expect_hex("legacy_clear_ipi_ssip_was_pending", "sip.SSIP", csr_read(CSR_SIP) & SIP_SSIP, SIP_SSIP);
  expect_dec("legacy_clear_ipi", "a0", sbi_legacy(LEGACY_CLEAR_IPI, 0), 0);
  expect_hex("legacy_clear_ipi_ssip_cleared", "sip.SSIP", csr_read(CSR_SIP) & SIP_SSIP, 0);
  csr_set(CSR_SSTATUS, SSTATUS_SIE);

  static unsigned long mask;
  mask = 0x4;
  ipi_step("legacy_send_ipi_mask_0x4", sbi_legacy(LEGACY_SEND_IPI, (unsigned long)&mask), 0x4);
  mask = 0xa;
  ipi_step("legacy_send_ipi_mask_0xa", sbi_legacy(LEGACY_SEND_IPI, (unsigned long)&mask), 0xa);
  ipi_step("legacy_send_ipi_null_all", sbi_legacy(LEGACY_SEND_IPI, 0), 0xf);
  mask = 0xe;
  expect_dec("legacy_remote_fence_i_mask_0xe", "a0", sbi_legacy(LEGACY_REMOTE_FENCE_I, (unsigned long)&mask), 0);
  expect_dec("legacy_remote_fence_i_null_all", "a0", sbi_legacy(LEGACY_REMOTE_FENCE_I, 0), 0);
  expect_dec("legacy_remote_sfence_vma_asid_mask_0xe", "a0",
             sbi_call(LEGACY_REMOTE_SFENCE_VMA_ASID, 0, (unsigned long)&mask, 0, -1UL, 0, 0).error, 0);

  fault_check("legacy_send_ipi_pointer_0x8", LEGACY_SEND_IPI, 0x8);
  fault_check("legacy_remote_fence_i_pointer_0x8", LEGACY_REMOTE_FENCE_I, 0x8);
  fault_check("legacy_remote_sfence_vma_pointer_past_ram", LEGACY_REMOTE_SFENCE_VMA, RAM_END);
  delay(20 * MS);
  counts_check("legacy_faulting_calls_sent_nothing");

  /* an illegal instruction in S-mode (not delegated): the firmware hands it to stvec */
  struct slot *s = &slots[boot_hart];
  s->expect_trap = 1;
  long a0 = illegal_probe();
  if (s->expect_trap) {
    s->expect_trap = 0;
    fail("illegal_instruction_redirected", "S-mode trap", "none", "illegal instruction");
  } else {
    expect_hex("illegal_instruction_redirected", "a0 after the handler", (unsigned long)a0, TRAP_MARK);
    expect_hex("illegal_instruction_scause", "scause", s->trap_cause, CAUSE_ILLEGAL_INSTRUCTION);
    expect_hex("illegal_instruction_sepc", "sepc", s->trap_epc, (unsigned long)illegal_probe_insn);
    expect_hex("illegal_instruction_spp_s", "sstatus.SPP", s->trap_sstatus & SSTATUS_SPP, SSTATUS_SPP);
    expect_hex("illegal_instruction_spie_1", "sstatus.SPIE", s->trap_sstatus & SSTATUS_SPIE, SSTATUS_SPIE);
    expect_hex("illegal_instruction_sie_0_in_handler", "sstatus.SIE", s->trap_sstatus & SSTATUS_SIE, 0);
    expect_hex("illegal_instruction_sie_back_after_sret", "sstatus.SIE", csr_read(CSR_SSTATUS) & SSTATUS_SIE, SSTATUS_SIE);
    say("INFO illegal instruction stval %x\n", s->trap_tval);
  }
}

/* ---- HSM: stop, suspend ----------------------------------------------------------------------- */

static void test_hsm_stop_suspend(unsigned long satp) {
  /* hart 1 stops with translation on; started again, it must find satp = 0 */
  post(1, CMD_STOP, satp, 0);
  WAIT_UNTIL(hart_state(1) == HSM_STOPPED);
  expect_ret("hsm_stop_hart1_status_stopped", sbi_hart_status(1), 0, HSM_STOPPED);
  if (start_and_check(1, "restart", opaque_for(1, 2), 0)) {
    wait_command(1, NULL);
    expect_ret("hsm_status_hart1_restarted", sbi_hart_status(1), 0, HSM_STARTED);
  }

  /* retentive suspend (S interrupts off, sie.SSIE on), woken by an IPI */
  post(2, CMD_SUSPEND_IPI, 0, 0);
  WAIT_UNTIL(hart_state(2) == HSM_SUSPENDED);
  expect_ret("hsm_suspend_retentive_hart2_status_suspended", sbi_hart_status(2), 0, HSM_SUSPENDED);
  expect_err("hsm_suspend_retentive_hart2_wake_ipi", sbi_send_ipi(1UL << 2, 0), 0);
  if (wait_command(2, "hsm_suspend_retentive_hart2_resumed")) {
    expect_dec("hsm_suspend_retentive_hart2_returns_0", "error", (long)slots[2].r[0], 0);
    expect_hex("hsm_suspend_retentive_hart2_ssip_pending", "sip.SSIP", slots[2].r[1], SIP_SSIP);
    expect_ret("hsm_suspend_retentive_hart2_status_started", sbi_hart_status(2), 0, HSM_STARTED);
  }

  /* retentive suspend woken by the hart's own timer */
  post(2, CMD_SUSPEND_TIMER, 0, 0);
  if (wait_command(2, "hsm_suspend_timer_hart2_resumed")) {
    expect_dec("hsm_suspend_timer_hart2_set_timer", "error", (long)slots[2].r[3], 0);
    expect_dec("hsm_suspend_timer_hart2_returns_0", "error", (long)slots[2].r[0], 0);
    expect_hex("hsm_suspend_timer_hart2_stip_pending", "sip.STIP", slots[2].r[1], SIP_STIP);
    expect_hex("hsm_suspend_timer_hart2_stip_cleared", "sip.STIP", slots[2].r[2], 0);
  }

  /* non-retentive suspend with translation on, woken by an IPI: resumes at resume_entry */
  unsigned long opaque = opaque_for(3, 3), seq0 = entry_seq;
  post(3, CMD_SUSPEND_NON_RET, satp, opaque);
  WAIT_UNTIL(hart_state(3) == HSM_SUSPENDED);
  expect_ret("hsm_suspend_non_retentive_hart3_status_suspended", sbi_hart_status(3), 0, HSM_SUSPENDED);
  expect_err("hsm_suspend_non_retentive_hart3_wake_ipi", sbi_send_ipi(1UL << 3, 0), 0);
  if (!WAIT_UNTIL(entry_seq != seq0)) {
    fail("hsm_suspend_non_retentive_hart3_resumed", "report from the hart", "none (timeout)", "one");
  } else {
    __sync_synchronize();
    expect_hex("hsm_suspend_non_retentive_hart3_at_resume_addr", "entry point", entry.resumed, 1);
    expect_hex("hsm_suspend_non_retentive_hart3_a0_hartid", "a0", entry.a0, 3);
    expect_hex("hsm_suspend_non_retentive_hart3_a1_opaque", "a1", entry.a1, opaque);
    expect_hex("hsm_suspend_non_retentive_hart3_satp_0", "satp", entry.satp, 0);
    expect_hex("hsm_suspend_non_retentive_hart3_sstatus_sie_0", "sstatus.SIE", entry.sstatus & SSTATUS_SIE, 0);
    wait_command(3, NULL);
    expect_ret("hsm_suspend_non_retentive_hart3_status_started", sbi_hart_status(3), 0, HSM_STARTED);
  }

  /* suspend types the boot hart may not use */
  static const unsigned long reserved[] = { 0x1UL, 0x0fffffffUL, 0x80000001UL, 0x8fffffffUL };
  for (unsigned long i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
    expect_err(name("hsm_suspend_type_%x_reserved", reserved[i]), sbi_hart_suspend(reserved[i], (unsigned long)resume_entry, 0),
               SBI_ERR_INVALID_PARAM);
  static const unsigned long platform[] = { 0x10000000UL, 0x7fffffffUL, 0x90000000UL, 0xffffffffUL };
  for (unsigned long i = 0; i < sizeof platform / sizeof platform[0]; i++)
    expect_err(name("hsm_suspend_type_%x_platform_specific", platform[i]),
               sbi_hart_suspend(platform[i], (unsigned long)resume_entry, 0), SBI_ERR_NOT_SUPPORTED);
  expect_err("hsm_suspend_non_retentive_resume_in_firmware", sbi_hart_suspend(SUSPEND_NON_RET, FW_BASE, 0), SBI_ERR_INVALID_ADDRESS);
  expect_err("hsm_suspend_non_retentive_resume_at_clint", sbi_hart_suspend(SUSPEND_NON_RET, CLINT_BASE, 0), SBI_ERR_INVALID_ADDRESS);
  counts_check("hsm_tests_took_no_counted_interrupts");
}

/* ---- SRST ------------------------------------------------------------------------------------- */

static void test_srst(void) {
  expect_err("srst_type_3_reserved", sbi2(EXT_SRST, 0, 3, 0), SBI_ERR_INVALID_PARAM);
  expect_err("srst_type_0xefffffff_reserved", sbi2(EXT_SRST, 0, 0xefffffffUL, 0), SBI_ERR_INVALID_PARAM);
  expect_err("srst_type_0xf0000000_vendor", sbi2(EXT_SRST, 0, 0xf0000000UL, 0), SBI_ERR_NOT_SUPPORTED);
  expect_err("srst_shutdown_reason_2_reserved", sbi2(EXT_SRST, 0, 0, 2), SBI_ERR_INVALID_PARAM);
  expect_err("srst_shutdown_reason_0xdfffffff_reserved", sbi2(EXT_SRST, 0, 0, 0xdfffffffUL), SBI_ERR_INVALID_PARAM);

  MARKER[1] = passed;
  MARKER[2] = failed;
  MARKER[0] = MARKER_MAGIC;
  __sync_synchronize();
  say("SRST cold reboot: the board resets\n");
  struct sbiret r = sbi2(EXT_SRST, 0, 1, 0);
  MARKER[0] = 0;
  fail("srst_cold_reboot", "the call", r.error == SBI_ERR_FAILED ? "returned SBI_ERR_FAILED" : "returned", "a board reset");
  finish();
}

static void __attribute__((noreturn)) second_boot(void) {
  passed = MARKER[1];
  failed = MARKER[2];
  MARKER[0] = 0;
  __sync_synchronize();
  say("sbi-test: second boot, after the SBI cold reboot (marker at 0x80400000)\n");
  pass("srst_cold_reboot");
  expect_ret("srst_cold_reboot_boot_hart_started", sbi_hart_status(boot_hart), 0, HSM_STARTED);
  for (unsigned long h = 1; h < NHARTS; h++)
    expect_ret(name("srst_cold_reboot_hart%u_stopped", h), sbi_hart_status(h), 0, HSM_STOPPED);
  finish();
}

void finish(void) {
  say("SUMMARY %u passed, %u failed\n", passed, failed);
  sbi2(EXT_SRST, 0, 0, 0);
  failed++;
  say("FAIL srst_shutdown: the call got returned expected a power-off\n");
  for (;;) __asm__ volatile("wfi");
}

void boot_main(unsigned long hart, unsigned long dtb) {
  (void)dtb;
  boot_hart = hart;
  if (MARKER[0] == MARKER_MAGIC) second_boot();
  say("sbi-test: S-mode conformance checks for tsemu-sbi, boot hart %u\n", hart);
  expect_hex("boot_hart_0", "boot hart", hart, 0);
  csr_set(CSR_SIE, SIE_SSIE | SIE_STIE);
  csr_set(CSR_SSTATUS, SSTATUS_SIE);
  unsigned long satp = build_tables();

  test_base();
  test_console();
  test_hsm_start();
  test_regs();
  test_ipi();
  test_rfence(satp);
  test_time();
  test_legacy();
  test_hsm_stop_suspend(satp);
  test_srst();
}
