/*
 * QEMU's counterpart of bench/libs/insn-exec-count.mts: a callback on every
 * instruction (qemu_plugin_register_vcpu_insn_exec_cb), which only counts.
 * Prints "insn-exec-count: <n> instructions" at exit.
 */
#include <stdio.h>
#include "qemu-plugin-7.2.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t insns;

static void on_insn(unsigned int vcpu_index, void *userdata)
{
    (void)vcpu_index; (void)userdata;
    insns++;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, i), on_insn, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
}

static void on_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id; (void)userdata;
    char line[80];
    snprintf(line, sizeof line, "insn-exec-count: %" PRIu64 " instructions\n", insns);
    qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info; (void)argc; (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit, NULL);
    return 0;
}
