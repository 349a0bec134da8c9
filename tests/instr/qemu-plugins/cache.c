/*
 * Reference for examples/instr/contrib/cache.ts: the model of QEMU's contrib/plugins/cache.c
 * (per-vCPU L1D, L1I and optional L2, LRU or FIFO; same parameters and defaults), fed by a
 * callback per instruction (fetch, by the instruction's address: RAM is identity-mapped on these
 * bare-metal guests) and per data access (by physical address, devices left out), printing the
 * same table and lists (addresses only, ties by address).
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct { int sets, assoc, shift, fifo; int64_t *tags; uint64_t *meta, *gen; int *queue, *qlen; uint64_t accesses, misses; } Cache;
typedef struct { Cache d, i, l2; } Core;
typedef struct { uint64_t addr, m[3]; } Insn;

static Core cores[MAX_CPUS];
static int use_l2, fifo, limit = 32;
static int geo[3][3] = { { 64, 8, 16384 }, { 64, 8, 16384 }, { 64, 16, 2097152 } };
static RefMap insns = { .size = sizeof(Insn) };
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t current[MAX_CPUS];

static void cache_init(Cache *c, const int *g)
{
    c->assoc = g[1];
    c->sets = g[2] / (g[0] * g[1]);
    c->shift = __builtin_ctz(g[0]);
    c->fifo = fifo;
    c->tags = malloc(sizeof(int64_t) * c->sets * c->assoc);
    for (int k = 0; k < c->sets * c->assoc; k++) {
        c->tags[k] = -1;
    }
    c->meta = calloc(c->sets * c->assoc, sizeof(uint64_t));
    c->gen = calloc(c->sets, sizeof(uint64_t));
    c->queue = calloc(c->sets * c->assoc, sizeof(int));
    c->qlen = calloc(c->sets, sizeof(int));
}

static int cache_access(Cache *c, uint64_t addr)
{
    uint64_t block = addr >> c->shift;
    int set = block % c->sets;
    int64_t tag = block / c->sets;
    int base = set * c->assoc, victim = -1;
    c->accesses++;
    for (int w = 0; w < c->assoc; w++) {
        if (c->tags[base + w] == tag) {
            if (!c->fifo) {
                c->meta[base + w] = c->gen[set]++;
            }
            return 1;
        }
    }
    c->misses++;
    for (int w = 0; w < c->assoc && victim < 0; w++) {
        if (c->tags[base + w] == -1) {
            victim = w;
        }
    }
    if (victim < 0 && c->fifo) {
        victim = c->queue[base];
        memmove(&c->queue[base], &c->queue[base + 1], sizeof(int) * (c->qlen[set] - 1));
        c->qlen[set]--;
    } else if (victim < 0) {
        victim = 0;
        for (int w = 1; w < c->assoc; w++) {
            if (c->meta[base + w] < c->meta[base + victim]) {
                victim = w;
            }
        }
    }
    if (c->fifo) {
        c->queue[base + c->qlen[set]++] = victim;
    } else {
        c->meta[base + victim] = c->gen[set]++;
    }
    c->tags[base + victim] = tag;
    return 0;
}

static void miss(uint64_t addr, int kind)
{
    Insn *in = ref_map_get(&insns, addr, 1);
    in->addr = addr;
    in->m[kind]++;
}

static void on_insn(unsigned int cpu, void *udata)
{
    uint64_t pc = (uint64_t)(uintptr_t)udata;
    Core *c = &cores[cpu % MAX_CPUS];
    pthread_mutex_lock(&lock);
    current[cpu % MAX_CPUS] = pc;
    if (!cache_access(&c->i, pc)) {
        miss(pc, 1);
        if (use_l2 && !cache_access(&c->l2, pc)) {
            miss(pc, 2);
        }
    }
    pthread_mutex_unlock(&lock);
}

static void on_mem(unsigned int cpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)udata;
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    if (hw && qemu_plugin_hwaddr_is_io(hw)) {
        return;
    }
    uint64_t pa = hw ? qemu_plugin_hwaddr_phys_addr(hw) : vaddr;
    /* QEMU 7.2 gives the reset ROM's RAM-block offset (0x8001000 for 0x1000): map it back */
    if (pa >= 0x8000000 && pa < 0x8010000) {
        pa = vaddr;
    }
    Core *c = &cores[cpu % MAX_CPUS];
    pthread_mutex_lock(&lock);
    if (!cache_access(&c->d, pa)) {
        miss(current[cpu % MAX_CPUS], 0);
        if (use_l2 && !cache_access(&c->l2, pa)) {
            miss(current[cpu % MAX_CPUS], 2);
        }
    }
    pthread_mutex_unlock(&lock);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)qemu_plugin_insn_vaddr(insn));
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static void rate(RefOut *o, uint64_t a, uint64_t m, const char *fmt)
{
    ref_printf(o, fmt, a, m, a ? 100.0 * m / a : 0.0);
}

