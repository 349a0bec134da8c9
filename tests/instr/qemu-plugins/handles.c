/*
 * Reference for the block and instruction handles (qi_tb_current / qi_insn_* in
 * tests/instr/libs/handles-dump.ts): at translation time, what QEMU 7.2's qemu_plugin_tb_* and
 * qemu_plugin_insn_* give. At exit, sorted by address, one line per block start
 * (`tb 0xVADDR insns N size S`, size = the sum of its instructions' sizes: 7.2 has no tb size call)
 * and one per instruction met in any block (`insn 0xVADDR size S bytes HEX "DISAS" SYMBOL`: the raw
 * bytes in memory order, qemu_plugin_insn_disas's text, qemu_plugin_insn_symbol or `-`). A block
 * or instruction translated again gives the same line, so each is kept once.
 */
#include "common.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static RefMap blocks = { .size = sizeof(char *) };
static RefMap insns = { .size = sizeof(char *) };
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void keep(RefMap *m, uint64_t key, RefOut *line)
{
    char **slot = ref_map_get(m, key, 1);
    if (*slot == NULL) {
        *slot = line->text;
    } else {
        free(line->text);
    }
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb), size = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        size_t len = qemu_plugin_insn_size(insn);
        const uint8_t *data = qemu_plugin_insn_data(insn);
        const char *sym = qemu_plugin_insn_symbol(insn);
        char *disas = qemu_plugin_insn_disas(insn);
        RefOut line = { 0 };
        ref_printf(&line, "insn 0x%" PRIx64 " size %zu bytes ", qemu_plugin_insn_vaddr(insn), len);
        for (size_t b = 0; b < len; b++) {
            ref_printf(&line, "%02x", data[b]);
        }
        ref_printf(&line, " \"%s\" %s", disas, sym ? sym : "-");
        free(disas);
        keep(&insns, qemu_plugin_insn_vaddr(insn), &line);
        size += len;
    }
    RefOut line = { 0 };
    ref_printf(&line, "tb 0x%" PRIx64 " insns %zu size %zu", qemu_plugin_tb_vaddr(tb), n, size);
    keep(&blocks, qemu_plugin_tb_vaddr(tb), &line);
    pthread_mutex_unlock(&lock);
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void print_sorted(RefOut *o, RefMap *m)
{
    uint64_t *keys;
    size_t n = ref_map_keys(m, &keys);
    qsort(keys, n, sizeof(uint64_t), by_value);
    for (size_t i = 0; i < n; i++) {
        ref_printf(o, "%s\n", *(char **)ref_map_get(m, keys[i], 0));
    }
    free(keys);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    RefOut o = { 0 };
    print_sorted(&o, &blocks);
    print_sorted(&o, &insns);
    ref_flush(&o);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info; (void)argc; (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
