/*
 * Independent count for examples/instr/nth-insn.ts's conditional callback (qi_gen_exec_cond):
 * QEMU 7.2 has no conditional callbacks (they came with QEMU 9's inline scoreboards), so this counts
 * every executed instruction of each vCPU in an ordinary callback and, at the N-th (`n=N`), keeps
 * that instruction: `nth-insn: cpu C instruction N: 0xVADDR DISAS` (DISAS: `-d in_asm`'s text,
 * spaces collapsed), printed at exit. nth-insn.ts prints the same line (and registers after it).
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct { uint64_t vaddr; char text[96]; } Insn;
static uint64_t counts[MAX_CPUS];
static uint64_t nth;
static RefOut out;

static void on_insn(unsigned int cpu, void *udata)
{
    const Insn *insn = udata;
    if (++counts[cpu % MAX_CPUS] == nth) {
        ref_printf(&out, "nth-insn: cpu %u instruction %" PRIu64 ": 0x%" PRIx64 " %s\n", cpu, nth, insn->vaddr, insn->text);
    }
}

/* qemu_plugin_insn_disas without the raw bits' column, runs of spaces made one */
static void collapse(char *dst, size_t cap, const char *disas)
{
    const char *s = strlen(disas) > 18 ? disas + 18 : disas;
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        if (*s == ' ' && (n == 0 || dst[n - 1] == ' ')) {
            continue;
        }
        dst[n++] = *s;
    }
    while (n > 0 && dst[n - 1] == ' ') {
        n--;
    }
    dst[n] = 0;
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *qi = qemu_plugin_tb_get_insn(tb, i);
        Insn *insn = calloc(1, sizeof(Insn));
        char *disas = qemu_plugin_insn_disas(qi);
        insn->vaddr = qemu_plugin_insn_vaddr(qi);
        collapse(insn->text, sizeof(insn->text), disas);
        free(disas);
        qemu_plugin_register_vcpu_insn_exec_cb(qi, on_insn, QEMU_PLUGIN_CB_NO_REGS, insn);
    }
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    ref_flush(&out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *n = ref_arg(argc, argv, "n");
    if (n == NULL || (nth = strtoull(n, NULL, 0)) == 0) {
        fprintf(stderr, "nth: n=N required\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
