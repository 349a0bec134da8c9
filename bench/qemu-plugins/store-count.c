/*
 * QEMU's counterpart of bench/libs/store-exec-count.mts: a memory callback
 * on every instruction that counts stores. QEMU 7.2 calls a callback
 * registered with QEMU_PLUGIN_MEM_W for loads too (the filter does not
 * filter), so the callback checks qemu_plugin_mem_is_store, as a plugin
 * counting stores must. Prints "store-count: <n> stores" at exit.
 */
#include <stdio.h>
#include "qemu-plugin-7.2.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t stores;

static void on_store(unsigned int vcpu_index, qemu_plugin_meminfo_t info, uint64_t vaddr, void *userdata)
{
    (void)vcpu_index; (void)vaddr; (void)userdata;
    if (qemu_plugin_mem_is_store(info))
        stores++;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i), on_store,
                                         QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_W, NULL);
    }
}

static void on_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id; (void)userdata;
    char line[64];
    snprintf(line, sizeof line, "store-count: %" PRIu64 " stores\n", stores);
    qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info; (void)argc; (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit, NULL);
    return 0;
}
