/**
 * Loads tests/fpu/vectors/vectors.txt.gz (generated under qemu-riscv64 by
 * vectors/gen.c) and describes how each mnemonic is called.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { VcpuStateViews } from '../../src/abi/state-layout.js';
import * as fpu from '../../src/target/riscv/fpu/index.js';

/** One generated line: operands and, per rounding mode 0..4 (or just one), result and fflags. */
export interface Vector {
  readonly op: string;
  readonly operands: readonly bigint[];
  readonly results: readonly { readonly value: bigint; readonly flags: number }[];
  readonly line: string;
}

/** Where operands come from and where the result goes. */
export type RegFile = 'f' | 'x';

export interface OpShape {
  readonly sources: readonly RegFile[];
  readonly dest: RegFile;
  readonly rounding: boolean;
  /** Calls the implementation with registers rd, rs[...] and rounding mode rm. */
  readonly call: (s: VcpuStateViews, rd: number, rs: readonly number[], rm: number) => boolean;
}

type Rounding2 = (s: VcpuStateViews, rd: number, rs1: number, rs2: number, rm: number) => boolean;
type Rounding1 = (s: VcpuStateViews, rd: number, rs1: number, rm: number) => boolean;
type Rounding3 = (s: VcpuStateViews, rd: number, rs1: number, rs2: number, rs3: number, rm: number) => boolean;
type Plain2 = (s: VcpuStateViews, rd: number, rs1: number, rs2: number) => boolean;
type Plain1 = (s: VcpuStateViews, rd: number, rs1: number) => boolean;

function rounding2(fn: Rounding2): OpShape {
  return { sources: ['f', 'f'], dest: 'f', rounding: true, call: (s, rd, rs, rm) => fn(s, rd, rs[0]!, rs[1]!, rm) };
}
function rounding3(fn: Rounding3): OpShape {
  return {
    sources: ['f', 'f', 'f'],
    dest: 'f',
    rounding: true,
    call: (s, rd, rs, rm) => fn(s, rd, rs[0]!, rs[1]!, rs[2]!, rm),
  };
}
function rounding1(fn: Rounding1, source: RegFile, dest: RegFile): OpShape {
  return { sources: [source], dest, rounding: true, call: (s, rd, rs, rm) => fn(s, rd, rs[0]!, rm) };
}
function plain2(fn: Plain2, dest: RegFile): OpShape {
  return { sources: ['f', 'f'], dest, rounding: false, call: (s, rd, rs) => fn(s, rd, rs[0]!, rs[1]!) };
}
function plain1(fn: Plain1, source: RegFile, dest: RegFile): OpShape {
  return { sources: [source], dest, rounding: false, call: (s, rd, rs) => fn(s, rd, rs[0]!) };
}

