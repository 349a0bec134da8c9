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
 * addresses 4 GiB, and the soft TLB keeps RAM offsets in signed 32-bit words: so the
 * WebAssembly memory holds the first LOW_RAM_LIMIT (2 GiB) of RAM ("low RAM"), and
 * machines with more (-m 8G) keep the rest in one more SharedArrayBuffer ("high RAM").
 * High RAM never enters the soft TLB: every tier reaches it through the context's slow
 * path (src/vcpu/context.ts), which keeps its own JS-side cache of high pages. Machines
 * of 2 GiB or less have no high RAM and run exactly as before.
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Granule of self-modifying-code detection inside a page. */
export const CODE_CHUNK_SHIFT = 7;
const CODE_CHUNK_BYTES = 1 << CODE_CHUNK_SHIFT;

/** RAM the WebAssembly memory holds (low RAM); RAM above it is high RAM (a separate buffer). */
export const LOW_RAM_LIMIT = 2 * 1024 * 1024 * 1024;
/**
 * High RAM is one SharedArrayBuffer seen through typed arrays of this many bytes each (V8 caps a
 * typed array at 2^32 elements); aligned accesses of up to 8 bytes never straddle two of them.
 */
export const HIGH_BANK_BYTES = 1024 * 1024 * 1024;

/** WebAssembly pages (64 KiB) wasm32 can address: 4 GiB. */
export const WASM_MAX_PAGES = 65536;
const WASM_PAGE_BYTES = 65536;

/** Buffers that make up guest memory; sent to every worker at start-up. */
export interface GuestMemoryBuffers {
  ramBase: number;
  /** Low RAM from offset 0, min(ramSize, LOW_RAM_LIMIT) bytes; with `wasm`, its buffer, where state areas follow RAM. */
  ram: SharedArrayBuffer;
  /** All of RAM, low and high. */
  ramSize: number;
  /** RAM above LOW_RAM_LIMIT (ramSize - LOW_RAM_LIMIT bytes, at ramBase + LOW_RAM_LIMIT), or undefined. */
  high: SharedArrayBuffer | undefined;
  /**
   * Flash banks code may run from (src/hw/pflash-cfi01.ts's FlashShared: base, contents, mode
   * table), set by the board once it made them; empty until then and on machines without flash.
   */
  flash: FlashBank[];
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

/** A flash bank as fetches see it (src/hw/pflash-cfi01.ts publishes it). */
export interface FlashBank {
  base: number;
  /** The contents (the bank's size is its length). */
  bytes: SharedArrayBuffer;
  /** Int32 [0] 1 in read-array (romd) mode; [1] the device's answer past the table; [2 + w] its answer at bank word w. */
  mode: SharedArrayBuffer;
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
  const pages = Math.ceil(ramSize / PAGE_SIZE);
  const lowSize = Math.min(ramSize, LOW_RAM_LIMIT);
  let ram: SharedArrayBuffer;
  let wasm: WebAssembly.Memory | undefined;
  let stateAreasOffset = -1;
  let arenaOffset = -1;
  const arenaBytes = stateAreas?.arenaBytes ?? 0;
  if (stateAreas === undefined) {
    ram = new SharedArrayBuffer(lowSize);
  } else {
    stateAreasOffset = Math.ceil(lowSize / 4096) * 4096;
    arenaOffset = stateAreasOffset + Math.ceil((stateAreas.count * stateAreas.bytes) / 4096) * 4096;
    const wasmPages = Math.ceil((arenaOffset + arenaBytes) / WASM_PAGE_BYTES);
    if (wasmPages > WASM_MAX_PAGES) throw new RangeError(`guest RAM of ${lowSize} bytes and ${stateAreas.count} vCPU states do not fit the 4 GiB of a WebAssembly memory`);
    wasm = new WebAssembly.Memory({ initial: wasmPages, maximum: wasmPages, shared: true });
    ram = wasm.buffer as SharedArrayBuffer;
  }
  return {
    ramBase,
    ram,
    ramSize,
    high: ramSize > lowSize ? new SharedArrayBuffer(ramSize - lowSize) : undefined,
    flash: [],
    wasm,
    stateAreasOffset,
    arenaOffset: arenaBytes > 0 ? arenaOffset : -1,
    arenaBytes,
    romBase,
    rom: new SharedArrayBuffer(romSize),
    codePages: new SharedArrayBuffer(pages),
    codeChunks: new SharedArrayBuffer(pages << (PAGE_SHIFT - CODE_CHUNK_SHIFT)),
    pageGen: new SharedArrayBuffer(pages * 4),
    codeEpoch: new SharedArrayBuffer(8), // [0] the epoch, [1] flash holds translated code
    debug: new SharedArrayBuffer(8 * (WATCH_BASE + 3 * MAX_WATCHPOINTS)),
    cpuFeatures,
  };
}

/** Typed views over guest memory for one thread. */
export class GuestMemory {
  readonly ramBase: number;
  /** All of RAM, low and high. */
  readonly ramSize: number;
  /** Bytes of low RAM (the typed views below): ramSize, or LOW_RAM_LIMIT on a machine with high RAM. */
  readonly lowSize: number;
  /** Physical address of the first byte of high RAM (ramBase + lowSize). */
  readonly highBase: number;
  /** Views of high RAM, HIGH_BANK_BYTES each (empty without high RAM). */
  readonly highU8: Uint8Array[] = [];
  readonly highU16: Uint16Array[] = [];
  readonly highU32: Uint32Array[] = [];
  readonly highI32: Int32Array[] = [];
  readonly highI64: BigInt64Array[] = [];
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
    const size = Math.min(buffers.ramSize, LOW_RAM_LIMIT);
    this.ramBase = buffers.ramBase;
    this.ramSize = buffers.ramSize;
    this.lowSize = size;
    this.highBase = buffers.ramBase + size;
    if (buffers.high !== undefined) this.mapHigh(buffers.high);
    this.romBase = buffers.romBase;
    this.romSize = buffers.rom.byteLength;
    // views of RAM only: the vCPU state areas after it are not guest memory
    this.m8 = new Int8Array(ram, 0, size);
    this.mu8 = new Uint8Array(ram, 0, size);
    this.m16 = new Int16Array(ram, 0, size >>> 1);
    this.mu16 = new Uint16Array(ram, 0, size >>> 1);
    this.m32 = new Int32Array(ram, 0, size >>> 2);
    this.mu32 = new Uint32Array(ram, 0, size >>> 2);
    this.m64 = new BigInt64Array(ram, 0, size >>> 3);
    this.rom = new Uint8Array(buffers.rom);
    this.codePages = new Uint8Array(buffers.codePages);
    this.codeChunks = new Uint8Array(buffers.codeChunks);
    this.pageGen = new Int32Array(buffers.pageGen);
    this.codeEpoch = new Int32Array(buffers.codeEpoch);
    this.debug32 = new Int32Array(buffers.debug);
    this.debug64 = new Float64Array(buffers.debug);
    this.cpuFeatures = buffers.cpuFeatures;
  }

