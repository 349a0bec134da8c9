/**
 * One gdb connection speaking QEMU 7.2's gdbstub dialect for riscv64 (gdbstub/gdbstub.c): the
 * packets, their replies and error numbers as QEMU sends them. All-stop: when one vCPU stops,
 * every vCPU stops before the stop reply goes out.
 */
import type { DebugStopKind, GdbTarget, GdbWatchpoint } from './target.js';
import { FEATURES } from './target-xml.js';
import { fromHex, PacketReader, textToHex, toHex, unescapeBinary, frame } from './packets.js';

const GDB_SIGNAL_INT = 2;
const GDB_SIGNAL_TRAP = 5;
/** QEMU's MAX_PACKET_LENGTH (PacketSize=1000 hex) and the qXfer chunk it allows. */
const MAX_PACKET_LENGTH = 4096;
const XFER_CHUNK = (MAX_PACKET_LENGTH - 5) >> 1;
/** Registers of the `g` packet: x0-x31 and pc (QEMU's gdb_num_core_regs). */
const CORE_REGS = 33;
const ERR = 'E14'; // EFAULT, what QEMU answers for unreadable registers and memory
const EINVAL = 'E22';

type Action = 'c' | 's';

export class GdbSession {
  private readonly reader = new PacketReader();
  private multiprocess = false;
  /** Thread for register and memory packets (Hg) and for c/s (Hc): vCPU indexes. */
  private gCpu: number;
  private cCpu: number;
  /** gdb waits for a stop reply. */
  private running = false;
  private threadCursor = 0;
  private readonly breakpoints = new Set<number>();
  /** gdb's watchpoints, newest first (QEMU inserts gdb's at the head of each vCPU's list). */
  private watchpoints: GdbWatchpoint[] = [];
  private stepping = false;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly target: GdbTarget, private readonly write: (text: string) => void) {
    this.gCpu = this.cCpu = target.cpus()[0] ?? 0;
  }

  /** Bytes from gdb (latin1). */
  receive(chunk: string): void {
    for (const m of this.reader.push(chunk)) {
      if (m.kind === 'interrupt') this.run(() => this.interrupt());
      else if (m.kind === 'packet') {
        this.write('+');
        const payload = m.payload;
        this.run(() => this.handle(payload));
      }
    }
  }

  /** A vCPU stopped for the debugger (breakpoint, step, watchpoint at `addr`). */
  debugStop(cpu: number, kind: DebugStopKind, addr?: bigint): void {
    this.run(async () => {
      if (!this.running) return; // another vCPU reported first: one stop reply
      await this.stopAll(true);
      this.gCpu = this.cCpu = cpu;
      // QEMU's gdb_vm_state_change: "T05thread:p01.01;awatch:0000000080001070;"
      const watch = addr !== undefined && (kind === 'watch' || kind === 'rwatch' || kind === 'awatch')
        ? `${kind}:${BigInt.asUintN(64, addr).toString(16).padStart(16, '0')};` : '';
      this.send(`T${hex2(GDB_SIGNAL_TRAP)}thread:${this.threadId(cpu)};${watch}`);
    });
  }

  /** The connection ended without D: like QEMU, nothing changes (a stopped machine stays stopped). */
  close(): void {
    this.closed = true;
  }

  private run(op: () => Promise<void> | void): void {
    this.queue = this.queue.then(op).catch(() => undefined);
  }

  private send(payload: string): void {
    if (!this.closed) this.write(frame(payload));
  }

  private threadId(cpu: number): string {
    return this.multiprocess ? `p01.${hex2(cpu + 1)}` : hex2(cpu + 1);
  }

  /** A thread id as gdb writes it: cpu index, 'all' (-1), 'any' (0), or undefined if unknown. */
  private parseThread(text: string): number | 'all' | 'any' | undefined {
    let tid = text;
    if (text.startsWith('p')) {
      const dot = text.indexOf('.');
      tid = dot < 0 ? '-1' : text.slice(dot + 1);
    }
    if (tid === '-1') return 'all';
    const n = parseInt(tid, 16);
    if (Number.isNaN(n)) return undefined;
    if (n === 0) return 'any';
    return this.target.cpus().includes(n - 1) ? n - 1 : undefined;
  }

  private async stopAll(debug: boolean): Promise<void> {
    this.running = false;
    await this.target.stopAll(debug);
  }

  private async interrupt(): Promise<void> {
    if (!this.running) return;
    await this.stopAll(false);
    this.send(`T${hex2(GDB_SIGNAL_INT)}thread:${this.threadId(this.cCpu)};`);
  }

  private applyDebug(step: boolean): void {
    if (step !== this.stepping || step) this.stepping = step;
    this.target.setDebug([...this.breakpoints], step);
  }

  private async resume(actions: Map<number, Action>): Promise<void> {
    const run = [...actions.keys()];
    const step = run.filter((c) => actions.get(c) === 's');
    if (run.length === 0) return;
    const wasStepping = this.stepping;
    if (step.length > 0 || wasStepping) this.applyDebug(step.length > 0);
    this.running = true;
    await this.target.resume(run, step);
  }

  private async detach(): Promise<void> {
    this.breakpoints.clear();
    this.clearWatchpoints();
    this.stepping = false;
    this.target.setDebug([], false);
    this.running = false;
    await this.target.resume(this.target.cpus(), []);
  }

  private async handle(p: string): Promise<void> {
    const reply = await this.reply(p);
    if (reply !== undefined) this.send(reply);
  }

  /** The reply to one packet; undefined when the reply comes later (a stop reply) or never. */
  private async reply(p: string): Promise<string | undefined> {
    switch (p[0]) {
      case '?':
        // QEMU: gdb is (re)connecting, its breakpoints and watchpoints go
        this.breakpoints.clear();
        this.clearWatchpoints();
        this.target.setDebug([], false);
        return `T${hex2(GDB_SIGNAL_TRAP)}thread:${this.threadId(this.cCpu)};`;
      case 'g': return this.readCore();
      case 'G': return this.writeCore(p.slice(1));
      case 'p': return this.readReg(parseInt(p.slice(1), 16));
      case 'P': return this.writeReg(p.slice(1));
      case 'm': return this.readMem(p.slice(1));
      case 'M': return this.writeMem(p.slice(1), false);
      case 'X': return this.writeMem(p.slice(1), true);
      case 'Z': case 'z': return this.breakpoint(p[0] === 'Z', p.slice(1));
      case 'H': return this.setThread(p[1], p.slice(2));
      case 'T': return this.parseThread(p.slice(1)) === undefined ? EINVAL : 'OK';
      case 'c': case 'C': return this.resumeAll('c');
      case 's': case 'S': return this.resumeAll('s');
      case 'v': return this.vPacket(p);
      case 'q': case 'Q': return this.query(p);
      case 'D':
        await this.detach();
        return 'OK';
      case 'k':
        this.target.kill();
        return undefined;
      default: return '';
    }
  }

  private async resumeAll(action: Action): Promise<undefined> {
    const actions = new Map<number, Action>();
    if (action === 's') actions.set(this.cCpu, 's');
    else for (const c of this.target.cpus()) actions.set(c, 'c');
    await this.resume(actions);
    return undefined;
  }

  private async vPacket(p: string): Promise<string | undefined> {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (!p.startsWith('vCont;')) return p.startsWith('vKill') ? (this.target.kill(), undefined) : '';
    // QEMU's gdb_handle_vcont: threads without an action stay stopped
    const actions = new Map<number, Action>();
    for (const part of p.slice('vCont;'.length).split(';')) {
      const [act, thread] = part.split(':');
      const a = act[0];
      if (a !== 'c' && a !== 's' && a !== 'C' && a !== 'S') return 'E95'; // -ENOTSUP, as QEMU
      const action: Action = a === 'c' || a === 'C' ? 'c' : 's';
      const t = thread === undefined ? 'all' : this.parseThread(thread);
      if (t === undefined) return EINVAL;
      const cpus = t === 'all' ? this.target.cpus() : [t === 'any' ? this.target.cpus()[0] : t];
      for (const c of cpus) if (!actions.has(c)) actions.set(c, action);
    }
    await this.resume(actions);
    return undefined;
  }

  private setThread(op: string, thread: string): string {
    const t = this.parseThread(thread);
    if (t === undefined) return EINVAL;
    const cpu = t === 'all' || t === 'any' ? this.target.cpus()[0] : t;
    if (op === 'g') this.gCpu = cpu;
    else if (op === 'c') this.cCpu = cpu;
    else return EINVAL;
    return 'OK';
  }

  private async query(p: string): Promise<string> {
    if (p.startsWith('qSupported')) {
      this.multiprocess = p.includes('multiprocess+');
      return `PacketSize=${MAX_PACKET_LENGTH.toString(16)};qXfer:features:read+;vContSupported+${this.multiprocess ? ';multiprocess+' : ''}`;
    }
    if (p.startsWith('qXfer:features:read:')) return this.xfer(p.slice('qXfer:features:read:'.length));
    if (p === 'qfThreadInfo') { this.threadCursor = 0; return this.nextThread(); }
    if (p === 'qsThreadInfo') return this.nextThread();
    if (p.startsWith('qThreadExtraInfo,')) {
      const t = this.parseThread(p.slice('qThreadExtraInfo,'.length));
      if (typeof t !== 'number') return EINVAL;
      return textToHex(`CPU#${t} [${this.target.isHalted(t) ? 'halted ' : 'running'}]`);
    }
    // QEMU answers the first vCPU of g_cpu's process: with one process, always the first vCPU
    if (p === 'qC') return `QC${this.threadId(this.target.cpus()[0] ?? 0)}`;
    if (p.startsWith('qAttached')) return '1';
    if (p.startsWith('qRcmd,')) {
      const line = Buffer.from(p.slice('qRcmd,'.length), 'hex').toString('latin1');
      const out = await this.target.monitorCommand(line, this.gCpu);
      for (let i = 0; i < out.length; i += XFER_CHUNK >> 1) this.send(`O${textToHex(out.slice(i, i + (XFER_CHUNK >> 1)))}`);
      return 'OK';
    }
    return '';
  }

  private nextThread(): string {
    const cpus = this.target.cpus();
    if (this.threadCursor >= cpus.length) return 'l';
    return `m${this.threadId(cpus[this.threadCursor++])}`;
  }

  private xfer(args: string): string {
    const m = /^([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args);
    if (!m) return 'E22';
    const xml = FEATURES.get(m[1]);
    if (xml === undefined) return 'E00';
    const off = parseInt(m[2], 16);
    const len = Math.min(parseInt(m[3], 16), XFER_CHUNK);
    if (off >= xml.length) return 'l';
    return off + len < xml.length ? `m${xml.slice(off, off + len)}` : `l${xml.slice(off)}`;
  }

  private readCore(): string {
    let out = '';
    for (let n = 0; n < CORE_REGS; n++) out += toHex(this.target.readRegister(this.gCpu, n) ?? new Uint8Array(8));
    return out;
  }

  private writeCore(hex: string): string {
    const bytes = fromHex(hex);
    if (!bytes) return EINVAL;
    for (let n = 0; n < CORE_REGS && (n + 1) * 8 <= bytes.length; n++) this.target.writeRegister(this.gCpu, n, bytes.subarray(n * 8, n * 8 + 8));
    return 'OK';
  }

  private readReg(n: number): string {
    const v = Number.isNaN(n) ? undefined : this.target.readRegister(this.gCpu, n);
    return v ? toHex(v) : ERR;
  }

  private writeReg(args: string): string {
    const [n, value] = args.split('=');
    const bytes = fromHex(value ?? '');
    if (!bytes) return EINVAL;
    return this.target.writeRegister(this.gCpu, parseInt(n, 16), bytes) ? 'OK' : ERR;
  }

  private async readMem(args: string): Promise<string> {
    const [a, l] = args.split(',');
    const len = parseInt(l ?? '', 16);
    if (a === undefined || Number.isNaN(len)) return EINVAL;
    if (len > MAX_PACKET_LENGTH / 2) return EINVAL;
    const bytes = await this.target.readMemory(this.gCpu, BigInt(`0x${a}`), len);
    return bytes ? toHex(bytes) : ERR;
  }

  private async writeMem(args: string, binary: boolean): Promise<string> {
    const colon = args.indexOf(':');
    const [a, l] = args.slice(0, colon).split(',');
    const len = parseInt(l ?? '', 16);
    if (colon < 0 || a === undefined || Number.isNaN(len)) return EINVAL;
    const bytes = binary ? unescapeBinary(args.slice(colon + 1)) : fromHex(args.slice(colon + 1));
    if (!bytes || bytes.length !== len) return EINVAL;
    if (len === 0) return 'OK';
    return (await this.target.writeMemory(this.gCpu, BigInt(`0x${a}`), bytes)) ? 'OK' : ERR;
  }

  private clearWatchpoints(): void {
    if (this.watchpoints.length === 0) return;
    this.watchpoints = [];
    this.target.setWatchpoints([]);
  }

  /**
   * Z2/Z3/Z4 and z2/z3/z4 as QEMU's cpu_watchpoint_insert/remove: an empty or wrapping range is
   * E22, and so is removing a watchpoint that is not there; equal ones may be inserted twice.
   */
  private watchpoint(insert: boolean, type: 2 | 3 | 4, addrText: string, lenText: string): string {
    const addr = BigInt.asUintN(64, BigInt(`0x${addrText}`));
    const len = parseInt(lenText, 16);
    if (insert) {
      if (!(len > 0) || addr + BigInt(len) - 1n > 0xffffffffffffffffn) return EINVAL;
      this.watchpoints.unshift({ addr, len, type });
    } else {
      const i = this.watchpoints.findIndex((w) => w.addr === addr && w.len === len && w.type === type);
      if (i < 0) return EINVAL;
      this.watchpoints.splice(i, 1);
    }
    this.target.setWatchpoints(this.watchpoints);
    return 'OK';
  }

  private breakpoint(insert: boolean, args: string): string {
    const [type, addr, kind] = args.split(',');
    if (type === '2' || type === '3' || type === '4') {
      if (!/^[0-9a-fA-F]+$/.test(addr ?? '') || !/^[0-9a-fA-F]+$/.test(kind ?? '')) return EINVAL;
      return this.watchpoint(insert, Number(type) as 2 | 3 | 4, addr, kind);
    }
    if (type !== '0' && type !== '1') return '';
    const pc = Number(BigInt.asIntN(64, BigInt(`0x${addr ?? '0'}`)));
    if (insert) this.breakpoints.add(pc);
    else this.breakpoints.delete(pc);
    this.target.setDebug([...this.breakpoints], this.stepping);
    return 'OK';
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
