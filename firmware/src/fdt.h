/*
 * Just enough of a flattened-device-tree reader and editor for the firmware: find the harts, RAM
 * and the hot-plug controller, and fix the tree up for the kernel the way OpenSBI does.
 */
#ifndef TSEMU_SBI_FDT_H
#define TSEMU_SBI_FDT_H

/* 1 if `fdt` points at a device tree blob (magic, version 17) we can read and edit. */
int fdt_valid(const void *fdt);
/* Fills fdt_hart_mask, have_hotplug, ram_base and ram_size (hart.h). */
void fdt_scan(const void *fdt);
/*
 * As OpenSBI's fdt_fixups(): a no-map /reserved-memory entry for the firmware's region, cpu nodes
 * the firmware cannot start (hart id too large, no MMU) marked disabled, and the PLIC's M-mode
 * contexts hidden from the kernel (interrupt number -1). Returns 0, or -1 if the tree had no room.
 */
int fdt_fixup(void *fdt);

#endif
