/*
 * Reference for examples/instr/contrib/hotblocks.ts: QEMU's contrib/plugins/hotblocks.c columns
 * (translations, instructions, executions per block start address), most executed first, ties by
 * address, `limit` lines.
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct { uint64_t pc, trans, insns, exec; } Block;
static RefMap blocks = { .size = sizeof(Block) };
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int limit = 20;

static void on_exec(unsigned int cpu, void *udata)
{
    (void)cpu;
    uint64_t pc = (uint64_t)(uintptr_t)udata;
    pthread_mutex_lock(&lock);
    ((Block *)ref_map_get(&blocks, pc, 0))->exec++;
    pthread_mutex_unlock(&lock);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    uint64_t pc = qemu_plugin_tb_vaddr(tb);
    pthread_mutex_lock(&lock);
    Block *b = ref_map_get(&blocks, pc, 1);
    b->pc = pc;
    b->trans++;
    b->insns = qemu_plugin_tb_n_insns(tb);
    pthread_mutex_unlock(&lock);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)pc);
}

static int hotter(const void *a, const void *b)
{
    const Block *x = *(Block * const *)a, *y = *(Block * const *)b;
    if (x->exec != y->exec) {
        return x->exec > y->exec ? -1 : 1;
    }
    return x->pc < y->pc ? -1 : 1;
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    uint64_t *keys;
    size_t n = ref_map_keys(&blocks, &keys);
    Block **list = malloc(sizeof(Block *) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        list[i] = ref_map_get(&blocks, keys[i], 0);
    }
    qsort(list, n, sizeof *list, hotter);
    RefOut o = { 0 };
    ref_printf(&o, "collected %zu entries in the hash table\npc, tcount, icount, ecount\n", n);
    for (size_t i = 0; i < n && i < (size_t)limit; i++) {
        ref_printf(&o, "0x%016" PRIx64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "\n", list[i]->pc, list[i]->trans, list[i]->insns, list[i]->exec);
    }
    ref_flush(&o);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *v = ref_arg(argc, argv, "limit");
    if (v) {
        limit = atoi(v);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
