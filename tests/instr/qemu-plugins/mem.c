/* Reference for examples/instr/contrib/mem.ts: loads and stores per vCPU (a memory callback per access). */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
static uint64_t loads[MAX_CPUS], stores[MAX_CPUS];

static void on_mem(unsigned int cpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)vaddr; (void)udata;
    /* QEMU 7.2's QEMU_PLUGIN_MEM_W filter does not filter: ask each access what it is */
    __atomic_fetch_add(qemu_plugin_mem_is_store(info) ? &stores[cpu % MAX_CPUS] : &loads[cpu % MAX_CPUS], 1, __ATOMIC_RELAXED);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i), on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    RefOut o = { 0 };
    uint64_t l = 0, s = 0;
    for (int i = 0; i < MAX_CPUS; i++) {
        if (loads[i] + stores[i]) {
            ref_printf(&o, "cpu %d loads: %" PRIu64 " stores: %" PRIu64 "\n", i, loads[i], stores[i]);
        }
        l += loads[i];
        s += stores[i];
    }
    ref_printf(&o, "mem accesses: %" PRIu64 "\nloads: %" PRIu64 "\nstores: %" PRIu64 "\n", l + s, l, s);
    ref_flush(&o);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info; (void)argc; (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
