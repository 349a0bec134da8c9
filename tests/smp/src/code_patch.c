/* Cross-hart code patching (Zifencei: a store to instruction memory is only
 * guaranteed to reach a hart's instruction fetches after that hart executes
 * fence.i, so the patching hart must ask the others to run one).
 *
 * patch_target is `<insn>; ret`; each round hart 0 rewrites the first
 * instruction, alternating addi and lui so the opcode changes as well as the
 * immediate. Every hart calls the function first, so the old code is cached
 * (translated) everywhere. Each round hart 0:
 *   stores the new instruction (one aligned sw), executes fence.i, calls the
 *   function (must see its own patch), publishes the round number (release)
 *   and sends an IPI to every other hart.
 * Each other hart sleeps in WFI; its IPI handler reads the round (acquire:
 * hart 0's store is now visible to it), executes fence.i, calls the function,
 * records what it returned and acknowledges. Hart 0 waits for all
 * acknowledgements before the next round.
 *
 * The other harts do not execute the function while it is being rewritten:
 * QEMU 7.2 (MTTCG) can keep a translation made concurrently with the store
 * and then serve the old code even to hart 0 after its own fence.i. */
#include "smp.h"

#define ROUNDS 12
#define REG_A0 10
#define OPC_OP_IMM 0x13
#define OPC_LUI 0x37

uint64_t patch_target(void);
/* The instruction word, as data. Written with an explicit sw: through the
 * function's address GCC assumes only 2-byte alignment (RVC) and splits a
 * 32-bit store into two sh, which another hart may fetch half done. */
extern uint32_t patch_insn;
__asm__(
    "    .text\n"
    "    .option push\n"
    "    .option norvc\n"
    "    .balign 8\n"
    "    .globl patch_target, patch_insn\n"
    "patch_target:\n"
    "patch_insn:\n"
    "    addi a0, zero, 5\n" /* = round_insn(0) */
    "    ret\n"
    "    .option pop\n");

static volatile uint32_t round_published;
static volatile uint32_t acked_round[SMP_MAX_HARTS];
static volatile uint64_t seen_in_handler[SMP_MAX_HARTS][ROUNDS + 1];
static volatile uint32_t handler_runs_per_round[SMP_MAX_HARTS][ROUNDS + 1];
static volatile uint64_t hart0_sees[ROUNDS + 1];
static volatile uint64_t original_value[SMP_MAX_HARTS];

/* Round r's instruction and the value it leaves in a0. */
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
  if (r <= ROUNDS) {
    seen_in_handler[hart][r] = patch_target();
    handler_runs_per_round[hart][r]++;
  }
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
}

static void run(unsigned hart, unsigned nharts) {
  original_value[hart] = patch_target(); /* the old code, now cached on every hart */
  smp_set_irq_handler(hart, on_ipi);
  if (hart != 0) smp_irq_enable(MIP_MSIP);
  smp_barrier();
  if (hart == 0) patch_rounds(nharts);
  else smp_sleep_until_ge32(&acked_round[hart], ROUNDS, "the last patch round");
}

static void check(unsigned nharts) {
  for (unsigned h = 0; h < nharts; h++) CHECK_EQ(original_value[h], round_value(0), "hart %u: original code", h);
  for (uint32_t r = 1; r <= ROUNDS; r++) CHECK_EQ(hart0_sees[r], round_value(r), "hart 0: own patch %u", r);
  for (unsigned h = 1; h < nharts; h++) {
    for (uint32_t r = 1; r <= ROUNDS; r++) {
      CHECK_EQ(seen_in_handler[h][r], round_value(r), "hart %u: patch %u after IPI + fence.i", h, r);
      CHECK_EQ(handler_runs_per_round[h][r], 1, "hart %u: IPIs handled in round %u", h, r);
    }
  }
}

SMP_TEST("code_patch", run, check);
