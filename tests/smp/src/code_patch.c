/* Cross-hart code patching (RISC-V unprivileged spec, Zifencei: a store to
 * instruction memory is only guaranteed visible to a hart's fetches after that
 * hart executes fence.i, so a remote hart must be asked to run one).
 *
 * patch_target is a two-instruction function `<insn>; ret` whose first
 * instruction hart 0 rewrites each round, alternating addi and lui so the
 * opcode changes too. All harts call it first, so the old code is cached
 * (decoded/translated) everywhere. Each round hart 0:
 *   stores the new instruction, fence.i, calls it itself (must see the new
 *   code), publishes the round number (release), sends an IPI to every hart.
 * Each other hart's IPI handler: reads the round (acquire), fence.i, calls the
 * function, records the result and acknowledges. Between IPIs the other harts
 * keep calling the function; without their own fence.i they may see the
 * previous or the new code, but never anything else. */
#include "smp.h"

#define ROUNDS 12
#define REG_A0 10
#define OPC_OP_IMM 0x13
#define OPC_LUI 0x37

uint64_t patch_target(void);
/* The instruction word, as data. Written with an explicit sw: through a
 * function pointer GCC assumes 2-byte alignment (RVC) and splits a 32-bit
 * store into two sh, which a concurrently fetching hart may see half done. */
extern uint32_t patch_insn;
__asm__(
    "    .text\n"
    "    .option push\n"
    "    .option norvc\n"
    "    .balign 8\n"
    "    .globl patch_target\n"
    "patch_target:\n"
    "patch_insn:\n"
    "    addi a0, zero, 5\n" /* = round_insn(0) */
    "    ret\n"
    "    .option pop\n");

static volatile uint32_t round_published;
static volatile uint32_t acked_round[SMP_MAX_HARTS];
static volatile uint64_t seen_in_handler[SMP_MAX_HARTS][ROUNDS + 1];
static volatile uint64_t hart0_sees[ROUNDS + 1];
static volatile uint64_t warm_value[SMP_MAX_HARTS];
static volatile uint32_t impossible_while_waiting[SMP_MAX_HARTS];
static volatile uint64_t first_impossible_value[SMP_MAX_HARTS];
static volatile uint32_t first_impossible_synced[SMP_MAX_HARTS];
static volatile uint32_t rounds_done;

/* Round r's instruction and the value it returns in a0. */
static uint32_t round_insn(uint32_t r) {
  if (r % 2 == 0) return ((r * 37 + 5) & 0x7ff) << 20 | REG_A0 << 7 | OPC_OP_IMM; /* addi a0, zero, imm */
  return (r + 1) << 12 | REG_A0 << 7 | OPC_LUI;                                     /* lui a0, r + 1 */
}
static uint64_t round_value(uint32_t r) {
  if (r % 2 == 0) return (r * 37 + 5) & 0x7ff;
  return (uint64_t)(r + 1) << 12;
}

static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

static inline void store_insn(uint32_t insn) {
  __asm__ volatile("sw %0, 0(%1)" ::"r"(insn), "r"(&patch_insn) : "memory");
}

static void on_ipi(unsigned hart, uint64_t cause) {
  if (cause != (CAUSE_INTERRUPT | IRQ_M_SOFT)) smp_fail("unexpected interrupt, mcause 0x%lx", cause);
  smp_clear_ipi(hart);
  SMP_FENCE(iorw, iorw);
  uint32_t r = load_acquire32(&round_published);
  fence_i();
  if (r <= ROUNDS) seen_in_handler[hart][r] = patch_target();
  store_release32(&acked_round[hart], r);
}

static void patch_rounds(unsigned nharts) {
  for (uint32_t r = 1; r <= ROUNDS; r++) {
    store_insn(round_insn(r));
    fence_i();
    hart0_sees[r] = patch_target();
    store_release32(&round_published, r);
    SMP_FENCE(w, o);
    for (unsigned h = 1; h < nharts; h++) smp_send_ipi(h);
    for (unsigned h = 1; h < nharts; h++) smp_wait_eq32(&acked_round[h], r, "fence.i acknowledgement");
  }
  store_release32(&rounds_done, 1);
}

/* Keeps executing the function while waiting; values allowed: the round we
 * last synchronized with (fence.i) or the one being published. */
static void call_while_waiting(unsigned hart) {
  uint64_t deadline = smp_deadline_ms(SMP_TIMEOUT_MS);
  while (!rounds_done) {
    /* no IPI in between, so hart 0 cannot get past round synced + 1 */
    csr_clear(mstatus, MSTATUS_MIE);
    uint32_t synced = acked_round[hart];
    uint64_t v = patch_target();
    csr_set(mstatus, MSTATUS_MIE);
    if (v != round_value(synced) && (synced == ROUNDS || v != round_value(synced + 1))) {
      if (impossible_while_waiting[hart]++ == 0) {
        first_impossible_value[hart] = v;
        first_impossible_synced[hart] = synced;
      }
    }
    if (smp_expired(deadline)) smp_fail("code patching rounds did not finish");
  }
}

static void run(unsigned hart, unsigned nharts) {
  warm_value[hart] = patch_target(); /* old code cached on every hart */
  smp_set_irq_handler(hart, on_ipi);
  smp_barrier();
  if (hart == 0) {
    patch_rounds(nharts);
  } else {
    smp_irq_enable(MIP_MSIP);
    call_while_waiting(hart);
  }
  smp_barrier();
}

static void check(unsigned nharts) {
  for (unsigned h = 0; h < nharts; h++) CHECK_EQ(warm_value[h], round_value(0), "hart %u: original code", h);
  for (uint32_t r = 1; r <= ROUNDS; r++) CHECK_EQ(hart0_sees[r], round_value(r), "hart 0: own patch %u", r);
  for (unsigned h = 1; h < nharts; h++) {
    for (uint32_t r = 1; r <= ROUNDS; r++)
      CHECK_EQ(seen_in_handler[h][r], round_value(r), "hart %u: patch %u after IPI + fence.i", h, r);
    CHECK_EQ(impossible_while_waiting[h], 0,
             "hart %u: calls returning neither old nor new code (first: 0x%lx after fence.i of round %u)", h,
             first_impossible_value[h], first_impossible_synced[h]);
  }
}

SMP_TEST("code_patch", run, check);
