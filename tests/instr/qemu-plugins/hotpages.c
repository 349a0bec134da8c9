/* Reference for examples/instr/contrib/hotpages.ts: reads and writes per physical page (I/O pages by virtual address). */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct { uint64_t reads, writes; int rcpus, wcpus; } Page;
static RefMap pages = { .size = sizeof(Page) };
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t page_mask = ~(uint64_t)4095;
static int limit = 50;

static void on_mem(unsigned int cpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)udata;
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    uint64_t addr = hw && !qemu_plugin_hwaddr_is_io(hw) ? qemu_plugin_hwaddr_phys_addr(hw) : vaddr;
    pthread_mutex_lock(&lock);
    Page *p = ref_map_get(&pages, addr & page_mask, 1);
    if (qemu_plugin_mem_is_store(info)) {
        p->writes++;
        p->wcpus |= 1 << cpu;
    } else {
        p->reads++;
        p->rcpus |= 1 << cpu;
    }
    pthread_mutex_unlock(&lock);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i), on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static int hotter(const void *a, const void *b)
{
    uint64_t ka = *(const uint64_t *)a, kb = *(const uint64_t *)b;
    Page *pa = ref_map_get(&pages, ka, 0), *pb = ref_map_get(&pages, kb, 0);
    uint64_t na = pa->reads + pa->writes, nb = pb->reads + pb->writes;
    if (na != nb) {
        return na > nb ? -1 : 1;
    }
    return ka < kb ? -1 : ka > kb;
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    uint64_t *keys;
    size_t n = ref_map_keys(&pages, &keys);
    qsort(keys, n, sizeof *keys, hotter);
    RefOut o = { 0 };
    ref_printf(&o, "Addr, RCPUs, Reads, WCPUs, Writes\n");
    for (size_t i = 0; i < n && i < (size_t)limit; i++) {
        Page *pg = ref_map_get(&pages, keys[i], 0);
        ref_printf(&o, "0x%016" PRIx64 ", 0x%04x, %" PRIu64 ", 0x%04x, %" PRIu64 "\n", keys[i], pg->rcpus, pg->reads, pg->wcpus, pg->writes);
    }
    ref_flush(&o);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *l = ref_arg(argc, argv, "limit");
    if (l) {
        limit = atoi(l);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
