/**
 * Guest physical memory as one thread sees it: RAM and the boot ROM in
 * SharedArrayBuffers (the same bytes in every worker), code-page tracking
 * shared with the translator, and a port for everything else (MMIO).
 *
 * A machine's RAM is the start of one shared WebAssembly.Memory (its buffer is a
 * SharedArrayBuffer like any other), followed by one state area per possible vCPU
 * (src/abi/state-layout.ts: registers, CSRs, soft TLB): WebAssembly code can import
 * one memory only (Node 20 has no multi-memory), and a compiled block reaches guest
 * RAM, the vCPU's registers and its TLB in it (src/tcg/backend-wasm.ts). wasm32
 * addresses 4 GiB: RAM (at most MAX_RAM_SIZE, 2 GiB, see src/cli/size.ts) plus the
 * state areas of the largest machine (16 vCPUs, about 2.4 MiB) always fit.
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Granule of self-modifying-code detection inside a page. */
export const CODE_CHUNK_SHIFT = 7;

/** WebAssembly pages (64 KiB) wasm32 can address: 4 GiB. */
export const WASM_MAX_PAGES = 65536;
const WASM_PAGE_BYTES = 65536;

/** Buffers that make up guest memory; sent to every worker at start-up. */
export interface GuestMemoryBuffers {
  ramBase: number;
  /** RAM from offset 0, `ramSize` bytes; with `wasm`, its buffer, where state areas follow RAM. */
  ram: SharedArrayBuffer;
  ramSize: number;
  /** The shared WebAssembly.Memory whose buffer is `ram`, or undefined for a plain buffer (unit tests). */
  wasm: WebAssembly.Memory | undefined;
  /** Byte offset in `ram` of the first vCPU state area (STATE_AREA_BYTES each), or -1 when there are none. */
  stateAreasOffset: number;
  /**
   * Byte offset in `ram` (the WebAssembly memory) of the counter arena after the state areas, and
   * its size: instrumentation scoreboards are allocated there while it has room, so WebAssembly
   * blocks add to them inline (src/instr/manager.ts); -1 and 0 when there is none.
   */
  arenaOffset: number;
  arenaBytes: number;
  romBase: number;
  rom: SharedArrayBuffer;
  /** One byte per RAM page: 1 if some translated block was read from it. */
  codePages: SharedArrayBuffer;
  /** One byte per code chunk: 1 if a translated block covers bytes in it. */
  codeChunks: SharedArrayBuffer;
  /** One Int32 per RAM page: bumped whenever code in that page changes (invalidates its blocks). */
  pageGen: SharedArrayBuffer;
  /** Int32 [0]: bumped when every translation must go (trace state or instrumentation changed). */
  codeEpoch: SharedArrayBuffer;
  /**
   * The debugger's table (gdbstub), read by translators and run loops in every thread: Int32 [0] the
   * number of breakpoints, [1] one instruction per block while set; Float64 [1..MAX_BREAKPOINTS]
   * the breakpoint pcs (as the pc slot holds them); then the watchpoints: Int32 [WATCH_COUNT]
   * their number, [WATCH_COUNT + 1] bumped when they change (vCPUs then empty their soft TLB),
   * and from Float64 [WATCH_BASE] MAX_WATCHPOINTS triples (address as a signed number, length,
   * WATCH_* flags), the newest first.
   */
  debug: SharedArrayBuffer;
  /**
   * Bits every translator reads with the code: which optional extensions the CPU has (their
   * meaning is src/target/riscv/isa.ts's; memory only carries them to each thread). -1: all.
   */
  cpuFeatures: number;
}

/** Breakpoints the shared table holds (QEMU has no limit; gdb rarely sets more than a few). */
export const MAX_BREAKPOINTS = 255;
/** Watchpoints the shared table holds (each one makes its pages slow, so gdb users set few). */
export const MAX_WATCHPOINTS = 64;
/** Watchpoint flags, QEMU's BP_MEM_READ / BP_MEM_WRITE (an access watchpoint has both). */
export const WATCH_READ = 1;
export const WATCH_WRITE = 2;
/** Int32 index of the watchpoint count (the generation follows), and Float64 index of the first triple. */
const WATCH_COUNT = 2 * (MAX_BREAKPOINTS + 1);
const WATCH_BASE = MAX_BREAKPOINTS + 2;

