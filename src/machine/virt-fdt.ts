/**
 * The device tree of the `virt` machine, laid out like QEMU 7.2's
 * hw/riscv/virt.c (create_fdt and friends) for the devices we emulate.
 *
 * Nodes and properties are inserted in the order QEMU's DTB shows them
 * (libfdt prepends, so QEMU's blob lists things in reverse creation order);
 * phandles are allocated in QEMU's order too (cpus from the highest hart
 * down, each cpu then its interrupt controller, then the PLIC, then the test
 * device), so `dtc -O dts` of our blob reads like QEMU's.
 *
 * Left out because we do not emulate them: pmu, platform-bus. The ISA string and MMU type describe what our vCPU implements, not
 * QEMU's default CPU (which has H, Zb*, Sv48...).
 */
import { randomBytes } from 'node:crypto';
import { FdtBuilder, FdtNode } from '../hw/fdt.js';
import { pcieMmioHigh, PLIC_NUM_SOURCES, TIMEBASE_FREQ, VIRT, VIRT_IRQ } from './virt-map.js';
import { DEFAULT_EXTENSIONS, isaString } from '../target/riscv/isa.js';

export interface VirtFdtConfig {
  numHarts: number;
  /** Upper bound the machine was configured for (validation only; QEMU lists present harts). */
  maxHarts?: number;
  ramBase: number;
  ramSize: number;
  bootargs?: string;
  initrd?: { start: number; end: number };
  /** Number of virtio-mmio transports to describe (QEMU always has 8). */
  virtioCount: number;
  /** riscv,isa of every cpu node. */
  isa?: string;
  /** mmu-type of every cpu node. */
  mmuType?: string;
  /** /chosen/rng-seed: random 32 bytes like QEMU by default; false leaves it out. */
  rngSeed?: Uint8Array | false;
}

/** QEMU 7.2's rv64 without H: `rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc`. */
export const DEFAULT_ISA = isaString(DEFAULT_EXTENSIONS);
export const DEFAULT_MMU_TYPE = 'riscv,sv48'; // QEMU 7.2 writes sv48 whatever its rv64 CPU takes; tsemu's takes Sv39 and Sv48
/** ns16550a input clock advertised by QEMU (3.6864 MHz). */
const UART_CLOCK_FREQ = 0x384000;
const MAX_HARTS = 16;
/** Interrupt numbers in interrupts-extended pairs (mip bit numbers). */
const IRQ_M_SOFT = 3;
const IRQ_M_TIMER = 7;
const IRQ_S_EXT = 9;
const IRQ_M_EXT = 11;
const FINISHER_PASS = 0x5555;
const FINISHER_RESET = 0x7777;

interface Phandles {
  cpu: number[];
  intc: number[];
  plic: number;
  test: number;
}

export function buildVirtFdt(cfg: VirtFdtConfig): Uint8Array {
  validate(cfg);
  const fdt = new FdtBuilder();
  const phandles = allocatePhandles(fdt, cfg.numHarts);
  const root = fdt.root;
  root.setU32('#address-cells', 2);
  root.setU32('#size-cells', 2);
  root.setString('compatible', 'riscv-virtio');
  root.setString('model', 'riscv-virtio,qemu');

  addFwCfg(root);
  addFlash(root);
  addChosen(root, cfg);
  addSysconNode(root, 'poweroff', 'syscon-poweroff', FINISHER_PASS, phandles.test);
  addSysconNode(root, 'reboot', 'syscon-reboot', FINISHER_RESET, phandles.test);
  addMemory(root, cfg);
  addCpus(root, cfg, phandles);
  addSoc(root, cfg, phandles);
  return fdt.build();
}

function validate(cfg: VirtFdtConfig): void {
  const max = cfg.maxHarts ?? cfg.numHarts;
  if (!Number.isInteger(cfg.numHarts) || cfg.numHarts < 1 || cfg.numHarts > max || max > MAX_HARTS) {
    throw new RangeError(`virt-fdt: numHarts ${cfg.numHarts} must be in 1..${Math.min(max, MAX_HARTS)}`);
  }
  if (cfg.virtioCount < 0 || cfg.virtioCount > VIRT.virtio.count) {
    throw new RangeError(`virt-fdt: virtioCount ${cfg.virtioCount} must be in 0..${VIRT.virtio.count}`);
  }
}

function allocatePhandles(fdt: FdtBuilder, numHarts: number): Phandles {
  const cpu: number[] = new Array<number>(numHarts);
  const intc: number[] = new Array<number>(numHarts);
  for (let hart = numHarts - 1; hart >= 0; hart--) {
    cpu[hart] = fdt.allocPhandle();
    intc[hart] = fdt.allocPhandle();
  }
  const plic = fdt.allocPhandle();
  const test = fdt.allocPhandle();
  return { cpu, intc, plic, test };
}

