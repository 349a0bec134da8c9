/**
 * -drive and -device for the block devices tsemu has (raw images on
 * virtio-blk-device, i.e. virtio-mmio) plus `rv64-riscv-cpu` for CPU hot-plug.
 * Messages follow QEMU 7.2 (blockdev.c, qdev-monitor.c).
 */
import { closeSync, openSync, statSync } from 'node:fs';
import { optionError, PROGRAM_NAME } from './option-error.js';
import { ID_HINT, isHelpRequest, isWellFormedId, lastValue, parseOnOff, parseOptParams, type OptParam } from './qemu-opts.js';
import { strerror } from '../util/errno-text.js';
import { checkVirtioBlkGlobals, type GlobalProperty } from './globals.js';

export interface DriveSpec {
  /** Drive id; QEMU names drives without one `<if><n>`, e.g. "none0" or "virtio1". */
  readonly id: string;
  readonly file: string;
  readonly format: 'raw';
  /** `none`: only a backend for -device; `virtio`: QEMU adds the device itself (a virtio-blk-pci). */
  readonly interface: 'none' | 'virtio' | 'pflash';
  /** if=pflash: the bank (0 = flash0 at 0x20000000, 1 = flash1), `unit=` or the next free one. */
  readonly unit?: number;
  readonly readOnly: boolean;
  /** Writes go to a throw-away overlay (snapshot=on or the global -snapshot). */
  readonly snapshot: boolean;
  /** The option as written, for error messages. */
  readonly origin: string;
}

export interface VirtioBlkDeviceSpec {
  readonly driver: 'virtio-blk-device';
  readonly drive: string;
  readonly id: string | undefined;
  /** `bus=` as written (e.g. "virtio-mmio-bus.0"), undefined for QEMU's automatic placement. */
  readonly busName: string | undefined;
  /** The virtio-mmio transport (0 = 0x10001000) the device sits on, once resolveDevices() placed it. */
  readonly bus: number | undefined;
  /** "-device ..." as written, or the -drive option for an if=virtio drive. */
  readonly origin: string;
}

export interface CpuDeviceSpec {
  readonly driver: 'rv64-riscv-cpu';
  readonly id: string | undefined;
  readonly socketId: number | undefined;
  readonly coreId: number | undefined;
  readonly threadId: number | undefined;
  readonly origin: string;
}

/** A virtio device on the PCIe root bus (tsemu's virtio-pci transport). */
export interface VirtioPciDeviceSpec {
  readonly driver: VirtioPciDriver;
  /** virtio-net-pci: the -netdev id (undefined: a NIC with no peer) and `mac=` as written. */
  readonly netdev?: string;
  readonly mac?: string;
  /** The -drive id (virtio-blk-pci only). */
  readonly drive: string | undefined;
  readonly id: string | undefined;
  /** `bus=` as written; only "pcie.0" exists. */
  readonly busName: string | undefined;
  /** `addr=` slot (device number) as written, undefined for QEMU's first free slot. */
  readonly addr: number | undefined;
  /** The slot on pcie.0 once resolveDevices() placed it. */
  readonly slot: number | undefined;
  readonly origin: string;
}

export type VirtioPciDriver = 'virtio-blk-pci' | 'virtio-rng-pci' | 'virtio-net-pci' | 'virtio-serial-pci';
const VIRTIO_PCI_DRIVERS: readonly string[] = ['virtio-blk-pci', 'virtio-rng-pci', 'virtio-net-pci', 'virtio-serial-pci'];

/** Whether a device spec is one of the virtio-*-pci devices. */
export function isVirtioPci(dev: DeviceSpec): dev is VirtioPciDeviceSpec {
  return VIRTIO_PCI_DRIVERS.includes(dev.driver);
}

/** A port on a virtio-serial bus (QEMU's virtconsole / virtserialport, hw/char/virtio-console.c). */
export interface SerialPortDeviceSpec {
  readonly driver: 'virtconsole' | 'virtserialport';
  /** The -chardev id; undefined: a port with no host side (QEMU allows it). */
  readonly chardev: string | undefined;
  readonly name: string | undefined;
  /** `nr=` as written; the port number once resolveDevices() placed it. */
  readonly nr: number | undefined;
  readonly id: string | undefined;
  readonly busName: string | undefined;
  /** Index in `devices` of the virtio-serial-pci whose bus holds the port, once placed. */
  readonly serialDevice: number | undefined;
  readonly origin: string;
}

