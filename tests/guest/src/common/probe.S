/* One-instruction memory probes used with trap_expect(). Each access is a
 * 4-byte (non-compressed) instruction so the handler's "skip the trapping
 * instruction" resumes right after it. */
    .text
    .option norvc
#define LOAD_PROBE(name, insn) \
    .globl name; name: insn a0, 0(a0); ret
#define STORE_PROBE(name, insn) \
    .globl name; name: insn a1, 0(a0); ret

LOAD_PROBE(probe_lb, lb)
LOAD_PROBE(probe_lh, lh)
LOAD_PROBE(probe_lw, lw)
LOAD_PROBE(probe_ld, ld)
LOAD_PROBE(probe_lbu, lbu)
LOAD_PROBE(probe_lhu, lhu)
LOAD_PROBE(probe_lwu, lwu)
STORE_PROBE(probe_sb, sb)
STORE_PROBE(probe_sh, sh)
STORE_PROBE(probe_sw, sw)
STORE_PROBE(probe_sd, sd)

    .globl probe_fetch
probe_fetch:
    addi    sp, sp, -16
    sd      ra, 8(sp)
    jalr    ra, 0(a0)
    ld      ra, 8(sp)
    addi    sp, sp, 16
    ret

#define AMO_PROBE(name, insn) \
    .globl name; name: insn a0, a1, (a0); ret
AMO_PROBE(probe_amoadd_w, amoadd.w)
AMO_PROBE(probe_amoadd_d, amoadd.d)
AMO_PROBE(probe_amoswap_w, amoswap.w)
AMO_PROBE(probe_amoswap_d, amoswap.d)

    .globl probe_lr_w
probe_lr_w: lr.w a0, (a0); ret
    .globl probe_lr_d
probe_lr_d: lr.d a0, (a0); ret
    .globl probe_sc_w
probe_sc_w: sc.w a0, a1, (a0); ret
    .globl probe_sc_d
probe_sc_d: sc.d a0, a1, (a0); ret