/** A 32-bit cell when the value fits (QEMU 7.2 writes initrd bounds as cells), else a u64. */
function setAddress(node: FdtNode, name: string, value: number): void {
  if (value <= 0xffffffff) node.setU32(name, value);
  else node.setU64(name, value);
}

function addFwCfg(root: FdtNode): void {
  root
    .addNode(`fw-cfg@${hex(VIRT.fwCfg.base)}`)
    .setEmpty('dma-coherent')
    .set('reg', regProperty(VIRT.fwCfg.base, VIRT.fwCfg.size))
    .setString('compatible', 'qemu,fw-cfg-mmio');
}

/** Both pflash banks in one node (QEMU's create_fdt_flash). */
function addFlash(root: FdtNode): void {
  const bank = VIRT.flash.size / 2;
  const reg = new Uint8Array(32);
  reg.set(regProperty(VIRT.flash.base, bank), 0);
  reg.set(regProperty(VIRT.flash.base + bank, bank), 16);
  root
    .addNode(`flash@${hex(VIRT.flash.base)}`)
    .setU32('bank-width', 4)
    .set('reg', reg)
    .setString('compatible', 'cfi-flash');
}

function addChosen(root: FdtNode, cfg: VirtFdtConfig): void {
  const chosen = root.addNode('chosen');
  if (cfg.initrd) {
    setAddress(chosen, 'linux,initrd-end', cfg.initrd.end);
    setAddress(chosen, 'linux,initrd-start', cfg.initrd.start);
  }
  const seed = cfg.rngSeed === undefined ? randomBytes(32) : cfg.rngSeed;
  if (seed !== false) chosen.setBytes('rng-seed', seed);
  if (cfg.bootargs !== undefined) chosen.setString('bootargs', cfg.bootargs);
  chosen.setString('stdout-path', `/soc/serial@${hex(VIRT.uart0.base)}`);
}

function addSysconNode(root: FdtNode, name: string, compatible: string, value: number, regmap: number): void {
  root
    .addNode(name)
    .setU32('value', value)
    .setU32('offset', 0)
    .setU32('regmap', regmap)
    .setString('compatible', compatible);
}

function addMemory(root: FdtNode, cfg: VirtFdtConfig): void {
  root
    .addNode(`memory@${hex(cfg.ramBase)}`)
    .setString('device_type', 'memory')
    .set('reg', regProperty(cfg.ramBase, cfg.ramSize));
}

function addCpus(root: FdtNode, cfg: VirtFdtConfig, ph: Phandles): void {
  const cpus = root.addNode('cpus');
  cpus.setU32('#address-cells', 1);
  cpus.setU32('#size-cells', 0);
  cpus.setU32('timebase-frequency', TIMEBASE_FREQ);
  for (let hart = 0; hart < cfg.numHarts; hart++) {
    const cpu = cpus
      .addNode(`cpu@${hart}`)
      .setU32('phandle', ph.cpu[hart] ?? 0)
      .setString('device_type', 'cpu')
      .setU32('reg', hart)
      .setString('status', 'okay')
      .setString('compatible', 'riscv')
      .setString('riscv,isa', cfg.isa ?? DEFAULT_ISA)
      .setString('mmu-type', cfg.mmuType ?? DEFAULT_MMU_TYPE);
    cpu
      .addNode('interrupt-controller')
      .setU32('#interrupt-cells', 1)
      .setEmpty('interrupt-controller')
      .setString('compatible', 'riscv,cpu-intc')
      .setU32('phandle', ph.intc[hart] ?? 0);
  }
  const cluster = cpus.addNode('cpu-map').addNode('cluster0');
  for (let hart = 0; hart < cfg.numHarts; hart++) {
    cluster.addNode(`core${hart}`).setU32('cpu', ph.cpu[hart] ?? 0);
  }
}