/** `-device virtio-net-device,netdev=ID[,mac=][,bus=virtio-mmio-bus.N]`: virtio-net on a virtio-mmio transport. */
export interface VirtioNetMmioDeviceSpec {
  readonly driver: 'virtio-net-device';
  readonly netdev: string | undefined;
  readonly mac: string | undefined;
  readonly id: string | undefined;
  readonly busName: string | undefined;
  /** The virtio-mmio transport once resolveDevices() placed it. */
  readonly bus: number | undefined;
  readonly origin: string;
}

export type DeviceSpec = VirtioBlkDeviceSpec | CpuDeviceSpec | VirtioPciDeviceSpec | SerialPortDeviceSpec | VirtioNetMmioDeviceSpec;

/** Device numbers on a PCI bus; slot 0 holds the host bridge. */
const PCI_SLOTS = 32;

/** Number of virtio-mmio transports on virt. */
export const VIRTIO_MMIO_SLOTS = 8;

/** Whether a file can be opened, mirroring what QEMU's raw driver checks first. */
export interface HostFiles {
  /** Returns undefined if `path` opens (read-only or read-write), else the strerror()-style reason. */
  openProblem(path: string, writable: boolean): string | undefined;
  isRegularFile(path: string): boolean;
  /** Identity for "same image" checks (device + inode). */
  identity(path: string): string | undefined;
}

