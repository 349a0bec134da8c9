/**
 * `-dtb FILE` as QEMU 7.2's virt machine handles it: the file replaces the generated device tree,
 * and QEMU still writes into its /chosen node what the command line says (bootargs from -append,
 * a fresh rng-seed, the initrd bounds), then packs it and places it by the size of its buffer.
 *
 *   load_device_tree():  buffer of 2 x (file size + 10000) bytes, fdt_open_into, fdt_check_header
 *   create_fdt():        /chosen bootargs (if -append is not empty), /chosen rng-seed
 *   virt_machine_done(): /chosen linux,initrd-start and -end (32-bit cells) after the kernel load
 *   riscv_load_fdt():    placed by fdt_totalsize() of the buffer, fdt_pack(), the whole buffer copied
 *
 * Every failure is one line with QEMU's text (findnode_nofail's and qemu_fdt_setprop*'s with
 * fdt_strerror(); load_device_tree's two lines as one) as a BootError: printed, exit status 1.
 */
import { readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { FdtBlob, fdtStrerror } from '../hw/fdt-blob.js';
import { BootError } from '../util/boot-error.js';

const INT_MAX = 0x7fffffff;

/** A -dtb blob being patched: its whole buffer (what QEMU copies into RAM and dumps). */
export class UserDtb {
  private constructor(private readonly blob: FdtBlob) {}

  /** load_device_tree() then create_fdt()'s /chosen properties. */
  static load(path: string, bootargs: string | undefined, seed: Uint8Array = randomBytes(32)): UserDtb {
    const dtb = new UserDtb(new FdtBlob(readBuffer(path)));
    if (bootargs !== undefined && bootargs !== '') dtb.setString('bootargs', bootargs);
    dtb.setBytes('rng-seed', seed);
    return dtb;
  }

  /** What QEMU places the blob by (fdt_totalsize() before fdt_pack()): the whole buffer. */
  get size(): number {
    return this.blob.buf.length;
  }

  /** virt_machine_done(): the initrd bounds, truncated to 32-bit cells as QEMU 7.2 writes them. */
  setInitrd(start: number, end: number): void {
    this.setCell('linux,initrd-start', start);
    this.setCell('linux,initrd-end', end);
  }

  /** riscv_load_fdt(): the packed tree at the start of the buffer, the rest as it was. */
  finish(): Uint8Array {
    const err = this.blob.pack();
    // QEMU asserts here ("Should only fail if we've built a corrupted tree") and aborts
    if (err) throw new BootError(`riscv_load_fdt: fdt_pack failed: ${fdtStrerror(err)}`);
    return this.blob.buf;
  }

  /** findnode_nofail(): /chosen, or QEMU's error. */
  private chosen(): number {
    const node = this.blob.pathOffset('/chosen');
    if (node < 0) throw new BootError(`findnode_nofail Couldn't find node /chosen: ${fdtStrerror(node)}`);
    return node;
  }

  private setBytes(name: string, value: Uint8Array): void {
    const err = this.blob.setProp(this.chosen(), name, value);
    if (err) throw new BootError(`qemu_fdt_setprop: Couldn't set /chosen/${name}: ${fdtStrerror(err)}`);
  }

  private setString(name: string, value: string): void {
    const err = this.blob.setProp(this.chosen(), name, new TextEncoder().encode(`${value}\0`));
    if (err) throw new BootError(`qemu_fdt_setprop_string: Couldn't set /chosen/${name} = ${value}: ${fdtStrerror(err)}`);
  }

  private setCell(name: string, value: number): void {
    const cell = value >>> 0;
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, cell);
    const err = this.blob.setProp(this.chosen(), name, bytes);
    // printf's %#08x: 0x and at least 8 characters in all (a zero value prints as 00000000)
    const text = cell === 0 ? '00000000' : `0x${cell.toString(16).padStart(6, '0')}`;
    if (err) throw new BootError(`qemu_fdt_setprop_cell: Couldn't set /chosen/${name} = ${text}: ${fdtStrerror(err)}`);
  }
}

/**
 * load_device_tree()'s failure in one line: QEMU prints the reason on a line of its own, then
 * create_fdt()'s "load_device_tree() failed"; tsemu says that last line and adds the reason.
 */
function loadFailed(reason: string): BootError {
  return new BootError(`load_device_tree() failed: ${reason}`);
}

/** The file in a zeroed buffer of 2 x (size + 10000) bytes, opened as libfdt's fdt_open_into does. */
function readBuffer(path: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch {
    throw loadFailed(`Unable to get size of device tree file '${path}'`);
  }
  if (size > INT_MAX / 2 - 10000) throw loadFailed(`Device tree file '${path}' is too large`);
  const buf = new Uint8Array((size + 10000) * 2);
  try {
    buf.set(readFileSync(path).subarray(0, buf.length));
  } catch {
    throw loadFailed(`Unable to open device tree file '${path}'`);
  }
  const blob = new FdtBlob(buf);
  const err = blob.openInPlace();
  if (err) throw loadFailed(`load_device_tree: Unable to copy device tree into memory: ${fdtStrerror(err)}`);
  if (blob.checkHeader()) throw loadFailed(`Device tree file loaded into memory is invalid: ${path}`);
  return buf;
}
