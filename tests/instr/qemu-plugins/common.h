/*
 * Shared by the reference plugins of the contrib-equivalent tools: QEMU 7.2's plugin API (the
 * bench's header, which restates it), `key=value` arguments and a growable output buffer.
 * Written for these tests (not copied from QEMU): each plugin computes what the matching tool in
 * examples/instr/contrib computes, with QEMU's block and instruction handles, and prints it in
 * the same format, so the tests compare like with like.
 */
#ifndef REF_COMMON_H
#define REF_COMMON_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "../../../bench/qemu-plugins/qemu-plugin-7.2.h"

#define MAX_CPUS 16

/*
 * Instruction handles QEMU 7.2 exports (nm -D qemu-system-riscv64) that the bench header does not
 * restate; declared here exactly as in v7.2's include/qemu/qemu-plugin.h.
 */
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);
void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *insn);
const char *qemu_plugin_hwaddr_device_name(const struct qemu_plugin_hwaddr *h);

/* value of `key=value` in argv, or NULL */
static inline const char *ref_arg(int argc, char **argv, const char *key)
{
    size_t n = strlen(key);
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=') {
            return argv[i] + n + 1;
        }
    }
    return NULL;
}

typedef struct { char *text; size_t len, cap; } RefOut;

static inline void ref_printf(RefOut *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (o->len + need + 1 > o->cap) {
        o->cap = (o->len + need + 1) * 2;
        o->text = realloc(o->text, o->cap);
    }
    va_start(ap, fmt);
    vsnprintf(o->text + o->len, need + 1, fmt, ap);
    va_end(ap);
    o->len += need;
}

static inline void ref_flush(RefOut *o)
{
    if (o->text) {
        qemu_plugin_outs(o->text);
    }
    free(o->text);
    o->text = NULL;
    o->len = o->cap = 0;
}

/* a small open-addressing map from a 64-bit key to a record of `size` bytes (zeroed when new) */
typedef struct { uint64_t *keys; char *vals; size_t size, slots, used; } RefMap;

static inline void *ref_map_get(RefMap *m, uint64_t key, int create)
{
    if (m->slots == 0 || (create && (m->used + 1) * 2 > m->slots)) {
        RefMap bigger = { 0, 0, m->size, m->slots ? m->slots * 2 : 1024, 0 };
        bigger.keys = calloc(bigger.slots, sizeof(uint64_t));
        bigger.vals = calloc(bigger.slots, m->size);
        for (size_t i = 0; i < m->slots; i++) {
            if (m->keys[i]) {
                memcpy(ref_map_get(&bigger, m->keys[i] - 1, 1), m->vals + i * m->size, m->size);
            }
        }
        free(m->keys);
        free(m->vals);
        *m = bigger;
    }
    size_t i = (size_t)((key >> 1) * 0x9e3779b97f4a7c15ull) & (m->slots - 1);
    for (;; i = (i + 1) & (m->slots - 1)) {
        if (m->keys[i] == key + 1) {
            return m->vals + i * m->size;
        }
        if (m->keys[i] == 0) {
            if (!create) {
                return NULL;
            }
            m->keys[i] = key + 1;
            m->used++;
            return m->vals + i * m->size;
        }
    }
}

/* every key of the map, in slot order */
static inline size_t ref_map_keys(RefMap *m, uint64_t **out)
{
    *out = malloc((m->used + 1) * sizeof(uint64_t));
    size_t n = 0;
    for (size_t i = 0; i < m->slots; i++) {
        if (m->keys[i]) {
            (*out)[n++] = m->keys[i] - 1;
        }
    }
    return n;
}
#endif
