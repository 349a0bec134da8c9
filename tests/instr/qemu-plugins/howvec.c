/*
 * Reference for examples/instr/howvec.ts: executed instructions by class, as QEMU's
 * contrib/plugins/howvec.c counts them (a class per instruction, chosen at translation time from
 * its bytes, counted at execution) and prints them (`Class: NAME\t(N hits)`). QEMU's howvec has no
 * RISC-V table; this one classifies by the ISA's major opcode exactly as howvec.ts does, so the two
 * count the same thing with each emulator's own instruction handles.
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static const char *CLASSES[] = { "Load", "Store", "Branch", "Jump", "Integer (immediate)", "Integer (register)",
    "Upper immediate", "System/CSR", "Atomic", "Fence", "FP load/store", "FP arithmetic", "Compressed", "Unclassified" };
#define N_CLASSES (sizeof(CLASSES) / sizeof(CLASSES[0]))
static uint64_t hits[N_CLASSES];

static int class_of(const uint8_t *data, size_t size)
{
    if (size == 2) {
        return 12;
    }
    switch (data[0] & 0x7f) {
    case 0x03: return 0;
    case 0x23: return 1;
    case 0x63: return 2;
    case 0x6f: case 0x67: return 3;
    case 0x13: case 0x1b: return 4;
    case 0x33: case 0x3b: return 5;
    case 0x37: case 0x17: return 6;
    case 0x73: return 7;
    case 0x2f: return 8;
    case 0x0f: return 9;
    case 0x07: case 0x27: return 10;
    case 0x53: case 0x43: case 0x47: case 0x4b: case 0x4f: return 11;
    default: return 13;
    }
}

static void on_insn(unsigned int cpu, void *udata)
{
    (void)cpu;
    __atomic_fetch_add((uint64_t *)udata, 1, __ATOMIC_RELAXED);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        int k = class_of(qemu_plugin_insn_data(insn), qemu_plugin_insn_size(insn));
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS, &hits[k]);
    }
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    RefOut o = { 0 };
    ref_printf(&o, "Instruction Classes:\n");
    for (size_t k = 0; k < N_CLASSES; k++) {
        if (hits[k]) {
            ref_printf(&o, "Class: %-24s\t(%" PRIu64 " hits)\n", CLASSES[k], hits[k]);
        }
    }
    ref_flush(&o);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info; (void)argc; (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
