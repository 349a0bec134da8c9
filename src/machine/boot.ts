/**
 * From parsed command-line options to a ready machine configuration: load
 * firmware/kernel/initrd as QEMU's virt does (boot-layout.ts), build the
 * device tree and the reset-vector ROM, open disk images, choose the serial
 * backend. Errors are BootError/OptionError with a one-line message.
 */
import { strerror } from '../util/errno-text.js';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import type { MachineOptions } from '../cli/options.js';
import { BootError, lookupSymbol, planBoot } from './boot-layout.js';
import { buildResetVectorRom } from './boot-rom.js';
import { buildVirtFdt } from './virt-fdt.js';
import { UserDtb } from './user-dtb.js';
import { featureBits, isaString } from '../target/riscv/isa.js';
import { VIRT } from './virt-map.js';
import type { MachineConfig } from './machine.js';
import { VirtioBlk } from '../hw/virtio-blk.js';
import { VirtioRng } from '../hw/virtio-rng.js';
import { VirtioNet } from '../hw/virtio-net.js';
import { defaultMac, type NetBackend, parseMac } from '../hw/net-client.js';
import { SocketNetdev } from '../hw/net-socket.js';
import { UserNetdev } from '../hw/net-user.js';
import type { NetdevSpec } from '../cli/options.js';
import { type FlashBacking, openFlashImage } from '../hw/pflash-cfi01.js';
import type { PciPlacement } from './board.js';
import type { VirtioDevice } from '../hw/virtio.js';
import { PROGRAM_NAME } from '../cli/option-error.js';
import { VirtioSerial, type SerialPortSpec } from '../hw/virtio-serial.js';
import { openChardev, type OpenedChardev } from '../hw/char-backend.js';

export interface PreparedBoot {
  config: Omit<MachineConfig, 'launcher' | 'onExit' | 'onFatal' | 'serialOut' | 'tracing' | 'instruments' | 'report'>;
  /** Function symbol containing a pc (for -d in_asm and the monitor). */
  symbolAt(pc: number): string;
  /** For -M virt,dumpdtb=FILE: the blob to write before exiting. */
  fdt: Uint8Array;
  /** Chardevs the devices use: start-up waits for each `ready` (client connected, server,wait=on's first client). */
  chardevs: readonly OpenedChardev[];
}

function openLog(opts: MachineOptions): number {
  if (opts.logFile === undefined) return 2;
  try {
    return openSync(opts.logFile, 'w');
  } catch (e) {
    throw new BootError(`Error opening logfile ${opts.logFile}: ${strerror(e)}`); // QEMU's text
  }
}

/** Open a drive's image for a virtio-blk device, with QEMU's message when it cannot be opened. */
function openBlk(opts: MachineOptions, driveId: string | undefined, origin: string): VirtioBlk {
  const drive = opts.drives.find((d) => d.id === driveId);
  if (!drive) throw new BootError(`${origin}: Drive '${driveId ?? ''}' not found`);
  try {
    return VirtioBlk.open({ path: drive.file, readOnly: drive.readOnly, snapshot: drive.snapshot || opts.snapshot });
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e instanceof Error ? e.message : String(e));
    throw new BootError(`${drive.origin}: Could not open '${drive.file}': ${why}`);
  }
}

