/**
 * SiFive test finisher (QEMU 7.2 hw/misc/sifive_test.c) at 0x100000.
 *
 * A write to offset 0: low 16 bits select the action, high 16 bits are a code.
 *   0x3333 FAIL  -> QEMU calls exit(code); the host sees code & 0xff
 *   0x5555 PASS  -> exit(0)
 *   0x7777 RESET -> system reset
 * Anything else is ignored, and logged under -d guest_errors as QEMU does. Reads return 0.
 * QEMU accepts 2- and 4-byte accesses only (the vCPU refuses other sizes first).
 */
import type { AccessSize, DevicePlacement, MachineControl, MmioDevice } from './device.js';
import { NO_GUEST_LOG, type GuestLog } from './guest-log.js';

/** QEMU's region: name and valid access sizes. */
export const SIFIVE_TEST_REGION = { name: 'riscv.sifive.test', validMin: 2, validMax: 4 } as const;

export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

export interface SifiveTestOptions extends DevicePlacement {
  name?: string;
  /** Where -d guest_errors lines go. */
  log?: GuestLog;
}

export class SifiveTest implements MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  private readonly log: GuestLog;

  constructor(
    private readonly machine: MachineControl,
    options: SifiveTestOptions,
  ) {
    this.name = options.name ?? 'test';
    this.base = options.base;
    this.size = options.size;
    this.log = options.log ?? NO_GUEST_LOG;
  }

  read(_offset: number, _size: AccessSize): bigint {
    return 0n;
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (size !== 2 && size !== 4) return;
    if (offset === 0 && this.finish(value)) return;
    const val = BigInt.asUintN(64, value).toString(16).padStart(16, '0');
    this.log.guestError(`sifive_test_write: write: addr=0x${offset.toString(16)} val=0x${val}\n`);
  }

  /** The finisher's actions; false for a status it does not know. */
  private finish(value: bigint): boolean {
    const status = Number(value & 0xffffn);
    const code = Number((value >> 16n) & 0xffffn);
    switch (status) {
      case FINISHER_FAIL:
        // exit(code) in QEMU: the process status keeps only the low byte.
        this.machine.shutdown(code & 0xff);
        return true;
      case FINISHER_PASS:
        this.machine.shutdown(0);
        return true;
      case FINISHER_RESET:
        this.machine.reset();
        return true;
      default:
        return false;
    }
  }
}