export const OPS: Readonly<Record<string, OpShape>> = {
  'fadd.s': rounding2(fpu.fadd_s),
  'fsub.s': rounding2(fpu.fsub_s),
  'fmul.s': rounding2(fpu.fmul_s),
  'fdiv.s': rounding2(fpu.fdiv_s),
  'fadd.d': rounding2(fpu.fadd_d),
  'fsub.d': rounding2(fpu.fsub_d),
  'fmul.d': rounding2(fpu.fmul_d),
  'fdiv.d': rounding2(fpu.fdiv_d),
  'fsqrt.s': rounding1(fpu.fsqrt_s, 'f', 'f'),
  'fsqrt.d': rounding1(fpu.fsqrt_d, 'f', 'f'),
  'fmadd.s': rounding3(fpu.fmadd_s),
  'fmsub.s': rounding3(fpu.fmsub_s),
  'fnmadd.s': rounding3(fpu.fnmadd_s),
  'fnmsub.s': rounding3(fpu.fnmsub_s),
  'fmadd.d': rounding3(fpu.fmadd_d),
  'fmsub.d': rounding3(fpu.fmsub_d),
  'fnmadd.d': rounding3(fpu.fnmadd_d),
  'fnmsub.d': rounding3(fpu.fnmsub_d),
  'fmin.s': plain2(fpu.fmin_s, 'f'),
  'fmax.s': plain2(fpu.fmax_s, 'f'),
  'fmin.d': plain2(fpu.fmin_d, 'f'),
  'fmax.d': plain2(fpu.fmax_d, 'f'),
  'fsgnj.s': plain2(fpu.fsgnj_s, 'f'),
  'fsgnjn.s': plain2(fpu.fsgnjn_s, 'f'),
  'fsgnjx.s': plain2(fpu.fsgnjx_s, 'f'),
  'fsgnj.d': plain2(fpu.fsgnj_d, 'f'),
  'fsgnjn.d': plain2(fpu.fsgnjn_d, 'f'),
  'fsgnjx.d': plain2(fpu.fsgnjx_d, 'f'),
  'feq.s': plain2(fpu.feq_s, 'x'),
  'flt.s': plain2(fpu.flt_s, 'x'),
  'fle.s': plain2(fpu.fle_s, 'x'),
  'feq.d': plain2(fpu.feq_d, 'x'),
  'flt.d': plain2(fpu.flt_d, 'x'),
  'fle.d': plain2(fpu.fle_d, 'x'),
  'fclass.s': plain1(fpu.fclass_s, 'f', 'x'),
  'fclass.d': plain1(fpu.fclass_d, 'f', 'x'),
  'fmv.x.w': plain1(fpu.fmv_x_w, 'f', 'x'),
  'fmv.x.d': plain1(fpu.fmv_x_d, 'f', 'x'),
  'fmv.w.x': plain1(fpu.fmv_w_x, 'x', 'f'),
  'fmv.d.x': plain1(fpu.fmv_d_x, 'x', 'f'),
  'fcvt.w.s': rounding1(fpu.fcvt_w_s, 'f', 'x'),
  'fcvt.wu.s': rounding1(fpu.fcvt_wu_s, 'f', 'x'),
  'fcvt.l.s': rounding1(fpu.fcvt_l_s, 'f', 'x'),
  'fcvt.lu.s': rounding1(fpu.fcvt_lu_s, 'f', 'x'),
  'fcvt.w.d': rounding1(fpu.fcvt_w_d, 'f', 'x'),
  'fcvt.wu.d': rounding1(fpu.fcvt_wu_d, 'f', 'x'),
  'fcvt.l.d': rounding1(fpu.fcvt_l_d, 'f', 'x'),
  'fcvt.lu.d': rounding1(fpu.fcvt_lu_d, 'f', 'x'),
  'fcvt.s.w': rounding1(fpu.fcvt_s_w, 'x', 'f'),
  'fcvt.s.wu': rounding1(fpu.fcvt_s_wu, 'x', 'f'),
  'fcvt.s.l': rounding1(fpu.fcvt_s_l, 'x', 'f'),
  'fcvt.s.lu': rounding1(fpu.fcvt_s_lu, 'x', 'f'),
  'fcvt.d.w': rounding1(fpu.fcvt_d_w, 'x', 'f'),
  'fcvt.d.wu': rounding1(fpu.fcvt_d_wu, 'x', 'f'),
  'fcvt.d.l': rounding1(fpu.fcvt_d_l, 'x', 'f'),
  'fcvt.d.lu': rounding1(fpu.fcvt_d_lu, 'x', 'f'),
  'fcvt.s.d': rounding1(fpu.fcvt_s_d, 'f', 'f'),
  'fcvt.d.s': rounding1(fpu.fcvt_d_s, 'f', 'f'),
  // Zfhmin: no vectors in the file (tests/guest/src/zfhmin.c checks them against QEMU); shapes for the op table
  'fcvt.s.h': rounding1(fpu.fcvt_s_h, 'f', 'f'),
  'fcvt.h.s': rounding1(fpu.fcvt_h_s, 'f', 'f'),
  'fcvt.d.h': rounding1(fpu.fcvt_d_h, 'f', 'f'),
  'fcvt.h.d': rounding1(fpu.fcvt_h_d, 'f', 'f'),
  'fmv.x.h': plain1(fpu.fmv_x_h, 'f', 'x'),
  'fmv.h.x': plain1(fpu.fmv_h_x, 'x', 'f'),
  // Zfh
  'fadd.h': rounding2(fpu.fadd_h),
  'fsub.h': rounding2(fpu.fsub_h),
  'fmul.h': rounding2(fpu.fmul_h),
  'fdiv.h': rounding2(fpu.fdiv_h),
  'fsqrt.h': rounding1(fpu.fsqrt_h, 'f', 'f'),
  'fmadd.h': rounding3(fpu.fmadd_h),
  'fmsub.h': rounding3(fpu.fmsub_h),
  'fnmadd.h': rounding3(fpu.fnmadd_h),
  'fnmsub.h': rounding3(fpu.fnmsub_h),
  'fmin.h': plain2(fpu.fmin_h, 'f'),
  'fmax.h': plain2(fpu.fmax_h, 'f'),
  'fsgnj.h': plain2(fpu.fsgnj_h, 'f'),
  'fsgnjn.h': plain2(fpu.fsgnjn_h, 'f'),
  'fsgnjx.h': plain2(fpu.fsgnjx_h, 'f'),
  'feq.h': plain2(fpu.feq_h, 'x'),
  'flt.h': plain2(fpu.flt_h, 'x'),
  'fle.h': plain2(fpu.fle_h, 'x'),
  'fclass.h': plain1(fpu.fclass_h, 'f', 'x'),
  'fcvt.w.h': rounding1(fpu.fcvt_w_h, 'f', 'x'),
  'fcvt.wu.h': rounding1(fpu.fcvt_wu_h, 'f', 'x'),
  'fcvt.l.h': rounding1(fpu.fcvt_l_h, 'f', 'x'),
  'fcvt.lu.h': rounding1(fpu.fcvt_lu_h, 'f', 'x'),
  'fcvt.h.w': rounding1(fpu.fcvt_h_w, 'x', 'f'),
  'fcvt.h.wu': rounding1(fpu.fcvt_h_wu, 'x', 'f'),
  'fcvt.h.l': rounding1(fpu.fcvt_h_l, 'x', 'f'),
  'fcvt.h.lu': rounding1(fpu.fcvt_h_lu, 'x', 'f'),
};