export const nodeHostFiles: HostFiles = {
  openProblem(path, writable) {
    try {
      closeSync(openSync(path, writable ? 'r+' : 'r'));
      return undefined;
    } catch (err) {
      return strerror(err);
    }
  },
  isRegularFile(path) {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  identity(path) {
    try {
      const st = statSync(path);
      return `${st.dev}:${st.ino}`;
    } catch {
      return undefined;
    }
  },
};

const DRIVE_KEYS = ['file', 'format', 'if', 'id', 'readonly', 'read-only', 'snapshot', 'cache', 'index', 'media', 'unit'];
/** pflash banks on virt. */
const PFLASH_UNITS = 2;
/** Formats QEMU has that tsemu does not. */
const OTHER_FORMATS = ['qcow2', 'qcow', 'qed', 'vmdk', 'vdi', 'vhdx', 'vpc', 'luks', 'dmg', 'bochs', 'cloop', 'parallels', 'vvfat', 'file', 'host_device', 'nbd', 'blkdebug', 'null-co', 'null-aio', 'throttle', 'copy-on-read', 'compress', 'preallocate'];
const OTHER_INTERFACES = ['ide', 'scsi', 'floppy', 'mtd', 'sd', 'xen'];
const CACHE_MODES = ['writethrough', 'writeback', 'none', 'directsync', 'unsafe'];
const PROBED_RAW_WARNING = (file: string): string =>
  `WARNING: Image format was not specified for '${file}' and probing guessed raw.\n` +
  '         Automatically detecting the format is dangerous for raw images, write operations on block 0 will be restricted.\n' +
  "         Specify the 'raw' format explicitly to remove the restrictions.";

function boolParam(params: readonly OptParam[], key: string, qemuName: string, where: string): boolean | undefined {
  const value = lastValue(params, key);
  if (value === undefined) return undefined;
  const parsed = parseOnOff(value);
  if (parsed === undefined) throw optionError(where, `Parameter '${qemuName}' expects 'on' or 'off'`);
  return parsed;
}

export interface DriveParseContext {
  readonly globalSnapshot: boolean;
  readonly files: HostFiles;
  /** Ids already taken, and the per-interface counters for automatic ids. */
  readonly taken: Set<string>;
  readonly autoIndex: Map<string, number>;
  readonly warnings: string[];
}

/** Parses and checks one -drive argument the way QEMU's drive_new() does. */
export function parseDrive(arg: string, where: string, ctx: DriveParseContext): DriveSpec {
  const { params, warnings } = parseOptParams(arg, { style: 'qemu-opts' }, where);
  ctx.warnings.push(...warnings);
  for (const { key } of params) {
    if (!DRIVE_KEYS.includes(key)) {
      throw optionError(where, isKnownQemuDriveKey(key) ? `option '${key}' is not supported by tsemu` : `Block format 'raw' does not support the option '${key}'`);
    }
  }
  const iface = lastValue(params, 'if') ?? 'none';
  if (iface !== 'pflash' && lastValue(params, 'unit') !== undefined) throw optionError(where, `option 'unit' is not supported by tsemu`);
  if (iface !== 'none' && iface !== 'virtio' && iface !== 'pflash') {
    if (OTHER_INTERFACES.includes(iface)) throw optionError(where, `machine type does not support if=${iface},bus=0,unit=0`);
    throw optionError(where, `unsupported bus type '${iface}'`);
  }
  const format = lastValue(params, 'format');
  if (format !== undefined && format !== 'raw') {
    throw optionError(where, OTHER_FORMATS.includes(format) ? `image format '${format}' is not supported by tsemu (only raw)` : `Unknown driver '${format}'`);
  }
  const cache = lastValue(params, 'cache');
  if (cache !== undefined && !CACHE_MODES.includes(cache)) throw optionError(where, `invalid cache option`);
  const media = lastValue(params, 'media');
  if (media !== undefined && media !== 'disk') throw optionError(where, media === 'cdrom' ? 'media=cdrom is not supported by tsemu' : `'${media}' invalid media`);
  const readOnly = boolParam(params, 'readonly', 'read-only', where) ?? boolParam(params, 'read-only', 'read-only', where) ?? false;
  const snapshot = boolParam(params, 'snapshot', 'snapshot', where) ?? ctx.globalSnapshot;
  const id = driveId(params, iface, where, ctx);
  const file = lastValue(params, 'file');
  if (file === undefined || file === '') throw optionError(where, 'A block device must be specified for "file"');
  checkImageFile(file, !readOnly && !snapshot, where, ctx.files);
  if (format === undefined) ctx.warnings.push(PROBED_RAW_WARNING(file));
  if (iface === 'pflash') return { id, file, format: 'raw', interface: iface, readOnly, snapshot, origin: where, unit: pflashUnit(params, where, ctx) };
  return { id, file, format: 'raw', interface: iface, readOnly, snapshot, origin: where };
}

/** `unit=` of an if=pflash drive, or the next one after the highest taken (QEMU's drive_new). */
function pflashUnit(params: readonly OptParam[], where: string, ctx: DriveParseContext): number {
  const given = lastValue(params, 'unit');
  let unit: number;
  if (given !== undefined) {
    if (!/^[0-9]+$/.test(given)) throw optionError(where, `Parameter 'unit' expects a number`);
    unit = Number(given);
  } else {
    unit = ctx.autoIndex.get('pflash-unit') ?? 0;
  }
  const key = `pflash-unit-${unit}`;
  if (ctx.taken.has(key)) throw optionError(where, `drive with bus=0, unit=${unit} exists`);
  ctx.taken.add(key);
  ctx.autoIndex.set('pflash-unit', unit + 1);
  if (unit >= PFLASH_UNITS) throw optionError(where, `machine type does not support if=pflash,bus=0,unit=${unit}`);
  return unit;
}

/** QEMU's raw-on-file open: it must exist, be a regular file, and be writable unless read-only or snapshot. */
function checkImageFile(file: string, writable: boolean, where: string, files: HostFiles): void {
  const problem = files.openProblem(file, false);
  if (problem !== undefined) throw optionError(where, `Could not open '${file}': ${problem}`);
  if (!files.isRegularFile(file)) throw optionError(where, `'file' driver requires '${file}' to be a regular file`);
  const writeProblem = writable ? files.openProblem(file, true) : undefined;
  if (writeProblem !== undefined) throw optionError(where, `Could not open '${file}': ${writeProblem}`);
}

function driveId(params: readonly OptParam[], iface: string, where: string, ctx: DriveParseContext): string {
  const given = lastValue(params, 'id');
  if (given !== undefined) {
    if (!isWellFormedId(given)) throw optionError(where, `Parameter 'id' expects an identifier\n${ID_HINT}`);
    if (ctx.taken.has(given)) throw optionError(where, `Duplicate ID '${given}' for drive`);
    ctx.taken.add(given);
    return given;
  }
  // QEMU: "<if><unit>" with the next free unit of that interface.
  let n = ctx.autoIndex.get(iface) ?? 0;
  while (ctx.taken.has(`${iface}${n}`)) n += 1;
  ctx.autoIndex.set(iface, n + 1);
  const id = `${iface}${n}`;
  ctx.taken.add(id);
  return id;
}

function isKnownQemuDriveKey(key: string): boolean {
  return ['bus', 'unit', 'aio', 'rerror', 'werror', 'copy-on-read', 'discard', 'detect-zeroes', 'throttling.bps-total', 'serial', 'addr', 'cyls', 'heads', 'secs', 'trans', 'boot', 'node-name', 'auto-read-only', 'force-share', 'locking'].includes(key);
}

const VIRTIO_BLK_KEYS = ['driver', 'drive', 'id', 'bus'];
const CPU_KEYS = ['driver', 'id', 'socket-id', 'core-id', 'thread-id'];
const VIRTIO_BLK_PCI_KEYS = ['driver', 'drive', 'id', 'bus', 'addr'];
const VIRTIO_RNG_PCI_KEYS = ['driver', 'id', 'bus', 'addr'];
const VIRTIO_NET_PCI_KEYS = ['driver', 'id', 'bus', 'addr', 'netdev', 'mac'];
const VIRTIO_SERIAL_PCI_KEYS = ['driver', 'id', 'bus', 'addr'];
const SERIAL_PORT_KEYS = ['driver', 'id', 'bus', 'chardev', 'name', 'nr'];
const MAC_SYNTAX = /^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/;
/** Device models QEMU's riscv64 build has, for a "not supported" rather than "not valid" message. */
const VIRTIO_NET_DEVICE_KEYS = ['driver', 'id', 'bus', 'netdev', 'mac'];
const OTHER_QEMU_DEVICES = ['virtio-rng-device', 'virtio-serial-device', 'virtio-serial-pci-non-transitional', 'virtio-gpu-device', 'virtio-keyboard-device', 'virtio-mouse-device', 'virtio-9p-device', 'e1000', 'nvme', 'usb-storage', 'scsi-hd', 'ide-hd', 'loader'];

/** QEMU's qdev aliases on a machine with PCI (qdev-monitor.c). */
const DEVICE_ALIASES: ReadonlyMap<string, string> = new Map([['virtio-blk', 'virtio-blk-pci'], ['virtio-rng', 'virtio-rng-pci'], ['virtio-net', 'virtio-net-pci'], ['virtio-serial', 'virtio-serial-pci']]);

/** Parses one -device argument; cross-checks against drives happen in resolveDevices(). */
export function parseDevice(arg: string, where: string, warnings: string[]): DeviceSpec | 'help' {
  const { params, warnings: parseWarnings } = parseOptParams(arg, { style: 'qemu-opts', impliedKey: 'driver' }, where);
  warnings.push(...parseWarnings);
  const given = lastValue(params, 'driver');
  if (given === undefined) throw optionError(where, "Parameter 'driver' is missing");
  const driver = DEVICE_ALIASES.get(given) ?? given;
  if (isHelpRequest(driver)) return 'help';
  const id = lastValue(params, 'id');
  if (id !== undefined && !isWellFormedId(id)) throw optionError(where, `Parameter 'id' expects an identifier\n${ID_HINT}`);
  if (driver === 'virtio-blk-device') {
    rejectUnknownProps(params, VIRTIO_BLK_KEYS, driver, where);
    const drive = lastValue(params, 'drive');
    if (drive === undefined) throw optionError(where, 'drive property not set');
    return { driver, drive, id, busName: lastValue(params, 'bus'), bus: undefined, origin: where };
  }
  if (driver === 'virtio-blk-pci' || driver === 'virtio-rng-pci' || driver === 'virtio-serial-pci') {
    rejectUnknownProps(params, driver === 'virtio-blk-pci' ? VIRTIO_BLK_PCI_KEYS : driver === 'virtio-rng-pci' ? VIRTIO_RNG_PCI_KEYS : VIRTIO_SERIAL_PCI_KEYS, driver, where);
    const drive = lastValue(params, 'drive');
    if (driver === 'virtio-blk-pci' && drive === undefined) throw optionError(where, 'drive property not set');
    return { driver, drive, id, busName: lastValue(params, 'bus'), addr: pciAddr(params, driver, where), slot: undefined, origin: where };
  }
  if (driver === 'virtio-net-device') {
    rejectUnknownProps(params, VIRTIO_NET_DEVICE_KEYS, driver, where);
    const mac = lastValue(params, 'mac');
    if (mac !== undefined && !MAC_SYNTAX.test(mac)) throw optionError(where, `Property 'virtio-net-device.mac' doesn't take value '${mac}'`);
    return { driver, netdev: lastValue(params, 'netdev'), mac, id, busName: lastValue(params, 'bus'), bus: undefined, origin: where };
  }
  if (driver === 'virtio-net-pci') {
    rejectUnknownProps(params, VIRTIO_NET_PCI_KEYS, driver, where);
    const mac = lastValue(params, 'mac');
    // the properties belong to the virtio-net-device inside the PCI proxy, and QEMU names that one
    if (mac !== undefined && !MAC_SYNTAX.test(mac)) throw optionError(where, `Property 'virtio-net-device.mac' doesn't take value '${mac}'`);
    return { driver, drive: undefined, netdev: lastValue(params, 'netdev'), mac, id, busName: lastValue(params, 'bus'), addr: pciAddr(params, driver, where), slot: undefined, origin: where };
  }
  if (driver === 'virtconsole' || driver === 'virtserialport') return parseSerialPort(driver, params, id, where);
  if (driver === 'rv64-riscv-cpu') {
    rejectUnknownProps(params, CPU_KEYS, driver, where);
    return {
      driver,
      id,
      socketId: intProp(params, 'socket-id', where),
      coreId: intProp(params, 'core-id', where),
      threadId: intProp(params, 'thread-id', where),
      origin: where,
    };
  }
  if (OTHER_QEMU_DEVICES.includes(driver)) throw optionError(where, `device '${driver}' is not supported by tsemu (use virtio-blk-device)`);
  throw optionError(where, `'${driver}' is not a valid device model name`);
}

function parseSerialPort(driver: 'virtconsole' | 'virtserialport', params: readonly OptParam[], id: string | undefined, where: string): SerialPortDeviceSpec {
  rejectUnknownProps(params, SERIAL_PORT_KEYS, driver, where);
  const nrText = lastValue(params, 'nr');
  if (nrText !== undefined && !/^[0-9]+$/.test(nrText)) throw optionError(where, `Property '${driver}.nr' doesn't take value '${nrText}'`);
  return { driver, chardev: lastValue(params, 'chardev'), name: lastValue(params, 'name'), nr: nrText === undefined ? undefined : Number(nrText), id, busName: lastValue(params, 'bus'), serialDevice: undefined, origin: where };
}

function rejectUnknownProps(params: readonly OptParam[], allowed: readonly string[], driver: string, where: string): void {
  for (const { key } of params) {
    if (!allowed.includes(key)) throw optionError(where, `Property '${driver}.${key}' not found`);
  }
}

/** QEMU's PCI address property: "slot[.function]" in hex; tsemu's devices are single-function. */
function pciAddr(params: readonly OptParam[], driver: string, where: string): number | undefined {
  const value = lastValue(params, 'addr');
  if (value === undefined) return undefined;
  const m = /^(?:0x)?([0-9a-fA-F]{1,2})(?:\.([0-7]))?$/.exec(value);
  const slot = m ? parseInt(m[1], 16) : PCI_SLOTS;
  if (!m || slot >= PCI_SLOTS) throw optionError(where, `Property '${driver}.addr' doesn't take value '${value}'`);
  if (m[2] !== undefined && m[2] !== '0') throw optionError(where, `${driver}: function ${m[2]} is not supported by tsemu (single-function devices only)`);
  return slot;
}

function intProp(params: readonly OptParam[], key: string, where: string): number | undefined {
  const value = lastValue(params, key);
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw optionError(where, `Parameter '${key}' expects int32`);
  return Number(value);
}

/**
 * Cross-checks -device against -drive and lists the virtio block devices in the
 * order QEMU creates them: every -device in command-line order, then one virtio-blk-pci
 * per if=virtio drive (QEMU's `virtio-blk` alias), on the next free PCI slot. Each virtio-blk-device
 * gets its transport: the one `bus=` names, or, as QEMU's qbus search finds
 * them, the highest free one (the first device lands on virtio-mmio-bus.7).
 */
export function resolveDevices(devices: readonly DeviceSpec[], drives: readonly DriveSpec[], files: HostFiles, globals: readonly GlobalProperty[] = [], netdevIds: readonly string[] = [], chardevIds: readonly string[] = []): DeviceSpec[] {
  const all: DeviceSpec[] = [...devices];
  for (const d of drives) {
    // QEMU's if=virtio is `-device virtio-blk,drive=ID`, the alias of virtio-blk-pci on virt
    if (d.interface === 'virtio') all.push({ driver: 'virtio-blk-pci', drive: d.id, id: undefined, busName: undefined, addr: undefined, slot: undefined, origin: d.origin });
  }
  const usedDrives = new Set<string>();
  const deviceIds = new Set<string>();
  const writers = new Map<string, DriveSpec>();
  const busTaken = new Array<boolean>(VIRTIO_MMIO_SLOTS).fill(false);
  const pciTaken = new Map<number, VirtioPciDeviceSpec>();
  const usedNetdevs = new Set<string>();
  const serialBuses: SerialBus[] = [];
  const usedChardevs = new Set<string>();
  return all.map((dev, index) => {
    if (dev.id !== undefined) {
      if (deviceIds.has(dev.id)) throw optionError(dev.origin, `Duplicate ID '${dev.id}' for device`);
      deviceIds.add(dev.id);
    }
    if (dev.driver === 'virtio-net-pci' || dev.driver === 'virtio-net-device') checkNetdev(dev, netdevIds, usedNetdevs);
    if (dev.driver === 'virtio-net-device') return { ...dev, bus: placeVirtioDevice(dev, busTaken) };
    if (dev.driver === 'virtconsole' || dev.driver === 'virtserialport') return placeSerialPort(dev, serialBuses, { chardevIds, used: usedChardevs });
    if (isVirtioPci(dev)) {
      const placed = resolvePciDevice(dev, { pciTaken, usedDrives, drives, writers, files });
      if (dev.driver === 'virtio-serial-pci') serialBuses.push({ device: index, name: dev.id !== undefined ? `${dev.id}.0` : 'virtio-serial-bus.0', ports: new Map() });
      return placed;
    }
    if (dev.driver !== 'virtio-blk-device') return dev;
    const bus = placeVirtioDevice(dev, busTaken);
    checkVirtioBlkGlobals(globals, dev.origin);
    const drive = drives.find((d) => d.id === dev.drive);
    if (drive === undefined) throw optionError(dev.origin, `Property 'virtio-blk-device.drive' can't find value '${dev.drive}'`);
    if (usedDrives.has(drive.id)) throw optionError(dev.origin, `Drive '${drive.id}' is already in use by another device`);
    usedDrives.add(drive.id);
    checkWriteLock(drive, dev, writers, files);
    return { ...dev, bus };
  });
}

interface PciResolveState {
  pciTaken: Map<number, VirtioPciDeviceSpec>;
  usedDrives: Set<string>;
  drives: readonly DriveSpec[];
  writers: Map<string, DriveSpec>;
  files: HostFiles;
}

/** Bus and slot of a virtio-*-pci device (QEMU's pci_qdev_realize / do_pci_register_device), and its drive. */
function resolvePciDevice(dev: VirtioPciDeviceSpec, st: PciResolveState): VirtioPciDeviceSpec {
  if (dev.busName !== undefined && dev.busName !== 'pcie.0') throw optionError(dev.origin, `Bus '${dev.busName}' not found`);
  let slot = dev.addr;
  if (slot === undefined) {
    for (let s = 1; s < PCI_SLOTS && slot === undefined; s++) if (!st.pciTaken.has(s)) slot = s;
    if (slot === undefined) throw optionError(dev.origin, `PCI: no slot/function available for ${dev.driver}, all in use or reserved`);
  } else if (slot === 0 || st.pciTaken.has(slot)) {
    const other = st.pciTaken.get(slot);
    const name = other ? other.driver : 'gpex-root';
    // QEMU prints the other device's id with %s: "(null)" when it has none
    throw optionError(dev.origin, `PCI: slot ${slot} function 0 not available for ${dev.driver}, in use by ${name},id=${other?.id ?? '(null)'}`);
  }
  if (dev.driver === 'virtio-blk-pci') {
    const drive = st.drives.find((d) => d.id === dev.drive);
    // the property belongs to the virtio-blk-device inside the PCI proxy, and QEMU names that one
    if (drive === undefined) throw optionError(dev.origin, `Property 'virtio-blk-device.drive' can't find value '${dev.drive ?? ''}'`);
    if (st.usedDrives.has(drive.id)) throw optionError(dev.origin, `Drive '${drive.id}' is already in use by another device`);
    st.usedDrives.add(drive.id);
    checkWriteLock(drive, dev, st.writers, st.files);
  }
  const placed = { ...dev, slot };
  st.pciTaken.set(slot, placed);
  return placed;
}

/** A virtio-serial-pci's bus as ports are added: its name, the ports by number (with their names). */
interface SerialBus {
  readonly device: number;
  readonly name: string;
  readonly ports: Map<number, string | undefined>;
}

/** Ports per virtio-serial device (QEMU's default max_ports). */
const SERIAL_MAX_PORTS = 31;

/**
 * A virtconsole / virtserialport on its bus (QEMU 7.2 virtser_port_device_realize): bus= by name, or
 * the most recently created virtio-serial bus (qbus_find_recursive meets the newest child first);
 * port 0 for the first virtconsole, else the lowest free number from 1 (0 stays reserved).
 */
function placeSerialPort(dev: SerialPortDeviceSpec, buses: readonly SerialBus[], chardevs: { chardevIds: readonly string[]; used: Set<string> }): SerialPortDeviceSpec {
  const bus = dev.busName === undefined ? buses[buses.length - 1] : buses.find((b) => b.name === dev.busName);
  if (bus === undefined) {
    throw optionError(dev.origin, dev.busName === undefined ? `No 'virtio-serial-bus' bus found for device '${dev.driver}'` : `Bus '${dev.busName}' not found`);
  }
  if (dev.chardev !== undefined) {
    if (!chardevs.chardevIds.includes(dev.chardev)) throw optionError(dev.origin, `Property '${dev.driver}.chardev' can't find value '${dev.chardev}'`);
    if (chardevs.used.has(dev.chardev)) throw optionError(dev.origin, `Property '${dev.driver}.chardev' can't take value '${dev.chardev}': Device '${dev.chardev}' is in use`);
  }
  if (dev.name !== undefined && [...bus.ports.values()].includes(dev.name)) throw optionError(dev.origin, `virtio-serial-bus: A port already exists by name ${dev.name}`);
  const nr = serialPortNumber(dev, bus);
  if (dev.chardev !== undefined) chardevs.used.add(dev.chardev);
  bus.ports.set(nr, dev.name);
  return { ...dev, nr, serialDevice: bus.device };
}

function serialPortNumber(dev: SerialPortDeviceSpec, bus: SerialBus): number {
  if (dev.nr !== undefined) {
    if (dev.nr === 0 && dev.driver !== 'virtconsole') throw optionError(dev.origin, 'Port number 0 on virtio-serial devices reserved for virtconsole devices for backward compatibility.');
    if (bus.ports.has(dev.nr)) throw optionError(dev.origin, `virtio-serial-bus: A port already exists at id ${dev.nr}`);
    if (dev.nr >= SERIAL_MAX_PORTS) throw optionError(dev.origin, `virtio-serial-bus: Out-of-range port id specified, max. allowed: ${SERIAL_MAX_PORTS - 1}`);
    return dev.nr;
  }
  if (dev.driver === 'virtconsole' && !bus.ports.has(0)) return 0;
  for (let nr = 1; nr < SERIAL_MAX_PORTS; nr++) if (!bus.ports.has(nr)) return nr;
  throw optionError(dev.origin, 'virtio-serial-bus: Maximum port limit for this device reached');
}

/** A NIC's netdev= must name a -netdev no other NIC uses (QEMU's set_netdev). */
function checkNetdev(dev: VirtioPciDeviceSpec | VirtioNetMmioDeviceSpec, netdevIds: readonly string[], used: Set<string>): void {
  if (dev.netdev === undefined) return;
  if (!netdevIds.includes(dev.netdev)) throw optionError(dev.origin, `Property 'virtio-net-device.netdev' can't find value '${dev.netdev}'`);
  if (used.has(dev.netdev)) throw optionError(dev.origin, `Property 'virtio-net-device.netdev' can't take value '${dev.netdev}', it's in use`);
  used.add(dev.netdev);
}

const VIRTIO_MMIO_BUS = /^virtio-mmio-bus\.(0|[1-9][0-9]*)$/;

/** QEMU's qdev_device_add bus lookup for a virtio-bus device, with its messages. */
function placeVirtioDevice(dev: VirtioBlkDeviceSpec | VirtioNetMmioDeviceSpec, taken: boolean[]): number {
  const name = dev.busName;
  if (name === undefined) {
    for (let n = VIRTIO_MMIO_SLOTS - 1; n >= 0; n--) {
      if (!taken[n]) return (taken[n] = true, n);
    }
    throw optionError(dev.origin, `No 'virtio-bus' bus found for device '${dev.driver}'`);
  }
  if (name === 'main-system-bus') throw optionError(dev.origin, `Device '${dev.driver}' can't go on System bus`);
  const m = VIRTIO_MMIO_BUS.exec(name);
  const n = m ? Number(m[1]) : VIRTIO_MMIO_SLOTS;
  if (n >= VIRTIO_MMIO_SLOTS) throw optionError(dev.origin, `Bus '${name}' not found`);
  if (taken[n]) throw optionError(dev.origin, `Bus '${name}' is full`);
  taken[n] = true;
  return n;
}

/** QEMU's image locking: two writable users of one file in the same process conflict. */
function checkWriteLock(drive: DriveSpec, dev: DeviceSpec, writers: Map<string, DriveSpec>, files: HostFiles): void {
  if (drive.readOnly || drive.snapshot) return;
  const identity = files.identity(drive.file) ?? drive.file;
  if (writers.has(identity)) {
    throw optionError(dev.origin, `Failed to get "write" lock\nIs another process using the image [${drive.file}]?`);
  }
  writers.set(identity, drive);
}

/** The -device help listing (the part of QEMU's list that tsemu has). */
export function deviceHelpText(): string {
  return ['Storage devices:', 'name "virtio-blk-device", bus virtio-bus', 'name "virtio-blk-pci", bus PCI, alias "virtio-blk"', '',
    'Network devices:', 'name "virtio-net-device", bus virtio-bus', 'name "virtio-net-pci", bus PCI, alias "virtio-net"', '',
    'Input devices:', 'name "virtconsole", bus virtio-serial-bus', 'name "virtio-serial-pci", bus PCI, alias "virtio-serial"', 'name "virtserialport", bus virtio-serial-bus', '',
    'Misc devices:', 'name "virtio-rng-pci", bus PCI', '', 'CPU devices:', `name "rv64-riscv-cpu", desc "RISC-V RV64 hart (hot-plug; ${PROGRAM_NAME} only)"`, ''].join('\n');
}
