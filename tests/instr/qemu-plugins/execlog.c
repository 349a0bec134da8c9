/*
 * Reference for examples/instr/execlog.ts: QEMU 7.2's contrib/plugins/execlog.c behaviour (not its
 * code), which Debian does not ship: each executed instruction as
 * `cpu, 0xvaddr, 0xopcode, "disassembly"` followed by its memory accesses
 * (`, load|store, 0xphysaddr, DEVICE` where DEVICE is "RAM" or the memory region's name), printed
 * when the vCPU's next instruction starts (the accesses come after the instruction's callback),
 * the last one at exit. The opcode is the instruction's first (up to) four bytes, little-endian.
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static RefOut last[MAX_CPUS];

static void on_mem(unsigned int cpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)udata;
    RefOut *s = &last[cpu % MAX_CPUS];
    ref_printf(s, ", %s", qemu_plugin_mem_is_store(info) ? "store" : "load");
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    if (hw) {
        ref_printf(s, ", 0x%08" PRIx64 ", %s", qemu_plugin_hwaddr_phys_addr(hw), qemu_plugin_hwaddr_device_name(hw));
    } else {
        ref_printf(s, ", 0x%08" PRIx64, vaddr);
    }
}

static void on_insn(unsigned int cpu, void *udata)
{
    RefOut *s = &last[cpu % MAX_CPUS];
    if (s->len) {
        qemu_plugin_outs(s->text);
        qemu_plugin_outs("\n");
    }
    s->len = 0;
    ref_printf(s, "%u, %s", cpu, (const char *)udata);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint32_t opcode = 0;
        size_t size = qemu_plugin_insn_size(insn);
        memcpy(&opcode, qemu_plugin_insn_data(insn), size < 4 ? size : 4);
        char *disas = qemu_plugin_insn_disas(insn);
        RefOut line = { 0 };
        ref_printf(&line, "0x%" PRIx64 ", 0x%" PRIx32 ", \"%s\"", qemu_plugin_insn_vaddr(insn), opcode, disas);
        free(disas);
        /* line.text lives as long as the translation may run (never freed, as in execlog.c) */
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS, line.text);
    }
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    for (int i = 0; i < MAX_CPUS; i++) {
        if (last[i].len) {
            qemu_plugin_outs(last[i].text);
            qemu_plugin_outs("\n");
        }
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info; (void)argc; (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