/** One watchpoint of the shared table. */
export interface Watchpoint {
  /** Guest virtual address as a signed number (as the pc slot holds addresses). */
  addr: number;
  len: number;
  /** WATCH_READ | WATCH_WRITE bits. */
  flags: number;
}

/**
 * Guest memory buffers. With `stateAreas` (a count and the bytes of each), RAM and that many vCPU
 * state areas are one shared WebAssembly.Memory; without, RAM is a plain SharedArrayBuffer (no
 * WebAssembly tier: unit tests, the interpreter primer).
 */
export function createGuestMemoryBuffers(
  ramBase: number, ramSize: number, romBase: number, romSize: number, stateAreas?: { count: number; bytes: number; arenaBytes?: number }, cpuFeatures = -1,
): GuestMemoryBuffers {
  const pages = ramSize >>> PAGE_SHIFT;
  let ram: SharedArrayBuffer;
  let wasm: WebAssembly.Memory | undefined;
  let stateAreasOffset = -1;
  let arenaOffset = -1;
  const arenaBytes = stateAreas?.arenaBytes ?? 0;
  if (stateAreas === undefined) {
    ram = new SharedArrayBuffer(ramSize);
  } else {
    stateAreasOffset = Math.ceil(ramSize / 4096) * 4096;
    arenaOffset = stateAreasOffset + Math.ceil((stateAreas.count * stateAreas.bytes) / 4096) * 4096;
    const wasmPages = Math.ceil((arenaOffset + arenaBytes) / WASM_PAGE_BYTES);
    if (wasmPages > WASM_MAX_PAGES) throw new RangeError(`guest RAM of ${ramSize} bytes and ${stateAreas.count} vCPU states do not fit the 4 GiB of a WebAssembly memory`);
    wasm = new WebAssembly.Memory({ initial: wasmPages, maximum: wasmPages, shared: true });
    ram = wasm.buffer as SharedArrayBuffer;
  }
  return {
    ramBase,
    ram,
    ramSize,
    wasm,
    stateAreasOffset,
    arenaOffset: arenaBytes > 0 ? arenaOffset : -1,
    arenaBytes,
    romBase,
    rom: new SharedArrayBuffer(romSize),
    codePages: new SharedArrayBuffer(pages),
    codeChunks: new SharedArrayBuffer(ramSize >>> CODE_CHUNK_SHIFT),
    pageGen: new SharedArrayBuffer(pages * 4),
    codeEpoch: new SharedArrayBuffer(4),
    debug: new SharedArrayBuffer(8 * (WATCH_BASE + 3 * MAX_WATCHPOINTS)),
    cpuFeatures,
  };
}

/** Typed views over guest memory for one thread. */
export class GuestMemory {
  readonly ramBase: number;
  readonly ramSize: number;
  readonly romBase: number;
  readonly romSize: number;
  readonly m8: Int8Array;
  readonly mu8: Uint8Array;
  readonly m16: Int16Array;
  readonly mu16: Uint16Array;
  readonly m32: Int32Array;
  readonly mu32: Uint32Array;
  readonly m64: BigInt64Array;
  readonly rom: Uint8Array;
  readonly codePages: Uint8Array;
  readonly codeChunks: Uint8Array;
  readonly pageGen: Int32Array;
  readonly codeEpoch: Int32Array;
  readonly debug32: Int32Array;
  readonly debug64: Float64Array;
  /** GuestMemoryBuffers.cpuFeatures. */
  readonly cpuFeatures: number;

  constructor(readonly buffers: GuestMemoryBuffers) {
    const ram = buffers.ram;
    const size = buffers.ramSize;
    this.ramBase = buffers.ramBase;
    this.ramSize = size;
    this.romBase = buffers.romBase;
    this.romSize = buffers.rom.byteLength;
    // views of RAM only: the vCPU state areas after it are not guest memory
    this.m8 = new Int8Array(ram, 0, size);
    this.mu8 = new Uint8Array(ram, 0, size);
    this.m16 = new Int16Array(ram, 0, size >> 1);
    this.mu16 = new Uint16Array(ram, 0, size >> 1);
    this.m32 = new Int32Array(ram, 0, size >> 2);
    this.mu32 = new Uint32Array(ram, 0, size >> 2);
    this.m64 = new BigInt64Array(ram, 0, size >> 3);
    this.rom = new Uint8Array(buffers.rom);
    this.codePages = new Uint8Array(buffers.codePages);
    this.codeChunks = new Uint8Array(buffers.codeChunks);
    this.pageGen = new Int32Array(buffers.pageGen);
    this.codeEpoch = new Int32Array(buffers.codeEpoch);
    this.debug32 = new Int32Array(buffers.debug);
    this.debug64 = new Float64Array(buffers.debug);
    this.cpuFeatures = buffers.cpuFeatures;
  }