  private mapHigh(high: SharedArrayBuffer): void {
    for (let at = 0; at < high.byteLength; at += HIGH_BANK_BYTES) {
      const len = Math.min(HIGH_BANK_BYTES, high.byteLength - at);
      this.highU8.push(new Uint8Array(high, at, len));
      this.highU16.push(new Uint16Array(high, at, len >> 1));
      this.highU32.push(new Uint32Array(high, at, len >> 2));
      this.highI32.push(new Int32Array(high, at, len >> 2));
      this.highI64.push(new BigInt64Array(high, at, len >> 3));
    }
  }

  /** Current code epoch: translations made under an older epoch must be dropped. */
  get epoch(): number {
    return Atomics.load(this.codeEpoch, 0);
  }

  /** Invalidate every translation everywhere (callers also kick the vCPUs so they notice at once). */
  bumpEpoch(): void {
    Atomics.store(this.codeEpoch, 1, 0); // no translation of the new epoch comes from flash yet
    Atomics.add(this.codeEpoch, 0, 1);
  }

  /**
   * A vCPU is about to translate code in a flash bank (called before it reads the bytes, so a
   * write to the bank that does not see this flag has already changed what it reads).
   */
  noteFlashCode(): void {
    Atomics.store(this.codeEpoch, 1, 1);
  }

