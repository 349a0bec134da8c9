/*
 * Reference for examples/instr/contrib/bbv.ts: QEMU 9's contrib/plugins/bbv.c semantics on QEMU
 * 7.2's API (a block callback instead of inline per-vCPU adds and a conditional callback): each
 * executed block adds its instruction count to its counter and the vCPU's total; at a total of
 * `interval` or more a `T:index:count ...` line (blocks by index) goes to OUTFILE.<vcpu>.bb.
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct { uint64_t pc, insns, index, count[MAX_CPUS]; } Bb;
static RefMap bbs = { .size = sizeof(Bb *) };
static Bb **by_index;
static size_t n_bbs, cap_bbs;
static uint64_t interval = 100000000, total[MAX_CPUS];
static const char *outfile;
static FILE *files[MAX_CPUS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void on_exec(unsigned int cpu, void *udata)
{
    Bb *bb = udata;
    cpu %= MAX_CPUS;
    pthread_mutex_lock(&lock);
    bb->count[cpu] += bb->insns;
    total[cpu] += bb->insns;
    if (total[cpu] >= interval) {
        total[cpu] -= interval;
        if (!files[cpu]) {
            char name[4096];
            snprintf(name, sizeof name, "%s.%u.bb", outfile, cpu);
            files[cpu] = fopen(name, "w");
        }
        fputc('T', files[cpu]);
        for (size_t i = 0; i < n_bbs; i++) {
            if (by_index[i]->count[cpu]) {
                fprintf(files[cpu], ":%" PRIu64 ":%" PRIu64 " ", by_index[i]->index, by_index[i]->count[cpu]);
                by_index[i]->count[cpu] = 0;
            }
        }
        fputc('\n', files[cpu]);
    }
    pthread_mutex_unlock(&lock);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    uint64_t pc = qemu_plugin_tb_vaddr(tb);
    pthread_mutex_lock(&lock);
    Bb **slot = ref_map_get(&bbs, pc, 1);
    if (!*slot) {
        *slot = calloc(1, sizeof(Bb));
        (*slot)->pc = pc;
        (*slot)->index = n_bbs;
        if (n_bbs == cap_bbs) {
            cap_bbs = cap_bbs ? 2 * cap_bbs : 1024;
            by_index = realloc(by_index, cap_bbs * sizeof(Bb *));
        }
        by_index[n_bbs++] = *slot;
    }
    Bb *bb = *slot;
    bb->insns = qemu_plugin_tb_n_insns(tb);
    pthread_mutex_unlock(&lock);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, bb);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    for (int i = 0; i < MAX_CPUS; i++) {
        if (files[i]) {
            fclose(files[i]);
        }
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *v = ref_arg(argc, argv, "interval");
    if (v) {
        interval = strtoull(v, NULL, 10);
    }
    outfile = ref_arg(argc, argv, "outfile");
    if (!outfile) {
        fputs("outfile unspecified\n", stderr);
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
