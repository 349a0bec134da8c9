/* Flattened device tree walker (devicetree specification v0.4, chapter 5):
 * a header, then a structure block of big-endian 32-bit tokens
 *   BEGIN_NODE name\0 (padded to 4) | END_NODE | PROP len nameoff value (padded)
 *   | NOP | END
 * and a strings block that PROP names index into. Only the structure needed to
 * find /cpus/<cpu> nodes is interpreted; everything else is skipped. */
#include "fdt.h"

#define FDT_MAGIC      0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

/* Header fields (offsets in 32-bit words). */
#define HDR_MAGIC          0
#define HDR_TOTALSIZE      1
#define HDR_OFF_DT_STRUCT  2
#define HDR_OFF_DT_STRINGS 3
#define HDR_VERSION        5
#define HDR_SIZE_DT_STRUCT 9

/* Node depths: the root node is depth 1, /cpus depth 2, /cpus/cpu@N depth 3. */
#define DEPTH_ROOT 1
#define DEPTH_CPUS 2
#define DEPTH_CPU  3

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int str_eq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static uint32_t align4(uint32_t n) { return (n + 3) & ~3U; }

static uint32_t str_len(const char *s) {
  uint32_t n = 0;
  while (s[n]) n++;
  return n;
}

/* What we learn about one child of /cpus while walking its properties. */
struct cpu_node {
  int is_cpu;
  int disabled;
  int has_reg;
  uint64_t reg;
};

static void cpu_node_prop(struct cpu_node *n, const char *name, const uint8_t *val, uint32_t len) {
  if (str_eq(name, "device_type")) {
    n->is_cpu = len >= 4 && str_eq((const char *)val, "cpu");
  } else if (str_eq(name, "status")) {
    n->disabled = !(len >= 5 && str_eq((const char *)val, "okay"));
  } else if (str_eq(name, "reg")) {
    /* /cpus has #address-cells = 1 on virt; accept 2 cells too */
    n->has_reg = len == 4 || len == 8;
    n->reg = len == 8 ? ((uint64_t)be32(val) << 32) | be32(val + 4) : (len == 4 ? be32(val) : 0);
  }
}

int fdt_find_harts(const void *dtb, uint64_t *hartids, int max) {
  const uint8_t *base = dtb;
  if (!base || be32(base + 4 * HDR_MAGIC) != FDT_MAGIC) return FDT_ERR_MAGIC;
  if (be32(base + 4 * HDR_VERSION) < 16) return FDT_ERR_VERSION;
  uint32_t total = be32(base + 4 * HDR_TOTALSIZE);
  uint32_t off = be32(base + 4 * HDR_OFF_DT_STRUCT);
  uint32_t end = off + be32(base + 4 * HDR_SIZE_DT_STRUCT);
  const char *strings = (const char *)base + be32(base + 4 * HDR_OFF_DT_STRINGS);
  if (end > total) return FDT_ERR_STRUCT;

  int depth = 0, in_cpus = 0, found_cpus = 0, count = 0;
  struct cpu_node node = {0, 0, 0, 0};
  while (off + 4 <= end) {
    uint32_t token = be32(base + off);
    off += 4;
    if (token == FDT_BEGIN_NODE) {
      const char *name = (const char *)base + off;
      off += align4(str_len(name) + 1);
      depth++;
      if (depth == DEPTH_CPUS && str_eq(name, "cpus")) in_cpus = 1, found_cpus = 1;
      if (depth == DEPTH_CPU && in_cpus) node = (struct cpu_node){0, 0, 0, 0};
    } else if (token == FDT_END_NODE) {
      if (depth == DEPTH_CPU && in_cpus && node.is_cpu && !node.disabled && node.has_reg) {
        if (count < max) hartids[count] = node.reg;
        count++;
      }
      if (depth == DEPTH_CPUS) in_cpus = 0;
      if (depth-- < DEPTH_ROOT) return FDT_ERR_STRUCT;
    } else if (token == FDT_PROP) {
      if (off + 8 > end) return FDT_ERR_STRUCT;
      uint32_t len = be32(base + off), nameoff = be32(base + off + 4);
      const uint8_t *val = base + off + 8;
      off += 8 + align4(len);
      if (depth == DEPTH_CPU && in_cpus) cpu_node_prop(&node, strings + nameoff, val, len);
    } else if (token == FDT_END) {
      break;
    } else if (token != FDT_NOP) {
      return FDT_ERR_STRUCT;
    }
  }
  return found_cpus ? count : FDT_ERR_NO_CPUS;
}