  /** Current code epoch: translations made under an older epoch must be dropped. */
  get epoch(): number {
    return Atomics.load(this.codeEpoch, 0);
  }

  /** Invalidate every translation everywhere (callers also kick the vCPUs so they notice at once). */
  bumpEpoch(): void {
    Atomics.add(this.codeEpoch, 0, 1);
  }

  /** Breakpoints are set (the run loops check each block's pc, translators end blocks before them). */
  get hasBreakpoints(): boolean {
    return this.debug32[0] !== 0;
  }

  /** Translate one instruction per block (gdb single-step, -singlestep). */
  get oneInsnPerBlock(): boolean {
    return (this.debug32[1] & 1) !== 0;
  }

  /**
   * `-d nochain`: blocks as QEMU cuts them (a branch or jump ends one; no superblocks across
   * not-taken branches and followed jumps), so -d exec logs QEMU's blocks.
   */
  get basicBlocks(): boolean {
    return (this.debug32[1] & 2) !== 0;
  }

  setBasicBlocks(on: boolean): void {
    if (on) Atomics.or(this.debug32, 1, 2);
    else Atomics.and(this.debug32, 1, ~2);
  }

  breakpointAt(pc: number): boolean {
    const n = this.debug32[0];
    for (let i = 1; i <= n; i++) if (this.debug64[i] === pc) return true;
    return false;
  }

  /** Replace the breakpoint table (main thread; the caller then drops every translation). */
  setBreakpoints(pcs: readonly number[]): void {
    const n = Math.min(pcs.length, MAX_BREAKPOINTS);
    for (let i = 0; i < n; i++) this.debug64[i + 1] = pcs[i];
    Atomics.store(this.debug32, 0, n);
  }

  setOneInsnPerBlock(on: boolean): void {
    if (on) Atomics.or(this.debug32, 1, 1);
    else Atomics.and(this.debug32, 1, ~1);
  }

  /** Watchpoints are set: soft-TLB fills and slow-path accesses look at the table. */
  get watchCount(): number {
    return this.debug32[WATCH_COUNT];
  }

  /** Changes whenever the watchpoint table does (each vCPU then empties its soft TLB). */
  get watchGeneration(): number {
    return Atomics.load(this.debug32, WATCH_COUNT + 1);
  }

  /**
   * Replace the watchpoint table (main thread), newest first as QEMU keeps gdb's (the first
   * match names the stop); the caller then makes every vCPU look at the generation.
   */
  setWatchpoints(list: readonly Watchpoint[]): void {
    const n = Math.min(list.length, MAX_WATCHPOINTS);
    for (let i = 0; i < n; i++) {
      const w = WATCH_BASE + 3 * i;
      this.debug64[w] = list[i].addr;
      this.debug64[w + 1] = list[i].len;
      this.debug64[w + 2] = list[i].flags;
    }
    Atomics.store(this.debug32, WATCH_COUNT, n);
    Atomics.add(this.debug32, WATCH_COUNT + 1, 1);
  }

  /** Index of the first watchpoint with one of `flags` overlapping [addr, addr + len), or -1 (QEMU's watchpoint_address_matches). */
  watchHit(addr: number, len: number, flags: number): number {
    const n = this.debug32[WATCH_COUNT];
    for (let i = 0; i < n; i++) {
      const w = WATCH_BASE + 3 * i;
      if ((this.debug64[w + 2] & flags) === 0) continue;
      const start = this.debug64[w];
      if (addr <= start + this.debug64[w + 1] - 1 && start <= addr + len - 1) return i;
    }
    return -1;
  }

  /** Watchpoint `i` of the table. */
  watchpoint(i: number): Watchpoint {
    const w = WATCH_BASE + 3 * i;
    return { addr: this.debug64[w], len: this.debug64[w + 1], flags: this.debug64[w + 2] };
  }