function addSoc(root: FdtNode, cfg: VirtFdtConfig, ph: Phandles): void {
  const soc = root.addNode('soc');
  soc.setU32('#address-cells', 2);
  soc.setU32('#size-cells', 2);
  soc.setString('compatible', 'simple-bus');
  soc.setEmpty('ranges');

  if ((cfg.maxHarts ?? cfg.numHarts) > cfg.numHarts) {
    // tsemu's CPU hot-plug controller (src/hw/cpu-hotplug.ts), only when slots are left for hot-plug
    addPlicDevice(soc, `cpu-hotplug@${hex(VIRT.cpuHotplug.base)}`, VIRT_IRQ.cpuHotplug, ph.plic)
      .set('reg', regProperty(VIRT.cpuHotplug.base, VIRT.cpuHotplug.size))
      .setString('compatible', 'tsemu,cpu-hotplug');
  }

  addPlicDevice(soc, `rtc@${hex(VIRT.rtc.base)}`, VIRT_IRQ.rtc, ph.plic)
    .set('reg', regProperty(VIRT.rtc.base, VIRT.rtc.size))
    .setString('compatible', 'google,goldfish-rtc');

  addPlicDevice(soc, `serial@${hex(VIRT.uart0.base)}`, VIRT_IRQ.uart0, ph.plic)
    .setU32('clock-frequency', UART_CLOCK_FREQ)
    .set('reg', regProperty(VIRT.uart0.base, VIRT.uart0.size))
    .setString('compatible', 'ns16550a');

  soc
    .addNode(`test@${hex(VIRT.test.base)}`)
    .setU32('phandle', ph.test)
    .set('reg', regProperty(VIRT.test.base, VIRT.test.size))
    .setStringList('compatible', 'sifive,test1', 'sifive,test0', 'syscon');

  addPcie(soc, cfg, ph.plic);

  for (let i = cfg.virtioCount - 1; i >= 0; i--) {
    const base = VIRT.virtio.base + i * VIRT.virtio.size;
    addPlicDevice(soc, `virtio_mmio@${hex(base)}`, VIRT_IRQ.virtioBase + i, ph.plic)
      .set('reg', regProperty(base, VIRT.virtio.size))
      .setString('compatible', 'virtio,mmio');
  }

  soc
    .addNode(`plic@${hex(VIRT.plic.base)}`)
    .setU32('phandle', ph.plic)
    .setU32('riscv,ndev', PLIC_NUM_SOURCES)
    .set('reg', regProperty(VIRT.plic.base, VIRT.plic.size))
    .setU32('interrupts-extended', ...perHartPairs(ph.intc, IRQ_M_EXT, IRQ_S_EXT))
    .setEmpty('interrupt-controller')
    .setStringList('compatible', 'sifive,plic-1.0.0', 'riscv,plic0')
    .setU32('#address-cells', 0)
    .setU32('#interrupt-cells', 1);

  soc
    .addNode(`clint@${hex(VIRT.clint.base)}`)
    .setU32('interrupts-extended', ...perHartPairs(ph.intc, IRQ_M_SOFT, IRQ_M_TIMER))
    .set('reg', regProperty(VIRT.clint.base, VIRT.clint.size))
    .setStringList('compatible', 'sifive,clint0', 'riscv,clint0');
}

/** PCI address cells: space code in the high cell (1 = I/O, 2 = 32-bit memory, 3 = 64-bit memory). */
const PCI_SPACE = { io: 0x1000000, mem32: 0x2000000, mem64: 0x3000000 } as const;
const PCI_PINS = 4;
const PCI_SWIZZLE_SLOTS = 4;

/** QEMU's create_fdt_pcie: the generic ECAM host with its windows and the INTx swizzle over 4 slots. */
function addPcie(soc: FdtNode, cfg: VirtFdtConfig, plic: number): void {
  const high = pcieMmioHigh(cfg.ramSize);
  const cells = (n: number): number[] => [Math.floor(n / 0x1_0000_0000), n % 0x1_0000_0000];
  const map: number[] = [];
  for (let slot = 0; slot < PCI_SWIZZLE_SLOTS; slot++) {
    for (let pin = 1; pin <= PCI_PINS; pin++) {
      map.push(slot << 11, 0, 0, pin, plic, VIRT_IRQ.pcieBase + ((pin - 1 + slot) % PCI_PINS));
    }
  }
  soc
    .addNode(`pci@${hex(VIRT.pcieEcam.base)}`)
    .setU32('interrupt-map-mask', 0x1800, 0, 0, 0x7)
    .setU32('interrupt-map', ...map)
    .setU32(
      'ranges',
      PCI_SPACE.io, 0, 0, ...cells(VIRT.pciePio.base), ...cells(VIRT.pciePio.size),
      PCI_SPACE.mem32, ...cells(VIRT.pcieMmio.base), ...cells(VIRT.pcieMmio.base), ...cells(VIRT.pcieMmio.size),
      PCI_SPACE.mem64, ...cells(high.base), ...cells(high.base), ...cells(high.size),
    )
    .set('reg', regProperty(VIRT.pcieEcam.base, VIRT.pcieEcam.size))
    .setEmpty('dma-coherent')
    .setU32('bus-range', 0, VIRT.pcieEcam.size / 0x100000 - 1)
    .setU32('linux,pci-domain', 0)
    .setString('device_type', 'pci')
    .setString('compatible', 'pci-host-ecam-generic')
    .setU32('#size-cells', 2)
    .setU32('#interrupt-cells', 1)
    .setU32('#address-cells', 3);
}

function addPlicDevice(soc: FdtNode, name: string, irq: number, plic: number): FdtNode {
  return soc.addNode(name).setU32('interrupts', irq).setU32('interrupt-parent', plic);
}

/** <intc a intc b> for every hart in hart order. */
function perHartPairs(intc: number[], first: number, second: number): number[] {
  return intc.flatMap((phandle) => [phandle, first, phandle, second]);
}

/** reg with #address-cells = #size-cells = 2. */
function regProperty(base: number, size: number): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(base));
  view.setBigUint64(8, BigInt(size));
  return out;
}

function hex(n: number): string {
  return n.toString(16);
}
