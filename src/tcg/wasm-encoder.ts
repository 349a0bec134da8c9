/**
 * A small WebAssembly binary encoder, only what backend-wasm.ts emits: LEB128 numbers, the
 * sections of a module (types, imports, functions, exports, code) and the instructions of
 * function bodies. Every instruction is written twice, as bytes and as a line of WAT-like text,
 * so `-d out_asm` prints exactly what was compiled.
 *
 * Reference: the WebAssembly core specification 1.0, binary format (chapter 5), plus the
 * threads proposal's shared memory limits (flag 3), which Node 20 supports.
 */

import { ByteBuffer } from '../util/byte-buffer.js';

export const enum ValType { I32 = 0x7f, I64 = 0x7e, F64 = 0x7c }

const VAL_NAME: Record<ValType, string> = { [ValType.I32]: 'i32', [ValType.I64]: 'i64', [ValType.F64]: 'f64' };

/** Where LEB128 numbers and names are written: a ByteBuffer, or a plain array (tests). */
export interface ByteSink {
  push(byte: number): unknown;
}

/** Unsigned LEB128 of a non-negative integer below 2^32. */
export function uleb(out: ByteSink, n: number): void {
  let v = n >>> 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>>= 7;
    if (v === 0) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** Signed LEB128 of any 64-bit integer (i32.const takes the int32's value, i64.const the int64's). */
export function sleb(out: ByteSink, n: bigint): void {
  if (n >= -0x80000000n && n <= 0x7fffffffn) {
    slebInt32(out, Number(n));
    return;
  }
  let v = n;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** Signed LEB128 of an int32, without BigInt (most constants: compiling is on the guest's time). */
function slebInt32(out: ByteSink, n: number): void {
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** Bytes of an f64 constant (little-endian, as the host). */
const f64Scratch = new Float64Array(1);
const f64Bytes = new Uint8Array(f64Scratch.buffer);

/** A name (import or export): tsemu's are ASCII, so one byte per character. */
function name(out: ByteSink, s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7e) throw new Error(`wasm encoder: non-ASCII name ${s}`);
    out.push(c);
  }
}

/** Opcodes without immediates, by their text name. */
const SIMPLE = {
  'unreachable': 0x00, 'return': 0x0f, 'drop': 0x1a, 'select': 0x1b,
  'i32.eqz': 0x45, 'i32.eq': 0x46, 'i32.ne': 0x47, 'i32.lt_u': 0x49,
  'i64.eqz': 0x50, 'i64.eq': 0x51, 'i64.ne': 0x52, 'i64.lt_s': 0x53, 'i64.lt_u': 0x54,
  'i64.gt_s': 0x55, 'i64.gt_u': 0x56, 'i64.le_s': 0x57, 'i64.le_u': 0x58, 'i64.ge_s': 0x59, 'i64.ge_u': 0x5a,
  'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.and': 0x71, 'i32.or': 0x72, 'i32.shl': 0x74, 'i32.shr_u': 0x76,
  'i64.add': 0x7c, 'i64.sub': 0x7d, 'i64.mul': 0x7e, 'i64.div_s': 0x7f, 'i64.div_u': 0x80,
  'i64.rem_s': 0x81, 'i64.rem_u': 0x82, 'i64.and': 0x83, 'i64.or': 0x84, 'i64.xor': 0x85,
  'i64.shl': 0x86, 'i64.shr_s': 0x87, 'i64.shr_u': 0x88, 'i64.clz': 0x79, 'i64.ctz': 0x7a, 'i64.popcnt': 0x7b,
  'f64.ne': 0x62, 'f64.add': 0xa0,
  'i32.wrap_i64': 0xa7, 'i64.extend_i32_s': 0xac, 'i64.extend_i32_u': 0xad,
  'f64.convert_i32_u': 0xb8, 'f64.convert_i64_s': 0xb9,
} as const;
export type SimpleOp = keyof typeof SIMPLE;

/** Memory accesses: opcode and log2 of the natural alignment. */
const MEMORY = {
  'i32.load': [0x28, 2], 'i64.load': [0x29, 3], 'f64.load': [0x2b, 3], 'i32.load8_u': [0x2d, 0],
  'i64.load8_s': [0x30, 0], 'i64.load8_u': [0x31, 0], 'i64.load16_s': [0x32, 1], 'i64.load16_u': [0x33, 1],
  'i64.load32_s': [0x34, 2], 'i64.load32_u': [0x35, 2],
  'i32.store': [0x36, 2], 'i64.store': [0x37, 3], 'f64.store': [0x39, 3],
  'i64.store8': [0x3c, 0], 'i64.store16': [0x3d, 1], 'i64.store32': [0x3e, 2],
} as const;
export type MemoryOp = keyof typeof MEMORY;

/** Atomic accesses of the threads proposal (prefix 0xfe): opcode and log2 of the (required) natural alignment. */
const ATOMIC = {
  'i32.atomic.load': [0x10, 2], 'i64.atomic.load': [0x11, 3],
  'i32.atomic.rmw.add': [0x1e, 2], 'i64.atomic.rmw.add': [0x1f, 3],
  'i32.atomic.rmw.and': [0x2c, 2], 'i64.atomic.rmw.and': [0x2d, 3],
  'i32.atomic.rmw.or': [0x33, 2], 'i64.atomic.rmw.or': [0x34, 3],
  'i32.atomic.rmw.xor': [0x3a, 2], 'i64.atomic.rmw.xor': [0x3b, 3],
  'i32.atomic.rmw.xchg': [0x41, 2], 'i64.atomic.rmw.xchg': [0x42, 3],
  'i32.atomic.rmw.cmpxchg': [0x48, 2], 'i64.atomic.rmw.cmpxchg': [0x49, 3],
} as const;
export type AtomicOp = keyof typeof ATOMIC;

const LOCAL = { 'local.get': 0x20, 'local.set': 0x21, 'local.tee': 0x22 } as const;

/**
 * One function body being written: its locals (after the parameters), its instructions as
 * bytes, the same as text lines, and the labels of the structured blocks it is inside (so a
 * branch names its target and the encoder works out the depth).
 */
export class FunctionBody {
  private readonly code = new ByteBuffer();
  /** The text lines, when asked for (making them costs more than the bytes). */
  readonly text: string[] | undefined;
  private readonly localTypes: ValType[] = [];
  private readonly localNames: string[] = [];
  private readonly labels: (string | undefined)[] = [];

  constructor(private readonly paramCount: number, withText = true) {
    this.text = withText ? [] : undefined;
  }

  /** A new local of `type`; its index (after the parameters). */
  local(type: ValType, label: string): number {
    this.localTypes.push(type);
    this.localNames.push(label);
    return this.paramCount + this.localTypes.length - 1;
  }

  private line(s: string): void {
    this.text?.push('  '.repeat(this.labels.length + 1) + s);
  }

  private localName(index: number): string {
    const i = index - this.paramCount;
    return i >= 0 ? `$${this.localNames[i]}` : `$p${index}`;
  }

  /** A line of text only (`;; ...`): what the next instructions belong to. */
  comment(s: string): void {
    if (this.text) this.line(`;; ${s}`);
  }

  op(name: SimpleOp): void {
    this.code.push(SIMPLE[name]);
    if (this.text) this.line(name);
  }

  localOp(name: keyof typeof LOCAL, index: number): void {
    this.code.push(LOCAL[name]);
    uleb(this.code, index);
    if (this.text) this.line(`${name} ${this.localName(index)}`);
  }

  globalGet(index: number, label: string): void {
    this.code.push(0x23);
    uleb(this.code, index);
    if (this.text) this.line(`global.get $${label}`);
  }

  i32Const(v: number): void {
    this.code.push(0x41);
    slebInt32(this.code, v);
    if (this.text) this.line(`i32.const ${v | 0}`);
  }

  i64Const(v: bigint): void {
    this.code.push(0x42);
    sleb(this.code, BigInt.asIntN(64, v));
    if (this.text) this.line(`i64.const ${BigInt.asIntN(64, v)}`);
  }

  f64Const(v: number): void {
    this.code.push(0x44);
    f64Scratch[0] = v;
    for (let i = 0; i < 8; i++) this.code.push(f64Bytes[i]);
    if (this.text) this.line(`f64.const ${v}`);
  }

  /** A load or store at the address on the stack plus the constant `offset` (unsigned 32-bit). */
  memory(name: MemoryOp, offset: number): void {
    const [opcode, align] = MEMORY[name];
    this.code.push(opcode);
    uleb(this.code, align);
    uleb(this.code, offset);
    if (this.text) this.line(offset === 0 ? name : `${name} offset=${offset >>> 0}`);
  }

  /** An atomic access on the shared memory, at the address on the stack plus `offset`. */
  atomic(name: AtomicOp, offset: number): void {
    const [opcode, align] = ATOMIC[name];
    this.code.push(0xfe);
    uleb(this.code, opcode);
    uleb(this.code, align);
    uleb(this.code, offset);
    if (this.text) this.line(offset === 0 ? name : `${name} offset=${offset >>> 0}`);
  }

  call(index: number, label: string): void {
    this.code.push(0x10);
    uleb(this.code, index);
    if (this.text) this.line(`call $${label}`);
  }

  /** return_call (the tail-call proposal, on in Node 20): leave this function by calling `index` in its place. */
  returnCall(index: number, label: string): void {
    this.code.push(0x12);
    uleb(this.code, index);
    if (this.text) this.line(`return_call $${label}`);
  }

  /** table.get of table 0, then ref.is_null: is entry `i32 on the stack` empty? */
  tableEntryIsNull(): void {
    this.code.push(0x25); this.code.push(0x00); this.code.push(0xd1);
    if (this.text) {
      this.line('table.get 0');
      this.line('ref.is_null');
    }
  }

  /** return_call_indirect through table 0 (entry index on the stack) to a function of type `typeIndex`. */
  returnCallIndirect(typeIndex: number, label: string): void {
    this.code.push(0x13);
    uleb(this.code, typeIndex);
    this.code.push(0x00);
    if (this.text) this.line(`return_call_indirect (type ${typeIndex}) ;; ${label}`);
  }

  /** block / loop / if, with an optional result type; `label` names it for br. */
  open(kind: 'block' | 'loop' | 'if', label?: string, result?: ValType): void {
    this.code.push(kind === 'block' ? 0x02 : kind === 'loop' ? 0x03 : 0x04);
    this.code.push(result ?? 0x40);
    if (this.text) this.line(`${kind}${label ? ` $${label}` : ''}${result ? ` (result ${VAL_NAME[result]})` : ''}`);
    this.labels.push(label);
  }

  else(): void {
    this.code.push(0x05);
    this.labels.pop();
    this.line('else');
    this.labels.push(undefined);
  }

  end(): void {
    this.code.push(0x0b);
    this.labels.pop();
    this.line('end');
  }

  /** Branch to the enclosing block, loop or if named `label`. */
  br(label: string): void {
    const depth = this.labels.length - 1 - this.labels.lastIndexOf(label);
    if (depth >= this.labels.length) throw new Error(`wasm encoder: no enclosing label ${label}`);
    this.code.push(0x0c);
    uleb(this.code, depth);
    if (this.text) this.line(`br $${label}`);
  }

  /** br_table on the i32 on the stack: to `labels[i]`, or `fallback` when it is out of range. */
  brTable(labels: readonly string[], fallback: string): void {
    const depth = (label: string): number => {
      const d = this.labels.length - 1 - this.labels.lastIndexOf(label);
      if (d >= this.labels.length) throw new Error(`wasm encoder: no enclosing label ${label}`);
      return d;
    };
    this.code.push(0x0e);
    uleb(this.code, labels.length);
    for (const l of labels) uleb(this.code, depth(l));
    uleb(this.code, depth(fallback));
    if (this.text) this.line(`br_table ${labels.map((l) => `$${l}`).join(' ')} $${fallback}`);
  }

  /** The body as the code section wants it: size, locals (run-length), instructions, end. */
  encode(): Uint8Array {
    const locals = new ByteBuffer(16);
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(locals, runs.length);
    for (const [n, t] of runs) {
      uleb(locals, n);
      locals.push(t);
    }
    const size = locals.length + this.code.length + 1;
    const out = new ByteBuffer(size + 5);
    uleb(out, size);
    out.pushBytes(locals.bytes());
    out.pushBytes(this.code.bytes());
    out.push(0x0b);
    return out.bytes();
  }

  /** The local declarations as text lines. */
  localsText(): string[] {
    return this.localTypes.map((t, i) => `  (local $${this.localNames[i]} ${VAL_NAME[t]})`);
  }
}

export interface FuncType {
  params: readonly ValType[];
  results: readonly ValType[];
}

/** A module: imports (one shared memory, immutable globals, functions), functions, exports. */
export class ModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly typeKeys: string[] = [];
  private readonly funcImports: { module: string; field: string; type: number }[] = [];
  private readonly globalImports: { module: string; field: string; type: ValType }[] = [];
  private memoryImport: { module: string; field: string; pages: number } | undefined;
  private tableImport: { module: string; field: string } | undefined;
  private readonly functions: { type: number; body: FunctionBody }[] = [];
  private readonly exports: { name: string; func: number }[] = [];

  /** Index of function type `t`, added once. */
  typeIndex(t: FuncType): number {
    const key = `${t.params.join(',')}>${t.results.join(',')}`;
    let i = this.typeKeys.indexOf(key);
    if (i < 0) {
      i = this.types.push(t) - 1;
      this.typeKeys.push(key);
    }
    return i;
  }

  /** Import a shared memory of exactly `pages` 64 KiB pages. */
  importSharedMemory(module: string, field: string, pages: number): void {
    this.memoryImport = { module, field, pages };
  }

  /** Import a growable table of function references (table 0). */
  importFuncTable(module: string, field: string): void {
    this.tableImport = { module, field };
  }

  /** Import an immutable global; its index. Globals must be imported before any are used. */
  importGlobal(module: string, field: string, type: ValType): number {
    return this.globalImports.push({ module, field, type }) - 1;
  }

  /** Import a function; its index. Every import comes before the first `addFunction`. */
  importFunction(module: string, field: string, type: FuncType): number {
    if (this.functions.length > 0) throw new Error('wasm encoder: function imports must come first');
    return this.funcImports.push({ module, field, type: this.typeIndex(type) }) - 1;
  }

  /** The index the next added function will have. */
  get nextFunctionIndex(): number {
    return this.funcImports.length + this.functions.length;
  }

  addFunction(type: FuncType, body: FunctionBody, exportName?: string): number {
    const index = this.nextFunctionIndex;
    this.functions.push({ type: this.typeIndex(type), body });
    if (exportName !== undefined) this.exports.push({ name: exportName, func: index });
    return index;
  }

  encode(): Uint8Array {
    const out = new ByteBuffer(4096);
    for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.push(b);
    const section = (id: number, write: (s: ByteBuffer) => void): void => {
      const s = new ByteBuffer();
      write(s);
      out.push(id);
      uleb(out, s.length);
      out.pushBytes(s.bytes());
    };
    section(1, (s) => {
      uleb(s, this.types.length);
      for (const t of this.types) {
        s.push(0x60);
        uleb(s, t.params.length);
        for (const p of t.params) s.push(p);
        uleb(s, t.results.length);
        for (const r of t.results) s.push(r);
      }
    });
    section(2, (s) => {
      uleb(s, this.funcImports.length + this.globalImports.length + (this.memoryImport ? 1 : 0) + (this.tableImport ? 1 : 0));
      if (this.tableImport) {
        name(s, this.tableImport.module);
        name(s, this.tableImport.field);
        s.push(0x01); s.push(0x70); s.push(0x00); s.push(0x00); // table of funcref, limits: minimum 0, no maximum
      }
      if (this.memoryImport) {
        const m = this.memoryImport;
        name(s, m.module);
        name(s, m.field);
        s.push(0x02); s.push(0x03); // memory, limits: shared with a maximum
        uleb(s, m.pages);
        uleb(s, m.pages);
      }
      for (const g of this.globalImports) {
        name(s, g.module);
        name(s, g.field);
        s.push(0x03); s.push(g.type); s.push(0x00); // global, immutable
      }
      for (const f of this.funcImports) {
        name(s, f.module);
        name(s, f.field);
        s.push(0x00);
        uleb(s, f.type);
      }
    });
    section(3, (s) => {
      uleb(s, this.functions.length);
      for (const f of this.functions) uleb(s, f.type);
    });
    section(7, (s) => {
      uleb(s, this.exports.length);
      for (const e of this.exports) {
        name(s, e.name);
        s.push(0x00);
        uleb(s, e.func);
      }
    });
    section(10, (s) => {
      uleb(s, this.functions.length);
      for (const f of this.functions) s.pushBytes(f.body.encode());
    });
    return out.bytes().slice();
  }
}
