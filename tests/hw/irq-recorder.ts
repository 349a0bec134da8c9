/** Test helpers: an IrqLine and a HartIrqSink that remember what they were told. */
import type { HartIrqSink, IrqLine } from '../../src/hw/device.js';

export class RecordingIrq implements IrqLine {
  level = false;
  changes: boolean[] = [];
  set(level: boolean): void {
    this.level = level;
    this.changes.push(level);
  }
}

export class RecordingSink implements HartIrqSink {
  /** Current level per "hart:bit". */
  readonly levels = new Map<string, boolean>();
  calls = 0;
  setHartIrq(hartId: number, mipBit: number, level: boolean): void {
    this.levels.set(`${hartId}:${mipBit}`, level);
    this.calls++;
  }
  level(hart: number, bit: number): boolean {
    return this.levels.get(`${hart}:${bit}`) ?? false;
  }
}
