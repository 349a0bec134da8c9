/**
 * -global DRIVER.PROPERTY=VALUE (or driver=D,property=P,value=V), after QEMU
 * 7.2's qemu_global_option() and the way qdev applies global properties:
 *
 * - `virtio-mmio` (the eight transports virt always creates) has QEMU's three
 *   properties, checked when the machine is built, with QEMU's messages:
 *   `force-legacy` (the transport version, QEMU 7.2's default on),
 *   `ioeventfd` and `format_transport_address` (accepted; nothing in tsemu
 *   depends on them);
 * - `virtio-blk-device` properties are checked when such a device is created
 *   (src/cli/drive.ts): unknown ones fail there, as in QEMU;
 * - a class QEMU does not know only gets QEMU's warning.
 * Later settings of the same property win.
 */
import { type OptionError, optionError, optionWarning } from './option-error.js';
import { lastValue, parseOptParams } from './qemu-opts.js';

export interface GlobalProperty {
  readonly driver: string;
  readonly property: string;
  readonly value: string;
  /** "-global ..." as written. */
  readonly origin: string;
}

/** The settings tsemu's devices take from -global. */
export interface GlobalSettings {
  /** virtio-mmio.force-legacy: version 1 transports (true, QEMU 7.2's default) or version 2. */
  readonly virtioMmioForceLegacy: boolean;
}

const VIRTIO_MMIO_BOOLS = ['force-legacy', 'ioeventfd', 'format_transport_address'];
/** virtio-blk-device properties of QEMU 7.2 that tsemu's model does not take. */
const VIRTIO_BLK_QEMU_PROPS = [
  'drive', 'logical_block_size', 'physical_block_size', 'min_io_size', 'opt_io_size', 'discard_granularity',
  'write-cache', 'share-rw', 'rerror', 'werror', 'cyls', 'heads', 'secs', 'lcyls', 'lheads', 'lsecs', 'serial',
  'config-wce', 'scsi', 'request-merging', 'num-queues', 'queue-size', 'seg-max-adjust', 'iothread', 'discard',
  'report-discard-granularity', 'write-zeroes', 'max-discard-sectors', 'max-write-zeroes-sectors',
  'x-enable-wce-if-config-wce', 'indirect_desc', 'event_idx', 'notify_on_empty', 'any_layout', 'iommu_platform',
  'packed', 'queue_reset', 'use-started', 'use-disabled-flag', 'x-disable-legacy-check',
];
/** Device classes of QEMU's virt machine whose properties tsemu does not model. */
const OTHER_QEMU_CLASSES = [
  'riscv.sifive.plic', 'riscv.aclint.mtimer', 'riscv.aclint.swi', 'riscv.sifive.test', 'goldfish_rtc', 'serial-mm',
  'serial', 'riscv.hart_array', 'rv64-riscv-cpu', 'riscv-cpu', 'cfi.pflash01', 'gpex-pcihost', 'virtio-blk-pci',
  'virtio-net-device', 'virtio-net-pci', 'virtio-rng-device', 'virtio-serial-device', 'virtio-gpu-device',
  'virtio-9p-device', 'virtio-device', 'virtio-pci', 'virt-machine', 'platform-bus-device', 'e1000', 'nvme',
  'usb-storage', 'scsi-hd', 'ide-hd', 'loader',
];

/** Splits one -global argument the way qemu_global_option() does. */
export function parseGlobal(arg: string, where: string): GlobalProperty {
  // sscanf("%63[^.=].%63[^=]%n") followed by '='
  const m = /^([^.=]{1,63})\.([^=]{1,63})=/.exec(arg);
  if (m) return { driver: m[1] ?? '', property: m[2] ?? '', value: arg.slice(m[0].length), origin: where };
  // (QEMU first warns about a short-form boolean like `-global foo`; tsemu keeps the error line only)
  const { params } = parseOptParams(arg, { style: 'qemu-opts' }, where);
  const bad = params.find((p) => !['driver', 'property', 'value'].includes(p.key));
  if (bad !== undefined) throw optionError(where, `Invalid parameter '${bad.key}'`);
  const driver = lastValue(params, 'driver');
  const property = lastValue(params, 'property');
  if (driver === undefined) throw optionError(where, "Parameter 'driver' is missing");
  if (property === undefined) throw optionError(where, "Parameter 'property' is missing");
  return { driver, property, value: lastValue(params, 'value') ?? '', origin: where };
}

/** QEMU's qapi boolean: on/yes/true/y or off/no/false/n, nothing else. */
function parseQapiBool(value: string): boolean | undefined {
  if (['on', 'yes', 'true', 'y'].includes(value)) return true;
  if (['off', 'no', 'false', 'n'].includes(value)) return false;
  return undefined;
}

function cantApply(g: GlobalProperty, why: string, where?: string): OptionError {
  return optionError(where, `can't apply global ${g.driver}.${g.property}=${g.value}: ${why}`);
}

/**
 * Applies the virtio-mmio globals (QEMU does it when virt creates its
 * transports) and warns about unknown classes; returns the settings.
 */
export function resolveGlobals(globals: readonly GlobalProperty[], warnings: string[]): GlobalSettings {
  let forceLegacy = true;
  for (const g of globals) {
    if (g.driver === 'virtio-mmio') {
      if (!VIRTIO_MMIO_BOOLS.includes(g.property)) throw cantApply(g, `Property 'virtio-mmio.${g.property}' not found`);
      const on = parseQapiBool(g.value);
      if (on === undefined) throw cantApply(g, `Parameter '${g.property}' expects 'on' or 'off'`);
      if (g.property === 'force-legacy') forceLegacy = on;
    } else if (g.driver === 'virtio-blk-device') {
      if (VIRTIO_BLK_QEMU_PROPS.includes(g.property)) {
        throw optionError(g.origin, `global property '${g.driver}.${g.property}' is not supported by tsemu`);
      }
    } else if (OTHER_QEMU_CLASSES.includes(g.driver)) {
      throw optionError(g.origin, `global property '${g.driver}.${g.property}' is not supported by tsemu`);
    } else {
      warnings.push(optionWarning(undefined, `global ${g.driver}.${g.property} has invalid class name`));
    }
  }
  return { virtioMmioForceLegacy: forceLegacy };
}

/** QEMU applies virtio-blk-device globals when the device is created: an unknown property fails that -device. */
export function checkVirtioBlkGlobals(globals: readonly GlobalProperty[], deviceOrigin: string): void {
  for (const g of globals) {
    if (g.driver === 'virtio-blk-device' && !VIRTIO_BLK_QEMU_PROPS.includes(g.property)) {
      throw cantApply(g, `Property 'virtio-blk-device.${g.property}' not found`, deviceOrigin);
    }
  }
}
