/*
 * Reference for examples/instr/contrib/cflow.ts: QEMU's contrib/plugins/cflow.c with what QEMU
 * 7.2's API allows (a callback at each block start instead of inline stores and a conditional
 * callback): a block that does not start right after the previous block of its vCPU makes the
 * previous block's last instruction a branch point with an edge to it. Same output as the tool.
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct { uint64_t pc, end, after; } Tb;
typedef struct { uint64_t to, n; } Dest;
typedef struct { uint64_t addr, total; size_t n; Dest d[64]; } Node;
static RefMap nodes = { .size = sizeof(Node) };
static uint64_t last_end[MAX_CPUS], last_after[MAX_CPUS];
static int have_last[MAX_CPUS], topn = 10;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void on_exec(unsigned int cpu, void *udata)
{
    Tb *tb = udata;
    cpu %= MAX_CPUS;
    pthread_mutex_lock(&lock);
    if (have_last[cpu] && last_after[cpu] != tb->pc) {
        Node *node = ref_map_get(&nodes, last_end[cpu], 1);
        node->addr = last_end[cpu];
        node->total++;
        size_t i = 0;
        while (i < node->n && node->d[i].to != tb->pc) {
            i++;
        }
        if (i == node->n && node->n < 64) {
            node->d[node->n++].to = tb->pc;
        }
        if (i < 64) {
            node->d[i].n++;
        }
    }
    have_last[cpu] = 1;
    last_end[cpu] = tb->end;
    last_after[cpu] = tb->after;
    pthread_mutex_unlock(&lock);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    struct qemu_plugin_insn *last = qemu_plugin_tb_get_insn(tb, n - 1);
    Tb *t = malloc(sizeof *t);
    t->pc = qemu_plugin_tb_vaddr(tb);
    t->end = qemu_plugin_insn_vaddr(last);
    t->after = t->end + qemu_plugin_insn_size(last);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, t);
}

static int hotter(const void *a, const void *b)
{
    const Node *x = *(Node * const *)a, *y = *(Node * const *)b;
    if (x->total != y->total) {
        return x->total > y->total ? -1 : 1;
    }
    return x->addr < y->addr ? -1 : 1;
}

static int by_dest(const void *a, const void *b)
{
    const Dest *x = a, *y = b;
    return x->to < y->to ? -1 : x->to > y->to;
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    uint64_t *keys;
    size_t count = ref_map_keys(&nodes, &keys);
    Node **list = malloc(sizeof(Node *) * (count + 1));
    for (size_t i = 0; i < count; i++) {
        list[i] = ref_map_get(&nodes, keys[i], 0);
    }
    qsort(list, count, sizeof *list, hotter);
    RefOut o = { 0 };
    ref_printf(&o, "collected %zu control flow nodes in the hash table\n", count);
    for (size_t i = 0; i < count && i < (size_t)topn; i++) {
        Node *node = list[i];
        ref_printf(&o, "  addr: 0x%" PRIx64 " (branch)\n    branches %" PRIu64 "\n", node->addr, node->total);
        qsort(node->d, node->n, sizeof(Dest), by_dest);
        for (size_t k = 0; k < node->n; k++) {
            ref_printf(&o, "      to 0x%" PRIx64 " (%" PRIu64 ")\n", node->d[k].to, node->d[k].n);
        }
    }
    ref_flush(&o);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *v = ref_arg(argc, argv, "topn");
    if (v) {
        topn = atoi(v);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