  /** Byte offset of `pa` in RAM, or -1. */
  ramOffset(pa: number): number {
    const off = pa - this.ramBase;
    return off >= 0 && off < this.ramSize ? off : -1;
  }

  /** Alias used by the page walker. */
  get ram64(): BigInt64Array {
    return this.m64;
  }

  isRom(pa: number): boolean {
    return pa >= this.romBase && pa < this.romBase + this.romSize;
  }

  /** Read `size` bytes at RAM offset `off` (little-endian, any alignment) as an unsigned bigint. */
  readRam(off: number, size: number): bigint {
    if ((off & (size - 1)) === 0) {
      switch (size) {
        case 1: return BigInt(this.mu8[off]);
        case 2: return BigInt(this.mu16[off >> 1]);
        case 4: return BigInt(this.mu32[off >> 2]);
        default: return BigInt.asUintN(64, this.m64[off >> 3]);
      }
    }
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.mu8[off + i]);
    return v;
  }

  writeRam(off: number, size: number, value: bigint): void {
    if ((off & (size - 1)) === 0) {
      switch (size) {
        case 1: this.mu8[off] = Number(value & 0xffn); return;
        case 2: this.mu16[off >> 1] = Number(value & 0xffffn); return;
        case 4: this.mu32[off >> 2] = Number(value & 0xffffffffn); return;
        default: this.m64[off >> 3] = BigInt.asIntN(64, value); return;
      }
    }
    for (let i = 0; i < size; i++) this.mu8[off + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }

  readRom(pa: number, size: number): bigint {
    const off = pa - this.romBase;
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(off + i < this.romSize ? this.rom[off + i] : 0);
    return v;
  }

  /** Copy bytes into RAM or ROM at physical address `pa` (loaders). Returns false if out of range. */
  load(pa: number, bytes: Uint8Array): boolean {
    const off = this.ramOffset(pa);
    if (off >= 0 && off + bytes.length <= this.ramSize) {
      this.mu8.set(bytes, off);
      return true;
    }
    if (this.isRom(pa) && pa + bytes.length <= this.romBase + this.romSize) {
      this.rom.set(bytes, pa - this.romBase);
      return true;
    }
    return false;
  }

  /**
   * A write touched RAM bytes [off, off+size): if any translated code covers
   * them, invalidate the page's blocks. Returns true when code was hit.
   */
  codeWritten(off: number, size: number): boolean {
    const first = off >>> CODE_CHUNK_SHIFT;
    const last = (off + size - 1) >>> CODE_CHUNK_SHIFT;
    let hit = false;
    for (let c = first; c <= last; c++) if (this.codeChunks[c] !== 0) hit = true;
    if (!hit) return false;
    const page = off >>> PAGE_SHIFT;
    const chunksPerPage = 1 << (PAGE_SHIFT - CODE_CHUNK_SHIFT);
    this.codeChunks.fill(0, page * chunksPerPage, (page + 1) * chunksPerPage);
    Atomics.store(this.codePages, page, 0);
    Atomics.add(this.pageGen, page, 1);
    return true;
  }

  /**
   * Does RAM at `pa` still hold the instructions a translation decoded
   * (`fetched`: [byte offset from pa, raw bits] pairs, all on pa's page)?
   * Stores through a TLB fast path that predates the page becoming code are
   * not seen by the page generation; this sees them. Not RAM: true (ROM is fixed).
   */
  holdsCode(pa: number, fetched: readonly number[]): boolean {
    const base = this.ramOffset(pa);
    if (base < 0) return true;
    const m16 = this.mu16;
    for (let i = 0; i < fetched.length; i += 2) {
      const at = (base + fetched[i]) >> 1;
      const raw = fetched[i + 1];
      const now = (raw & 3) === 3 ? (m16[at] | (m16[at + 1] << 16)) : m16[at];
      if (now !== raw) return false;
    }
    return true;
  }

  /** Record that a block covers RAM bytes [off, off+len): stores there must now take the slow path. */
  markCode(off: number, len: number): void {
    for (let c = off >>> CODE_CHUNK_SHIFT; c <= (off + len - 1) >>> CODE_CHUNK_SHIFT; c++) this.codeChunks[c] = 1;
    for (let p = off >>> PAGE_SHIFT; p <= (off + len - 1) >>> PAGE_SHIFT; p++) Atomics.store(this.codePages, p, 1);
  }
}