static void stats_line(RefOut *o, const char *label, Cache *d, Cache *i, Cache *l2)
{
    ref_printf(o, "%-8s", label);
    rate(o, d->accesses, d->misses, "%-14" PRIu64 " %-12" PRIu64 " %9.4f%%");
    rate(o, i->accesses, i->misses, "  %-14" PRIu64 " %-12" PRIu64 " %9.4f%%");
    if (l2 && l2->accesses && l2->misses) {
        rate(o, l2->accesses, l2->misses, "  %-12" PRIu64 " %-11" PRIu64 " %10.4f%%");
    }
    ref_printf(o, "\n");
}

static int sort_kind;
static int by_misses(const void *a, const void *b)
{
    const Insn *x = *(Insn * const *)a, *y = *(Insn * const *)b;
    if (x->m[sort_kind] != y->m[sort_kind]) {
        return x->m[sort_kind] > y->m[sort_kind] ? -1 : 1;
    }
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    RefOut o = { 0 };
    int n = 0;
    Cache sd = { 0 }, si = { 0 }, s2 = { 0 };
    ref_printf(&o, "core #, data accesses, data misses, dmiss rate, insn accesses, insn misses, imiss rate%s\n",
               use_l2 ? ", l2 accesses, l2 misses, l2 miss rate" : "");
    for (int k = 0; k < MAX_CPUS; k++) {
        Core *c = &cores[k];
        if (!c->i.accesses) {
            continue;
        }
        char label[8];
        snprintf(label, sizeof label, "%d", k);
        stats_line(&o, label, &c->d, &c->i, use_l2 ? &c->l2 : NULL);
        sd.accesses += c->d.accesses; sd.misses += c->d.misses;
        si.accesses += c->i.accesses; si.misses += c->i.misses;
        s2.accesses += c->l2.accesses; s2.misses += c->l2.misses;
        n++;
    }
    if (n > 1) {
        stats_line(&o, "sum", &sd, &si, use_l2 ? &s2 : NULL);
    }
    uint64_t *keys;
    size_t count = ref_map_keys(&insns, &keys);
    Insn **list = malloc(sizeof(Insn *) * (count + 1));
    for (size_t k = 0; k < count; k++) {
        list[k] = ref_map_get(&insns, keys[k], 0);
    }
    const char *titles[3] = { "data misses", "fetch misses", "L2 misses" };
    for (sort_kind = 0; sort_kind < (use_l2 ? 3 : 2); sort_kind++) {
        qsort(list, count, sizeof *list, by_misses);
        ref_printf(&o, "\naddress, %s, instruction\n", titles[sort_kind]);
        for (size_t k = 0; k < count && k < (size_t)limit && list[k]->m[sort_kind]; k++) {
            ref_printf(&o, "0x%" PRIx64 ", %" PRIu64 "\n", list[k]->addr, list[k]->m[sort_kind]);
        }
    }
    ref_flush(&o);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *names[3][3] = { { "dblksize", "dassoc", "dcachesize" }, { "iblksize", "iassoc", "icachesize" }, { "l2blksize", "l2assoc", "l2cachesize" } };
    for (int c = 0; c < 3; c++) {
        for (int k = 0; k < 3; k++) {
            const char *v = ref_arg(argc, argv, names[c][k]);
            if (v) {
                geo[c][k] = atoi(v);
                use_l2 |= c == 2;
            }
        }
    }
    const char *v = ref_arg(argc, argv, "l2");
    if (v) {
        use_l2 = strcmp(v, "on") == 0;
    }
    v = ref_arg(argc, argv, "evict");
    fifo = v && strcmp(v, "fifo") == 0;
    v = ref_arg(argc, argv, "limit");
    if (v) {
        limit = atoi(v);
    }
    for (int k = 0; k < MAX_CPUS; k++) {
        cache_init(&cores[k].d, geo[0]);
        cache_init(&cores[k].i, geo[1]);
        cache_init(&cores[k].l2, geo[2]);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
