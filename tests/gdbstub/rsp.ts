/**
 * GDB remote protocol exchanges for the replay tier: a recording proxy (oracle: gdb-multiarch <->
 * proxy <-> QEMU) and a replayer that sends gdb's recorded packets to a stub and collects its
 * replies (npm test: the committed exchange against tsemu, no gdb and no QEMU needed).
 *
 * An exchange is a list of steps: one packet gdb sent (its payload, or "^C" for an interrupt) and
 * the packets the stub sent before gdb's next one (the reply, the O packets of qRcmd, a stop reply).
 * Acks are not recorded: both stubs ack every packet.
 */
import net from 'node:net';
import type { Json } from '../support/transcripts.js';

/** The gdb test guest (repository relative: the emulators run with the repository as cwd). */
export const GDB_GUEST = 'tests/gdbstub/guest/gdb-guest.elf';
/** The committed exchange: gdb's transcript lines and the packets, as QEMU answered them. */
export const RSP_TRANSCRIPT = 'gdbstub/session';

export interface GdbSessionTranscript {
  [key: string]: Json;
  gdb: string[];
  rsp: { gdb: string; replies: string[] }[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Wait until the stub listens (the emulator prints nothing with -S). */
export async function waitForPort(port: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The emulator's arguments after its binary, as the recipe (and the replay spec) runs them. */
export function stubArgs(port: number): string[] {
  return ['-M', 'virt', '-smp', '4', '-bios', 'none', '-kernel', GDB_GUEST, '-nographic',
    '-monitor', 'none', '-serial', 'none', '-gdb', `tcp::${port}`, '-S'];
}

export interface RspStep {
  gdb: string;
  replies: string[];
}

/** Splits a byte stream (latin1) into packet payloads and "^C"; acks and a trailing partial packet are left out. */
export function splitPackets(stream: string): { packets: string[]; rest: string } {
  const packets: string[] = [];
  let i = 0;
  for (;;) {
    while (i < stream.length && stream[i] !== '$' && stream[i] !== '\x03') i++;
    if (i >= stream.length) return { packets, rest: '' };
    if (stream[i] === '\x03') { packets.push('^C'); i++; continue; }
    const end = stream.indexOf('#', i);
    if (end < 0 || end + 2 >= stream.length) return { packets, rest: stream.slice(i) };
    packets.push(stream.slice(i + 1, end));
    i = end + 3;
  }
}

function frame(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum = (sum + payload.charCodeAt(i)) & 0xff;
  return `$${payload}#${sum.toString(16).padStart(2, '0')}`;
}

/** Reassembles packets from socket chunks. */
class PacketStream {
  private buffered = '';
  push(chunk: Buffer): string[] {
    const { packets, rest } = splitPackets(this.buffered + chunk.toString('latin1'));
    this.buffered = rest;
    return packets;
  }
}

/**
 * A proxy on a free local port that forwards one gdb connection to `upstreamPort` and records the
 * exchange. `steps()` is complete once gdb has closed its connection.
 */
export class RspRecorder {
  private readonly server = net.createServer();
  private readonly recorded: RspStep[] = [];
  private closed!: Promise<void>;

  constructor(private readonly upstreamPort: number) {}

  /** Starts listening; resolves with the port gdb must connect to. */
  listen(): Promise<number> {
    this.closed = new Promise((resolve) => {
      this.server.once('connection', (gdb) => {
        const stub = net.connect(this.upstreamPort, '127.0.0.1');
        const fromGdb = new PacketStream();
        const fromStub = new PacketStream();
        gdb.on('data', (chunk) => {
          for (const p of fromGdb.push(chunk)) this.recorded.push({ gdb: p, replies: [] });
          stub.write(chunk);
        });
        stub.on('data', (chunk) => {
          for (const p of fromStub.push(chunk)) this.recorded[this.recorded.length - 1]?.replies.push(p);
          gdb.write(chunk);
        });
        const end = (): void => { gdb.destroy(); stub.destroy(); this.server.close(); resolve(); };
        gdb.on('close', end);
        stub.on('close', end);
        gdb.on('error', end);
        stub.on('error', end);
      });
    });
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
  }

  async steps(): Promise<RspStep[]> {
    await this.closed;
    return this.recorded;
  }
}

/**
 * Sends each recorded gdb packet to the stub on `port` and waits for as many packets as the
 * recording holds for it (or `stepTimeoutMs`); returns what the stub answered, step by step.
 */
export async function replay(port: number, steps: readonly RspStep[], stepTimeoutMs: number): Promise<RspStep[]> {
  // a stub still closing the connection of waitForPort's probe turns the next one away: try again
  for (let attempt = 0; ; attempt++) {
    const out = await replayOnce(port, steps, stepTimeoutMs);
    if (out !== undefined || attempt === 50) return out ?? [];
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One replay; undefined when the stub closed the connection before answering anything. */
async function replayOnce(port: number, steps: readonly RspStep[], stepTimeoutMs: number): Promise<RspStep[] | undefined> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const stream = new PacketStream();
  const got: string[] = [];
  let answered = false;
  let wake: (() => void) | undefined;
  socket.on('data', (chunk) => {
    const packets = stream.push(chunk);
    if (packets.length > 0) socket.write('+');
    answered = true;
    got.push(...packets);
    wake?.();
  });
  socket.on('error', () => wake?.());
  socket.on('close', () => wake?.());
  const out: RspStep[] = [];
  try {
    for (const step of steps) {
      got.length = 0;
      socket.write(step.gdb === '^C' ? '\x03' : frame(step.gdb));
      const deadline = Date.now() + stepTimeoutMs;
      while (got.length < step.replies.length && Date.now() < deadline && !socket.destroyed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          wake = () => { clearTimeout(timer); resolve(); };
        });
      }
      if (!answered && socket.destroyed) return undefined;
      out.push({ gdb: step.gdb, replies: [...got] });
    }
  } finally {
    socket.destroy();
  }
  return out;
}

/** A minimal gdb: sends packets and waits for a given number of packets in answer. */
export class RspClient {
  private readonly stream = new PacketStream();
  private readonly got: string[] = [];
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      const packets = this.stream.push(chunk);
      if (packets.length > 0) socket.write('+');
      this.got.push(...packets);
      this.wake?.();
    });
    socket.on('close', () => this.wake?.());
    socket.on('error', () => this.wake?.());
  }

  /** Connects to a stub that has just started listening (retrying while it turns connections away). */
  static async connect(port: number): Promise<RspClient> {
    for (let attempt = 0; ; attempt++) {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
      const client = new RspClient(socket);
      const r = await client.request('qSupported:multiprocess+', 1, 5_000);
      if (r.length === 1 || attempt === 50) return client;
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Sends `payload` and resolves with the next `count` packets (fewer if `timeoutMs` passes or the stub hangs up). */
  async request(payload: string, count: number, timeoutMs: number): Promise<string[]> {
    this.got.length = 0;
    this.socket.write(frame(payload));
    const deadline = Date.now() + timeoutMs;
    while (this.got.length < count && Date.now() < deadline && !this.socket.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
    }
    return this.got.splice(0, count);
  }

  /** qRcmd: the monitor's output (O packets decoded) and the final reply. */
  async monitor(line: string, timeoutMs: number): Promise<{ output: string; reply: string }> {
    this.got.length = 0;
    this.socket.write(frame(`qRcmd,${Buffer.from(line, 'latin1').toString('hex')}`));
    const deadline = Date.now() + timeoutMs;
    let output = '';
    for (;;) {
      const p = this.got.shift();
      if (p !== undefined) {
        if (p.startsWith('O') && p !== 'OK') { output += Buffer.from(p.slice(1), 'hex').toString('latin1'); continue; }
        return { output, reply: p };
      }
      if (Date.now() >= deadline || this.socket.destroyed) return { output, reply: '' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
