/*
 * Reference for examples/instr/contrib/drcov.ts: QEMU's contrib/plugins/drcov.c output (drcov
 * version 2: text header, then one 8-byte record per translated block that executed, in
 * translation order) with the module line tsemu's tool writes for system mode (base 0, the whole
 * address space, path from `path=`).
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct { uint32_t start; uint16_t size; int exec; } Block;
static Block **blocks;
static size_t n, cap;
static const char *filename = "file.drcov.trace", *path = "tsemu";
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void on_exec(unsigned int cpu, void *udata)
{
    (void)cpu;
    ((Block *)udata)->exec = 1;
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    Block *b = calloc(1, sizeof *b);
    b->start = (uint32_t)qemu_plugin_tb_vaddr(tb);
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        b->size += qemu_plugin_insn_size(qemu_plugin_tb_get_insn(tb, i));
    }
    pthread_mutex_lock(&lock);
    if (n == cap) {
        cap = cap ? 2 * cap : 1024;
        blocks = realloc(blocks, cap * sizeof *blocks);
    }
    blocks[n++] = b;
    pthread_mutex_unlock(&lock);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, b);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    FILE *f = fopen(filename, "wb");
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        count += blocks[i]->exec;
    }
    fprintf(f, "DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\nModule Table: version 2, count 1\n"
               "Columns: id, base, end, entry, path\n0, 0x0, 0xffffffffffffffff, 0x0, %s\nBB Table: %zu bbs\n", path, count);
    for (size_t i = 0; i < n; i++) {
        if (blocks[i]->exec) {
            uint16_t mod = 0;
            fwrite(&blocks[i]->start, 4, 1, f);
            fwrite(&blocks[i]->size, 2, 1, f);
            fwrite(&mod, 2, 1, f);
        }
    }
    fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *v = ref_arg(argc, argv, "filename");
    if (v) {
        filename = v;
    }
    v = ref_arg(argc, argv, "path");
    if (v) {
        path = v;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
