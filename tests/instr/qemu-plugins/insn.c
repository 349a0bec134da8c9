/* Reference for examples/instr/contrib/insn.ts: instructions executed per vCPU (a callback per instruction). */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
static uint64_t counts[MAX_CPUS];

static void on_insn(unsigned int cpu, void *udata)
{
    (void)udata;
    __atomic_fetch_add(&counts[cpu % MAX_CPUS], 1, __ATOMIC_RELAXED);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, i), on_insn, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    RefOut o = { 0 };
    uint64_t total = 0;
    for (int i = 0; i < MAX_CPUS; i++) {
        if (counts[i]) {
            ref_printf(&o, "cpu %d insns: %" PRIu64 "\n", i, counts[i]);
        }
        total += counts[i];
    }
    ref_printf(&o, "total insns: %" PRIu64 "\n", total);
    ref_flush(&o);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info; (void)argc; (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
