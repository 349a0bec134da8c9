/**
 * SiFive test finisher (QEMU 7.2 hw/misc/sifive_test.c) at 0x100000.
 *
 * A write to offset 0: low 16 bits select the action, high 16 bits are a code.
 *   0x3333 FAIL  -> QEMU calls exit(code); the host sees code & 0xff
 *   0x5555 PASS  -> exit(0)
 *   0x7777 RESET -> system reset
 * Anything else is ignored (QEMU only logs it). Reads return 0.
 * QEMU accepts 2- and 4-byte accesses only; other sizes are ignored here.
 */
import type { AccessSize, DevicePlacement, MachineControl, MmioDevice } from './device.js';

export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

export interface SifiveTestOptions extends DevicePlacement {
  name?: string;
}

export class SifiveTest implements MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;

  constructor(
    private readonly machine: MachineControl,
    options: SifiveTestOptions,
  ) {
    this.name = options.name ?? 'test';
    this.base = options.base;
    this.size = options.size;
  }

  read(_offset: number, _size: AccessSize): bigint {
    return 0n;
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (offset !== 0 || (size !== 2 && size !== 4)) return;
    const status = Number(value & 0xffffn);
    const code = Number((value >> 16n) & 0xffffn);
    switch (status) {
      case FINISHER_FAIL:
        // exit(code) in QEMU: the process status keeps only the low byte.
        this.machine.shutdown(code & 0xff);
        return;
      case FINISHER_PASS:
        this.machine.shutdown(0);
        return;
      case FINISHER_RESET:
        this.machine.reset();
        return;
      default:
        return;
    }
  }
}
