/**
 * What both tiers of the virt device-tree tests share: the checks made on tsemu's tree (by the
 * test DTB reader in virt-fdt.spec.ts, by dtc in virt-fdt.oracle.spec.ts) and the recipe of the
 * comparison with QEMU 7.2: the command lines QEMU dumps its tree with (`-M virt,dumpdtb=F`), what
 * is stored of it (tests/transcripts/hw/virt-fdt/*.json: the whole decompiled tree, rng-seed
 * reduced to its cell count because QEMU draws it at random), and what may differ (hardware tsemu
 * does not emulate, the CPU model).
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ISA, DEFAULT_MMU_TYPE } from '../../src/machine/virt-fdt.js';
import { QEMU_BINARY } from '../support/run-guest.js';
import { findNode, type DtsJson, type DtsNode } from './dts-tree.js';
import { makeTempDir } from '../support/tools.js';

export const MiB = 1024 * 1024;

/** QEMU nodes for hardware we do not emulate. */
export const NOT_EMULATED = /^(pmu|platform-bus@.*)$/;

/** The QEMU runs behind the transcripts; `@KERNEL@` is a small file made for the run. */
export const QEMU_CASES = {
  smp1: { key: 'hw/virt-fdt/smp-1-m-128m', args: ['-smp', '1', '-m', '128M'] },
  smp4: { key: 'hw/virt-fdt/smp-4-m-128m', args: ['-smp', '4', '-m', '128M'] },
  chosen: {
    key: 'hw/virt-fdt/kernel-initrd-append',
    args: ['-smp', '2', '-m', '256M', '-kernel', '@KERNEL@', '-initrd', '@KERNEL@', '-append', 'console=ttyS0 rw'],
  },
} as const;

/** rng-seed is random on every run: only its size is kept (as the old comparison did). */
export function withoutRngSeed(node: DtsNode): DtsNode {
  return {
    name: node.name,
    props: new Map([...node.props].map(([k, v]) => [k, k === 'rng-seed' ? `<${v.split(' ').length} cells>` : v])),
    children: node.children.map(withoutRngSeed),
  };
}

/** Properties whose values legitimately differ: the CPU we implement. */
export function normalise(node: DtsNode): unknown {
  const props = [...node.props.entries()].map(([k, v]) => {
    if (k === 'riscv,isa' || k === 'mmu-type') return [k, '(cpu model)'];
    return [k, v];
  });
  return { name: node.name, props, children: node.children.map(normalise) };
}

/**
 * Oracle tier: run QEMU's virt machine only to dump its device tree; `decompile` turns the DTB
 * into a tree. `command` receives the command line (for the transcript).
 */
export function qemuDump<T>(args: readonly string[], decompile: (dtb: Uint8Array) => T, command?: (c: string[]) => void): T {
  const dir = makeTempDir('virt-fdt');
  try {
    const dtb = join(dir, 'q.dtb');
    const kernel = join(dir, 'k.bin');
    writeFileSync(kernel, 'not a kernel\n');
    const expanded = args.map((a) => a.replace('@KERNEL@', kernel));
    const full = ['-M', `virt,dumpdtb=${dtb}`, '-nographic', ...expanded];
    command?.([QEMU_BINARY, ...full]);
    execFileSync(QEMU_BINARY, full, { stdio: 'ignore', timeout: 30_000 });
    return decompile(new Uint8Array(readFileSync(dtb)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type QemuTree = DtsJson;

/** The key nodes of a 2-hart, 256 MiB, 8-virtio tree. */
export function checkKeyNodes(tree: DtsNode): void {
  expect(findNode(tree, '/cpus')?.props.get('timebase-frequency')).to.equal('<0x989680>');
  expect(findNode(tree, '/cpus/cpu@1')?.props.get('riscv,isa')).to.equal(`"${DEFAULT_ISA}"`);
  expect(findNode(tree, '/cpus/cpu@1')?.props.get('mmu-type')).to.equal(`"${DEFAULT_MMU_TYPE}"`);
  expect(findNode(tree, '/cpus/cpu@0/interrupt-controller')).to.not.equal(undefined);
  expect(findNode(tree, '/cpus/cpu-map/cluster0/core1')).to.not.equal(undefined);
  expect(findNode(tree, '/memory@80000000')?.props.get('reg')).to.equal('<0x00 0x80000000 0x00 0x10000000>');
  for (const path of [
    '/soc/clint@2000000',
    '/soc/plic@c000000',
    '/soc/serial@10000000',
    '/soc/virtio_mmio@10001000',
    '/soc/virtio_mmio@10008000',
    '/soc/test@100000',
    '/soc/rtc@101000',
    '/soc/pci@30000000',
    '/fw-cfg@10100000',
    '/flash@20000000',
    '/poweroff',
    '/reboot',
  ]) {
    expect(findNode(tree, path), path).to.not.equal(undefined);
  }
  expect(findNode(tree, '/chosen')?.props.get('stdout-path')).to.equal('"/soc/serial@10000000"');
  expect(findNode(tree, '/chosen')?.props.has('bootargs')).to.equal(false);
}

export const OVERRIDES = {
  numHarts: 1,
  ramBase: 0x80000000,
  ramSize: 64 * MiB,
  virtioCount: 2,
  isa: 'rv64imac',
  mmuType: 'riscv,sv48',
  rngSeed: false,
} as const;

/** A tree built with OVERRIDES. */
export function checkOverrides(tree: DtsNode): void {
  const soc = findNode(tree, '/soc');
  expect(soc?.children.filter((c) => c.name.startsWith('virtio_mmio')).map((c) => c.name)).to.deep.equal([
    'virtio_mmio@10002000',
    'virtio_mmio@10001000',
  ]);
  expect(findNode(tree, '/cpus/cpu@0')?.props.get('riscv,isa')).to.equal('"rv64imac"');
  expect(findNode(tree, '/cpus/cpu@0')?.props.get('mmu-type')).to.equal('"riscv,sv48"');
  expect(findNode(tree, '/chosen')?.props.has('rng-seed')).to.equal(false);
}

export const HIGH_RAM = {
  numHarts: 1,
  ramBase: 0x80000000,
  ramSize: 5 * 1024 * MiB,
  virtioCount: 8,
  initrd: { start: 0x88200000, end: 0x88200006 },
  bootargs: 'console=ttyS0',
} as const;

/** A tree built with HIGH_RAM. */
export function checkHighRamAndInitrd(tree: DtsNode): void {
  expect(findNode(tree, '/memory@80000000')?.props.get('reg')).to.equal('<0x00 0x80000000 0x01 0x40000000>');
  const chosen = findNode(tree, '/chosen');
  expect(chosen?.props.get('linux,initrd-start')).to.equal('<0x88200000>');
  expect(chosen?.props.get('linux,initrd-end')).to.equal('<0x88200006>');
  expect(chosen?.props.get('bootargs')).to.equal('"console=ttyS0"');
}