  /** Was code translated from flash since the last epoch? Only then must a flash write drop translations. */
  get flashHoldsCode(): boolean {
    return Atomics.load(this.codeEpoch, 1) !== 0;
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

  /** Byte offset of `pa` in low RAM (the typed views, the soft TLB), or -1: not RAM, or high RAM. */
  ramOffset(pa: number): number {
    const off = pa - this.ramBase;
    return off >= 0 && off < this.lowSize ? off : -1;
  }

  /** Byte offset of `pa` in high RAM, or -1 (always -1 on machines of LOW_RAM_LIMIT or less). */
  highOffset(pa: number): number {
    const off = pa - this.highBase;
    return off >= 0 && off < this.ramSize - this.lowSize ? off : -1;
  }

  /** Is `pa` RAM, low or high? */
  isRam(pa: number): boolean {
    const off = pa - this.ramBase;
    return off >= 0 && off < this.ramSize;
  }

  /**
   * Index of the RAM page holding `pa` (low and high RAM numbered together, as codePages and
   * pageGen are), or -1 if `pa` is not RAM.
   */
  ramPage(pa: number): number {
    const off = pa - this.ramBase;
    return off >= 0 && off < this.ramSize ? Math.floor(off / PAGE_SIZE) : -1;
  }

  /** Offset of `pa` from the start of RAM (what codeWritten and markCode take), or -1. */
  ramIndex(pa: number): number {
    const off = pa - this.ramBase;
    return off >= 0 && off < this.ramSize ? off : -1;
  }

  /** Read `size` bytes at high-RAM offset `h` (within one page; little-endian) as an unsigned bigint. */
  readHigh(h: number, size: number): bigint {
    const bank = Math.floor(h / HIGH_BANK_BYTES);
    const o = h - bank * HIGH_BANK_BYTES;
    if ((o & (size - 1)) === 0) {
      switch (size) {
        case 1: return BigInt(this.highU8[bank][o]);
        case 2: return BigInt(this.highU16[bank][o >> 1]);
        case 4: return BigInt(this.highU32[bank][o >> 2]);
        default: return BigInt.asUintN(64, this.highI64[bank][o >> 3]);
      }
    }
    const u8 = this.highU8[bank];
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(u8[o + i]);
    return v;
  }

  /** Write `size` bytes at high-RAM offset `h` (within one page). */
  writeHigh(h: number, size: number, value: bigint): void {
    const bank = Math.floor(h / HIGH_BANK_BYTES);
    const o = h - bank * HIGH_BANK_BYTES;
    if ((o & (size - 1)) === 0) {
      switch (size) {
        case 1: this.highU8[bank][o] = Number(value & 0xffn); return;
        case 2: this.highU16[bank][o >> 1] = Number(value & 0xffffn); return;
        case 4: this.highU32[bank][o >> 2] = Number(value & 0xffffffffn); return;
        default: this.highI64[bank][o >> 3] = BigInt.asIntN(64, value); return;
      }
    }
    const u8 = this.highU8[bank];
    for (let i = 0; i < size; i++) u8[o + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }

  /**
   * The typed array and element index of the aligned 32-bit (`size` 4) or 64-bit word at
   * physical `pa` in RAM, for atomics (LR/SC, AMOs, PTE updates); undefined if not RAM.
   */
  word32(pa: number): { a: Int32Array; i: number } | undefined {
    const off = this.ramOffset(pa);
    if (off >= 0) return { a: this.m32, i: off >> 2 };
    const h = this.highOffset(pa);
    if (h < 0) return undefined;
    const bank = Math.floor(h / HIGH_BANK_BYTES);
    return { a: this.highI32[bank], i: (h - bank * HIGH_BANK_BYTES) >> 2 };
  }

  word64(pa: number): { a: BigInt64Array; i: number } | undefined {
    const off = this.ramOffset(pa);
    if (off >= 0) return { a: this.m64, i: off >> 3 };
    const h = this.highOffset(pa);
    if (h < 0) return undefined;
    const bank = Math.floor(h / HIGH_BANK_BYTES);
    return { a: this.highI64[bank], i: (h - bank * HIGH_BANK_BYTES) >> 3 };
  }

  /**
   * Copy `length` bytes of RAM at physical `pa` (low, high or both) out; undefined unless all of
   * it is RAM. Debugger, monitor and instrumentation reads.
   */
  readRamBytes(pa: number, length: number): Uint8Array | undefined {
    if (length === 0) return new Uint8Array(0);
    if (!this.isRam(pa) || !this.isRam(pa + length - 1)) return undefined;
    const out = new Uint8Array(length);
    this.copyRam(pa, length, (bytes, at) => out.set(bytes, at));
    return out;
  }

  /** Copy `bytes` into RAM at physical `pa`; false (nothing written) unless all of it is RAM. */
  writeRamBytes(pa: number, bytes: Uint8Array): boolean {
    if (bytes.length === 0) return true;
    if (!this.isRam(pa) || !this.isRam(pa + bytes.length - 1)) return false;
    this.copyRam(pa, bytes.length, (view, at) => view.set(bytes.subarray(at, at + view.length)));
    return true;
  }

  /** Call `visit` with live views of the RAM pieces [pa, pa + length) spans (checked by the caller), in order. */
  private copyRam(pa: number, length: number, visit: (view: Uint8Array, at: number) => void): void {
    let at = 0;
    while (at < length) {
      const a = pa + at;
      const off = this.ramOffset(a);
      let view: Uint8Array;
      if (off >= 0) {
        view = this.mu8.subarray(off, Math.min(this.lowSize, off + length - at));
      } else {
        const h = this.highOffset(a);
        const bank = Math.floor(h / HIGH_BANK_BYTES);
        const o = h - bank * HIGH_BANK_BYTES;
        view = this.highU8[bank].subarray(o, Math.min(this.highU8[bank].length, o + length - at));
      }
      visit(view, at);
      at += view.length;
    }
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

  /** Views of the flash banks, made on first use (the board adds the banks after this object exists). */
  private flashViews: { base: number; end: number; u16: Uint16Array; mode: Int32Array }[] | undefined;

  private flashBank(pa: number): { base: number; end: number; u16: Uint16Array; mode: Int32Array } | undefined {
    this.flashViews ??= this.buffers.flash.map((f) => ({ base: f.base, end: f.base + f.bytes.byteLength, u16: new Uint16Array(f.bytes), mode: new Int32Array(f.mode) }));
    for (const v of this.flashViews) if (pa >= v.base && pa < v.end) return v;
    return undefined;
  }

  /** Is `pa` in a flash bank (code may be fetched from it)? */
  isFlash(pa: number): boolean {
    return this.buffers.flash.length !== 0 && this.flashBank(pa) !== undefined;
  }

  /**
   * The 16-bit instruction parcel a fetch at `pa` in a flash bank reads (`pa` even): the array in
   * read-array mode, else the device's answer for that bank word truncated to 16 bits (QEMU's
   * fetch through pflash_read). -1 if `pa` is not flash.
   */
  flashHalf(pa: number): number {
    const b = this.flashBank(pa);
    if (b === undefined) return -1;
    const off = pa - b.base;
    if (Atomics.load(b.mode, 0) === 1) return b.u16[off >> 1];
    const word = off >> 2;
    return (word + 2 < b.mode.length ? b.mode[word + 2] : b.mode[1]) & 0xffff;
  }

  readRom(pa: number, size: number): bigint {
    const off = pa - this.romBase;
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(off + i < this.romSize ? this.rom[off + i] : 0);
    return v;
  }

  /** Copy bytes into RAM or ROM at physical address `pa` (loaders). Returns false if out of range. */
  load(pa: number, bytes: Uint8Array): boolean {
    if (this.isRam(pa) && this.writeRamBytes(pa, bytes)) return true;
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
    // offsets of high RAM reach past 2^32: divide, not shift
    const first = Math.floor(off / CODE_CHUNK_BYTES);
    const last = Math.floor((off + size - 1) / CODE_CHUNK_BYTES);
    let hit = false;
    for (let c = first; c <= last; c++) if (this.codeChunks[c] !== 0) hit = true;
    if (!hit) return false;
    const page = Math.floor(off / PAGE_SIZE);
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
    if (base < 0) return this.highOffset(pa) < 0 || this.highHoldsCode(this.highOffset(pa), fetched);
    const m16 = this.mu16;
    for (let i = 0; i < fetched.length; i += 2) {
      const at = (base + fetched[i]) >> 1;
      const raw = fetched[i + 1];
      const now = (raw & 3) === 3 ? (m16[at] | (m16[at + 1] << 16)) : m16[at];
      if (now !== raw) return false;
    }
    return true;
  }

  private highHoldsCode(h: number, fetched: readonly number[]): boolean {
    for (let i = 0; i < fetched.length; i += 2) {
      const raw = fetched[i + 1];
      const at = h + fetched[i];
      const lo = Number(this.readHigh(at, 2));
      const now = (raw & 3) === 3 ? lo | (Number(this.readHigh(at + 2, 2)) << 16) : lo;
      if (now !== raw) return false;
    }
    return true;
  }

  /** Record that a block covers RAM bytes [off, off+len): stores there must now take the slow path. */
  markCode(off: number, len: number): void {
    for (let c = Math.floor(off / CODE_CHUNK_BYTES); c <= Math.floor((off + len - 1) / CODE_CHUNK_BYTES); c++) this.codeChunks[c] = 1;
    for (let p = Math.floor(off / PAGE_SIZE); p <= Math.floor((off + len - 1) / PAGE_SIZE); p++) Atomics.store(this.codePages, p, 1);
  }
}
