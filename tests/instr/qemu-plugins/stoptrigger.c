/*
 * Reference for examples/instr/contrib/stoptrigger.ts: QEMU's contrib/plugins/stoptrigger.c on
 * QEMU 7.2's API (a callback per instruction instead of inline per-vCPU counts and a conditional
 * callback): icount=N[:STATUS] exits before a vCPU's instruction N+1, addr=A[:STATUS] before the
 * instruction at A, printing the same lines.
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_ADDRS 16
static uint64_t icount, counts[MAX_CPUS], addrs[MAX_ADDRS];
static int icount_status, addr_status[MAX_ADDRS], n_addrs;

static void stop(const char *msg, int status)
{
    qemu_plugin_outs(msg);
    exit(status);
}

static void on_insn(unsigned int cpu, void *udata)
{
    uint64_t pc = (uint64_t)(uintptr_t)udata;
    char msg[80];
    for (int i = 0; i < n_addrs; i++) {
        if (addrs[i] == pc) {
            snprintf(msg, sizeof msg, "0x%" PRIx64 " reached, exiting\n", pc);
            stop(msg, addr_status[i]);
        }
    }
    if (icount && __atomic_add_fetch(&counts[cpu % MAX_CPUS], 1, __ATOMIC_RELAXED) == icount + 1) {
        snprintf(msg, sizeof msg, "icount reached at 0x%" PRIx64 ", exiting\n", pc);
        stop(msg, icount_status);
    }
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)qemu_plugin_insn_vaddr(insn));
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        char *colon = strchr(argv[i], ':');
        int status = colon ? (int)strtol(colon + 1, NULL, 0) : 0;
        if (strncmp(argv[i], "icount=", 7) == 0) {
            icount = strtoull(argv[i] + 7, NULL, 0);
            icount_status = status;
        } else if (strncmp(argv[i], "addr=", 5) == 0 && n_addrs < MAX_ADDRS) {
            addrs[n_addrs] = strtoull(argv[i] + 5, NULL, 0);
            addr_status[n_addrs++] = status;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    return 0;
}