/** The ops of OPS the vector file has no vectors for (Zfhmin: tests/guest/src/zfhmin.c against QEMU instead). */
export const WITHOUT_VECTORS: ReadonlySet<string> = new Set(['fcvt.s.h', 'fcvt.h.s', 'fcvt.d.h', 'fcvt.h.d', 'fmv.x.h', 'fmv.h.x']);

const VECTOR_FILE = new URL('../../../tests/fpu/vectors/vectors.txt.gz', import.meta.url);

function parseLine(line: string): Vector {
  const fields = line.split(' ');
  const op = fields[0]!;
  const shape = OPS[op];
  if (shape === undefined) throw new Error(`unknown mnemonic in vector file: ${line}`);
  const count = shape.sources.length;
  const operands = fields.slice(1, 1 + count).map((hex) => BigInt('0x' + hex));
  const results = fields.slice(1 + count).map((field) => {
    const [value, flags] = field.split(':');
    return { value: BigInt('0x' + value!), flags: parseInt(flags!, 16) };
  });
  if (results.length !== 1 && results.length !== 5) throw new Error(`bad result count: ${line}`);
  return { op, operands, results, line };
}

/** All vectors grouped by mnemonic, in file order. */
export function loadVectors(): Map<string, Vector[]> {
  const text = gunzipSync(readFileSync(VECTOR_FILE)).toString('utf8');
  const byOp = new Map<string, Vector[]>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const vector = parseLine(line);
    let list = byOp.get(vector.op);
    if (list === undefined) byOp.set(vector.op, (list = []));
    list.push(vector);
  }
  return byOp;
}
