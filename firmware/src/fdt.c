#include "fdt.h"
#include "hart.h"
#include "lib.h"
#include "platform.h"
#include "riscv.h"
#include <stdint.h>

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u

/* Header fields (big-endian u32 at these offsets). */
#define H_MAGIC        0
#define H_TOTALSIZE    4
#define H_OFF_STRUCT   8
#define H_OFF_STRINGS  12
#define H_VERSION      20
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT  36

/* QEMU places the tree in a 1 MiB window (riscv_load_fdt); edits never grow it beyond that. */
#define FDT_WINDOW     0x100000u

unsigned long fdt_hart_mask;
int have_hotplug;
unsigned long ram_base, ram_size;

static uint32_t be32(const void *p) {
  const uint8_t *b = p;
  return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void put_be32(void *p, uint32_t v) {
  uint8_t *b = p;
  b[0] = (uint8_t)(v >> 24);
  b[1] = (uint8_t)(v >> 16);
  b[2] = (uint8_t)(v >> 8);
  b[3] = (uint8_t)v;
}

static uint32_t header(const void *fdt, int field) { return be32((const uint8_t *)fdt + field); }
static void set_header(void *fdt, int field, uint32_t v) { put_be32((uint8_t *)fdt + field, v); }
static const uint8_t *structure(const void *fdt) { return (const uint8_t *)fdt + header(fdt, H_OFF_STRUCT); }
static const char *strings(const void *fdt) { return (const char *)fdt + header(fdt, H_OFF_STRINGS); }
static uint32_t align4(uint32_t v) { return (v + 3) & ~3u; }

int fdt_valid(const void *fdt) {
  unsigned long at = (unsigned long)fdt;
  if (at < FW_BASE || (at & 3)) return 0;   /* in DRAM, where QEMU and tsemu put it */
  return header(fdt, H_MAGIC) == FDT_MAGIC && header(fdt, H_VERSION) >= 17 &&
         header(fdt, H_OFF_STRINGS) >= header(fdt, H_OFF_STRUCT) + header(fdt, H_SIZE_STRUCT) &&
         header(fdt, H_OFF_STRINGS) + header(fdt, H_SIZE_STRINGS) <= header(fdt, H_TOTALSIZE);
}

/* The offset (in the structure block) of the token after the one at `off`. */
static uint32_t next_token(const void *fdt, uint32_t off) {
  const uint8_t *s = structure(fdt);
  switch (be32(s + off)) {
  case FDT_BEGIN_NODE: return align4(off + 4 + (uint32_t)strlen((const char *)s + off + 4) + 1);
  case FDT_PROP: return align4(off + 12 + be32(s + off + 4));
  default: return off + 4;
  }
}

static uint32_t token(const void *fdt, uint32_t off) { return be32(structure(fdt) + off); }
static const char *node_name(const void *fdt, uint32_t node) { return (const char *)structure(fdt) + node + 4; }

/* The END_NODE token that closes the node starting at `node`. */
static uint32_t node_end(const void *fdt, uint32_t node) {
  int depth = 0;
  for (uint32_t off = node;; off = next_token(fdt, off)) {
    uint32_t t = token(fdt, off);
    if (t == FDT_BEGIN_NODE) depth++;
    else if (t == FDT_END_NODE && --depth == 0) return off;
    else if (t == FDT_END) return off;
  }
}

/* The first token after the node's properties: its first child, or its END_NODE. */
static uint32_t after_props(const void *fdt, uint32_t node) {
  uint32_t off = next_token(fdt, node);
  while (token(fdt, off) == FDT_PROP || token(fdt, off) == FDT_NOP) off = next_token(fdt, off);
  return off;
}

/* Offset of the PROP token named `name` in `node`, or 0. */
static uint32_t find_prop(const void *fdt, uint32_t node, const char *name) {
  for (uint32_t off = next_token(fdt, node);; off = next_token(fdt, off)) {
    uint32_t t = token(fdt, off);
    if (t == FDT_NOP) continue;
    if (t != FDT_PROP) return 0;
    if (strcmp(strings(fdt) + be32(structure(fdt) + off + 8), name) == 0) return off;
  }
}

static const void *getprop(const void *fdt, uint32_t node, const char *name, uint32_t *len) {
  uint32_t prop = find_prop(fdt, node, name);
  if (prop == 0) return 0;
  if (len) *len = be32(structure(fdt) + prop + 4);
  return structure(fdt) + prop + 12;
}

/* Children: first_child() then next_child() until it returns 0. */
static uint32_t child_from(const void *fdt, uint32_t off) {
  while (token(fdt, off) == FDT_NOP) off += 4;
  return token(fdt, off) == FDT_BEGIN_NODE ? off : 0;
}
static uint32_t first_child(const void *fdt, uint32_t node) { return child_from(fdt, after_props(fdt, node)); }
static uint32_t next_child(const void *fdt, uint32_t child) { return child_from(fdt, node_end(fdt, child) + 4); }

static uint32_t root(const void *fdt) { return child_from(fdt, 0); }

/* A child whose name is `name` or `name@unit`. */
static uint32_t find_child(const void *fdt, uint32_t node, const char *name) {
  size_t n = strlen(name);
  for (uint32_t c = first_child(fdt, node); c; c = next_child(fdt, c)) {
    const char *cn = node_name(fdt, c);
    if (strncmp(cn, name, n) == 0 && (cn[n] == 0 || cn[n] == '@')) return c;
  }
  return 0;
}

static int prop_is(const void *fdt, uint32_t node, const char *name, const char *value) {
  uint32_t len;
  const char *v = getprop(fdt, node, name, &len);
  return v && len == strlen(value) + 1 && memcmp(v, value, len) == 0;
}

/* `compatible` (a list of strings) contains `value`. */
static int compatible_with(const void *fdt, uint32_t node, const char *value) {
  uint32_t len;
  const char *v = getprop(fdt, node, "compatible", &len);
  for (uint32_t at = 0; v && at < len; at += (uint32_t)strlen(v + at) + 1)
    if (strcmp(v + at, value) == 0) return 1;
  return 0;
}

/* Calls `fn` for every node below `node` (depth first). */
static void for_each_node(const void *fdt, uint32_t node, void (*fn)(void *fdt, uint32_t node)) {
  fn((void *)fdt, node);
  for (uint32_t c = first_child(fdt, node); c; c = next_child(fdt, c)) for_each_node(fdt, c, fn);
}

static int node_enabled(const void *fdt, uint32_t node) {
  uint32_t len;
  const char *status = getprop(fdt, node, "status", &len);
  return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

static unsigned long read_cells(const uint8_t *p, int cells) {
  return cells == 2 ? ((unsigned long)be32(p) << 32) | be32(p + 4) : be32(p);
}

/* ---- scanning ---- */

static void scan_node(void *fdt, uint32_t node) {
  if (compatible_with(fdt, node, "tsemu,cpu-hotplug") && node_enabled(fdt, node)) have_hotplug = 1;
  uint32_t len;
  const uint8_t *reg = getprop(fdt, node, "reg", &len);
  if (ram_size == 0 && prop_is(fdt, node, "device_type", "memory") && reg && len >= 16) {
    ram_base = read_cells(reg, 2);
    ram_size = read_cells(reg + 8, 2);
  }
}

/* A cpu node the firmware can start: hart id below MAX_HARTS, an MMU (OpenSBI's fdt_cpu_fixup rule). */
static int cpu_hart(const void *fdt, uint32_t cpu, unsigned long *hartid) {
  uint32_t len;
  if (!prop_is(fdt, cpu, "device_type", "cpu")) return -1;
  const uint8_t *reg = getprop(fdt, cpu, "reg", &len);
  if (!reg || len < 4) return -1;
  *hartid = len >= 8 ? read_cells(reg, 2) : be32(reg);
  return 0;
}

static int cpu_usable(const void *fdt, uint32_t cpu, unsigned long hartid) {
  uint32_t len;
  const void *mmu = getprop(fdt, cpu, "mmu-type", &len);
  return hartid < MAX_HARTS && mmu && len > 0;
}

void fdt_scan(const void *fdt) {
  fdt_hart_mask = 0;
  have_hotplug = 0;
  ram_base = ram_size = 0;
  for_each_node(fdt, root(fdt), scan_node);
  uint32_t cpus = find_child(fdt, root(fdt), "cpus");
  for (uint32_t c = cpus ? first_child(fdt, cpus) : 0; c; c = next_child(fdt, c)) {
    unsigned long hartid;
    if (cpu_hart(fdt, c, &hartid) == 0 && node_enabled(fdt, c) && cpu_usable(fdt, c, hartid)) fdt_hart_mask |= 1UL << hartid;
  }
}

/* ---- editing ---- */

/*
 * Replaces `old_len` bytes at structure offset `off` with room for `new_len`, moving the rest of
 * the structure block and the strings block (the blocks must be in that order, as dtc and QEMU
 * write them). Returns 0, or -1 if the tree would outgrow its window.
 */
static int splice(void *fdt, uint32_t off, uint32_t old_len, uint32_t new_len) {
  uint32_t total = header(fdt, H_TOTALSIZE);
  if (total - old_len + new_len > FDT_WINDOW) return -1;
  uint8_t *at = (uint8_t *)fdt + header(fdt, H_OFF_STRUCT) + off;
  uint32_t tail = total - (uint32_t)(at + old_len - (uint8_t *)fdt);
  memmove(at + new_len, at + old_len, tail);
  int32_t delta = (int32_t)new_len - (int32_t)old_len;
  set_header(fdt, H_SIZE_STRUCT, header(fdt, H_SIZE_STRUCT) + (uint32_t)delta);
  set_header(fdt, H_OFF_STRINGS, header(fdt, H_OFF_STRINGS) + (uint32_t)delta);
  set_header(fdt, H_TOTALSIZE, total + (uint32_t)delta);
  return 0;
}

/* The offset of `name` in the strings block, appending it if needed; -1 if there is no room. */
static int64_t string_offset(void *fdt, const char *name) {
  const char *s = strings(fdt);
  uint32_t size = header(fdt, H_SIZE_STRINGS);
  for (uint32_t at = 0; at < size; at += (uint32_t)strlen(s + at) + 1)
    if (strcmp(s + at, name) == 0) return at;
  uint32_t total = header(fdt, H_TOTALSIZE);
  uint32_t n = (uint32_t)strlen(name) + 1;
  if (header(fdt, H_OFF_STRINGS) + size != total || total + n > FDT_WINDOW) return -1;
  memcpy((char *)fdt + total, name, n);
  set_header(fdt, H_SIZE_STRINGS, size + n);
  set_header(fdt, H_TOTALSIZE, total + n);
  return size;
}

/* Building new structure bytes. */
struct builder {
  void *fdt;
  uint8_t buf[256];
  uint32_t len;
  int failed;
};

static void emit32(struct builder *b, uint32_t v) {
  if (b->len + 4 > sizeof b->buf) { b->failed = 1; return; }
  put_be32(b->buf + b->len, v);
  b->len += 4;
}

static void emit_bytes(struct builder *b, const void *data, uint32_t n) {
  uint32_t padded = align4(n);
  if (b->len + padded > sizeof b->buf) { b->failed = 1; return; }
  memset(b->buf + b->len, 0, padded);
  memcpy(b->buf + b->len, data, n);
  b->len += padded;
}

static void begin_node(struct builder *b, const char *name) {
  emit32(b, FDT_BEGIN_NODE);
  emit_bytes(b, name, (uint32_t)strlen(name) + 1);
}

static void end_node(struct builder *b) { emit32(b, FDT_END_NODE); }

static void prop(struct builder *b, const char *name, const void *value, uint32_t len) {
  int64_t nameoff = string_offset(b->fdt, name);
  if (nameoff < 0) { b->failed = 1; return; }
  emit32(b, FDT_PROP);
  emit32(b, len);
  emit32(b, (uint32_t)nameoff);
  emit_bytes(b, value, len);
}

static void prop_u32(struct builder *b, const char *name, uint32_t v) {
  uint8_t cell[4];
  put_be32(cell, v);
  prop(b, name, cell, 4);
}

static int insert(void *fdt, uint32_t off, const struct builder *b) {
  if (b->failed || splice(fdt, off, 0, b->len) < 0) return -1;
  memcpy((uint8_t *)fdt + header(fdt, H_OFF_STRUCT) + off, b->buf, b->len);
  return 0;
}

/* reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; mmode_resv0@80000000 {...} } */
static void firmware_region_node(struct builder *b) {
  uint8_t reg[16];
  put_be32(reg, (uint32_t)(FW_BASE >> 32));
  put_be32(reg + 4, (uint32_t)FW_BASE);
  put_be32(reg + 8, (uint32_t)(FW_REGION_SIZE >> 32));
  put_be32(reg + 12, (uint32_t)FW_REGION_SIZE);
  begin_node(b, "mmode_resv0@80000000");
  prop(b, "reg", reg, sizeof reg);
  prop(b, "no-map", 0, 0);
  end_node(b);
}

static int reserve_firmware(void *fdt) {
  struct builder b = { .fdt = fdt };
  uint32_t resv = find_child(fdt, root(fdt), "reserved-memory");
  if (resv) {
    /* our node assumes 2 address and 2 size cells, as in QEMU's tree */
    if (find_child(fdt, resv, "mmode_resv0")) return 0;
    firmware_region_node(&b);
    return insert(fdt, node_end(fdt, resv), &b);
  }
  begin_node(&b, "reserved-memory");
  prop_u32(&b, "#address-cells", 2);
  prop_u32(&b, "#size-cells", 2);
  prop(&b, "ranges", 0, 0);
  firmware_region_node(&b);
  end_node(&b);
  return insert(fdt, node_end(fdt, root(fdt)), &b);
}

/* Sets a string property (replacing its value, or adding it as the node's first property). */
static int set_string_prop(void *fdt, uint32_t node, const char *name, const char *value) {
  uint32_t len = (uint32_t)strlen(value) + 1;
  uint32_t off = find_prop(fdt, node, name);
  if (off == 0) {
    struct builder b = { .fdt = fdt };
    prop(&b, name, value, len);
    return insert(fdt, next_token(fdt, node), &b);
  }
  uint32_t old = align4(be32(structure(fdt) + off + 4));
  if (splice(fdt, off + 12, old, align4(len)) < 0) return -1;
  uint8_t *p = (uint8_t *)structure(fdt) + off;
  put_be32(p + 4, len);
  memset(p + 12, 0, align4(len));
  memcpy(p + 12, value, len);
  return 0;
}

static int disable_unusable_cpus(void *fdt) {
  uint32_t cpus = find_child(fdt, root(fdt), "cpus");
  for (uint32_t c = cpus ? first_child(fdt, cpus) : 0; c; c = next_child(fdt, c)) {
    unsigned long hartid;
    if (cpu_hart(fdt, c, &hartid) < 0 || !node_enabled(fdt, c) || cpu_usable(fdt, c, hartid)) continue;
    if (set_string_prop(fdt, c, "status", "disabled") < 0) return -1;
  }
  return 0;
}

/* OpenSBI's fdt_plic_fixup: M-mode external interrupt contexts get interrupt number -1. */
static void hide_plic_mmode_contexts(void *fdt, uint32_t node) {
  if (!compatible_with(fdt, node, "sifive,plic-1.0.0") && !compatible_with(fdt, node, "riscv,plic0")) return;
  uint32_t len;
  uint8_t *cells = (uint8_t *)getprop(fdt, node, "interrupts-extended", &len);
  for (uint32_t at = 0; cells && at + 8 <= len; at += 8)
    if (be32(cells + at + 4) == IRQ_M_EXT) put_be32(cells + at + 4, 0xffffffffu);
}

int fdt_fixup(void *fdt) {
  if (reserve_firmware(fdt) < 0 || disable_unusable_cpus(fdt) < 0) return -1;
  for_each_node(fdt, root(fdt), hide_plic_mmode_contexts);
  return 0;
}