/** The pflash banks' images (-drive if=pflash), by unit. */
function flashBanks(opts: MachineOptions): (FlashBacking | undefined)[] {
  const banks: (FlashBacking | undefined)[] = [undefined, undefined];
  for (const drive of opts.drives) {
    if (drive.interface !== 'pflash' || drive.unit === undefined) continue;
    try {
      banks[drive.unit] = openFlashImage(drive.file, { readOnly: drive.readOnly, snapshot: drive.snapshot || opts.snapshot });
    } catch (e) {
      throw new BootError(e instanceof RangeError ? e.message : `${drive.origin}: Could not open '${drive.file}': ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return banks;
}

/** virtio-*-pci devices on pcie.0 at the slots src/cli/drive.ts gave them. */
/** The NICs' host sides and MACs: QEMU's qemu_macaddr_default_if_unset numbers NICs without mac= in creation order, PCI or not. */
interface NicSetup {
  backends: Map<string, NetBackend>;
  macs: Map<number, Uint8Array>;
}

function nicSetup(opts: MachineOptions): NicSetup {
  const backends = new Map(opts.netdevs.map((n) => [n.id, openNetdev(n)]));
  const macs = new Map<number, Uint8Array>();
  let nics = 0;
  for (const [index, dev] of opts.devices.entries()) {
    if (dev.driver !== 'virtio-net-pci' && dev.driver !== 'virtio-net-device') continue;
    macs.set(index, (dev.mac !== undefined ? parseMac(dev.mac) : undefined) ?? defaultMac(nics++));
  }
  return { backends, macs };
}

function nicOf(nics: NicSetup, index: number, netdev: string | undefined): VirtioNet {
  return new VirtioNet({ mac: nics.macs.get(index) ?? defaultMac(0), backend: netdev !== undefined ? nics.backends.get(netdev) : undefined });
}

function pciPlacements(opts: MachineOptions, chardevs: ReadonlyMap<string, OpenedChardev>, nics: NicSetup): PciPlacement[] {
  const out: PciPlacement[] = [];
  for (const [index, dev] of opts.devices.entries()) {
    if (dev.driver !== 'virtio-blk-pci' && dev.driver !== 'virtio-rng-pci' && dev.driver !== 'virtio-net-pci' && dev.driver !== 'virtio-serial-pci') continue;
    if (dev.slot === undefined) throw new BootError(`${dev.origin}: device not placed on pcie.0`);
    let device: VirtioDevice;
    if (dev.driver === 'virtio-serial-pci') {
      const busName = dev.id !== undefined ? `${dev.id}.0` : 'virtio-serial-bus.0';
      device = new VirtioSerial(serialPorts(opts, index, chardevs), { busName, report: (m) => { writeSync(2, `${PROGRAM_NAME}: ${m}\n`); } });
    } else if (dev.driver === 'virtio-net-pci') {
      device = nicOf(nics, index, dev.netdev);
    } else {
      device = dev.driver === 'virtio-rng-pci' ? new VirtioRng() : openBlk(opts, dev.drive, dev.origin);
    }
    out.push({ slot: dev.slot, typeName: dev.driver, id: dev.id, device });
  }
  return out;
}

/** The virtconsole / virtserialport devices on the bus of opts.devices[serialDevice], their chardevs opened. */
function serialPorts(opts: MachineOptions, serialDevice: number, opened: ReadonlyMap<string, OpenedChardev>): SerialPortSpec[] {
  const ports: SerialPortSpec[] = [];
  for (const dev of opts.devices) {
    if ((dev.driver !== 'virtconsole' && dev.driver !== 'virtserialport') || dev.serialDevice !== serialDevice || dev.nr === undefined) continue;
    // a port without chardev= has no host side: QEMU drops what the guest writes
    const backend = (dev.chardev !== undefined ? opened.get(dev.chardev) : undefined) ?? { write: () => undefined, attach: () => undefined };
    ports.push({ nr: dev.nr, console: dev.driver === 'virtconsole', ...(dev.name !== undefined ? { name: dev.name } : {}), backend });
  }
  return ports;
}

/** Every -chardev opened, used or not, as QEMU opens them before creating devices. */
function openChardevs(opts: MachineOptions): Map<string, OpenedChardev> {
  const opened = new Map<string, OpenedChardev>();
  for (const spec of opts.chardevs) {
    try {
      opened.set(spec.id, openChardev(spec.backend, spec.origin));
    } catch (e) {
      throw new BootError(e instanceof Error ? e.message : String(e));
    }
  }
  return opened;
}

/** A -netdev's host side (sockets open now; a peerless one is still opened, as QEMU does). */
function openNetdev(spec: NetdevSpec): NetBackend {
  if (spec.type === 'user') return new UserNetdev(spec.id);
  if (spec.mode === 'udp') return new SocketNetdev(spec.id, { kind: 'udp', to: spec.addr, local: spec.local });
  return new SocketNetdev(spec.id, spec.mode === 'connect' ? { kind: 'connect', to: spec.addr } : { kind: 'listen', at: spec.addr });
}

/** virtio-mmio slots as the command line placed them (src/cli/drive.ts: bus= or QEMU's top-down filling). */
function virtioSlots(opts: MachineOptions, nics: NicSetup): (VirtioDevice | null)[] {
  const slots: (VirtioDevice | null)[] = new Array<VirtioDevice | null>(VIRT.virtio.count).fill(null);
  for (const [index, dev] of opts.devices.entries()) {
    if (dev.driver === 'virtio-net-device') {
      if (dev.bus === undefined || slots[dev.bus]) throw new BootError(`${dev.origin}: No 'virtio-bus' bus found for device 'virtio-net-device'`);
      slots[dev.bus] = nicOf(nics, index, dev.netdev);
      continue;
    }
    if (dev.driver !== 'virtio-blk-device') continue;
    const drive = opts.drives.find((d) => d.id === dev.drive);
    if (!drive) throw new BootError(`${dev.origin}: Drive '${dev.drive}' not found`);
    if (dev.bus === undefined || slots[dev.bus]) throw new BootError(`${dev.origin}: No 'virtio-bus' bus found for device 'virtio-blk-device'`);
    try {
      slots[dev.bus] = VirtioBlk.open({ path: drive.file, readOnly: drive.readOnly, snapshot: drive.snapshot || opts.snapshot });
    } catch (e) {
      const code = e instanceof Error && 'code' in e ? String(e.code) : '';
      const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e instanceof Error ? e.message : String(e));
      throw new BootError(`${drive.origin}: Could not open '${drive.file}': ${why}`);
    }
  }
  return slots;
}

export function prepareBoot(opts: MachineOptions): PreparedBoot {
  const images: { addr: number; bytes: Uint8Array }[] = [];
  // QEMU reads -dtb (and fails on it) in virt_machine_init, before any image is loaded
  const userDtb = opts.dtb === undefined ? undefined : UserDtb.load(opts.dtb, opts.append);
  const plan = planBoot({
    bios: opts.bios,
    // where `-bios NAME` is looked for when NAME is not a path (QEMU's data directory, as in QEMU)
    firmwareSearchDirs: [process.env.TSEMU_FIRMWARE_DIR ?? '/usr/share/qemu'],
    kernel: opts.kernel,
    initrd: opts.initrd,
    ramSize: opts.ramSize,
    ...(userDtb ? { fdtSize: userDtb.size } : {}),
    pflashUnits: opts.drives.flatMap((d) => (d.interface === 'pflash' && d.unit !== undefined ? [d.unit] : [])),
    target: {
      regions: [{ base: VIRT.dram.base, size: opts.ramSize }],
      write: (addr, bytes) => { images.push({ addr, bytes: bytes.slice() }); },
    },
  });
  if (plan.romOverlap !== undefined) throw new BootError(plan.romOverlap);
  const numHarts = opts.smp.cpus;
  const fdt = userDtb ? patchedUserDtb(userDtb, plan.initrd) : buildVirtFdt({
    numHarts,
    maxHarts: opts.smp.maxCpus,
    ramBase: VIRT.dram.base,
    ramSize: opts.ramSize,
    bootargs: opts.append,
    initrd: plan.initrd,
    virtioCount: VIRT.virtio.count,
    isa: isaString(opts.cpuExtensions),
  });
  images.push({ addr: plan.fdtAddr, bytes: fdt });
  const rom = buildResetVectorRom({ startAddr: plan.startAddr, fdtAddr: plan.fdtAddr, kernelEntry: plan.kernelEntry });
  const has = (item: string): boolean => (opts.logItems as readonly string[]).includes(item);
  const nics = nicSetup(opts);
  const virtio = virtioSlots(opts, nics);
  const symbolAt = (pc: number): string => lookupSymbol(plan.symbolTables, pc);
  const symbols = plan.symbolTables.flat().map((s) => ({ addr: Number(s.address), size: Number(s.size), name: s.name }));
  const chardevs = openChardevs(opts);
  const pci = pciPlacements(opts, chardevs, nics);
  return {
    fdt,
    symbolAt,
    chardevs: [...chardevs.values()],
    config: {
      numHarts,
      maxHarts: opts.smp.maxCpus,
      ramSize: opts.ramSize,
      images,
      rom,
      virtio,
      virtioLegacy: opts.globals.virtioMmioForceLegacy,
      cpuFeatures: featureBits(opts.cpuExtensions),
      pci,
      flash: flashBanks(opts),
      nographic: opts.nographic,
      fwCfgKernel: plan.fwCfgKernel && { ...plan.fwCfgKernel, cmdline: opts.append },
      startPaused: opts.startStopped,
      singlestep: opts.singlestep,
      icount: opts.icount,
      singleThread: opts.accel.thread === 'single',
      noReboot: opts.noReboot,
      log: {
        inAsm: has('in_asm'), op: has('op'), outAsm: has('out_asm'), int: has('int'), exec: has('exec'),
        cpu: has('cpu'), unimp: has('unimp'), guestErrors: has('guest_errors'), nochain: has('nochain'), fd: openLog(opts),
      },
      symbols,
    },
  };
}

/** The -dtb blob with the initrd bounds QEMU adds once the kernel is loaded, packed. */
function patchedUserDtb(dtb: UserDtb, initrd: { start: number; end: number } | undefined): Uint8Array {
  if (initrd) dtb.setInitrd(initrd.start, initrd.end);
  return dtb.finish();
}

/** `-M virt,dumpdtb=FILE`: QEMU writes the blob and exits 0. */
export function dumpDtb(path: string, fdt: Uint8Array): void {
  try {
    writeFileSync(path, fdt);
  } catch {
    throw new BootError(`Failed to write dtb to ${path}`);
  }
}

/** Warnings go to stderr with the program name, as QEMU's warn_report. */
export function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) writeSync(2, w.endsWith('\n') ? w : `${w}\n`);
}

export function closeLog(fd: number): void {
  if (fd > 2) closeSync(fd);
}

export { PROGRAM_NAME };
