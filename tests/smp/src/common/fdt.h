/* A tiny flattened-device-tree reader: just enough to find the harts. */
#ifndef SMP_FDT_H
#define SMP_FDT_H
#include <stdint.h>

/* Result codes of fdt_find_harts (negative = the DTB could not be used). */
#define FDT_ERR_MAGIC    (-1) /* no FDT header at the address */
#define FDT_ERR_VERSION  (-2) /* structure block version < 16 */
#define FDT_ERR_STRUCT   (-3) /* malformed structure block */
#define FDT_ERR_NO_CPUS  (-4) /* no /cpus node */

/* Walks the children of /cpus and collects the hart ids (the `reg` property)
 * of those with device_type = "cpu" whose status is absent or "okay", in the
 * order they appear. Stores at most `max` ids in `hartids` but returns the full
 * count (or an FDT_ERR_* code). */
int fdt_find_harts(const void *dtb, uint64_t *hartids, int max);

#endif
