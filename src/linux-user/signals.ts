/**
 * Signal delivery as QEMU 7.2's linux-user/riscv/signal.c does it: the rt signal frame (siginfo,
 * then the ucontext with the register file, FP registers and fcsr) below the stack pointer (or on
 * the alternate stack with SA_ONSTACK), the handler entered with a0 = signal, a1 = &info,
 * a2 = &uc and ra = the sigreturn trampoline; rt_sigreturn restores registers and mask from it.
 */
import { SLOT_F, SLOT_FFLAGS, SLOT_FRM, SLOT_PC, SLOT_X, type VcpuStateViews } from '../abi/state-layout.js';
import type { AddressSpace } from './address-space.js';

export const SIG_DFL = 0n;
export const SIG_IGN = 1n;
export const SA_SIGINFO = 4;
export const SA_ONSTACK = 0x0800_0000;
export const SA_RESTART = 0x1000_0000;
export const SA_NODEFER = 0x4000_0000;
export const SA_RESETHAND = 0x8000_0000;
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
export const SIGKILL = 9;
export const SIGSTOP = 19;
export const SIGCHLD = 17;
/** si_code values. */
export const SI_USER = 0;
export const SI_TKILL = -6;
/** si_code of a signal the kernel sends (one from the terminal, as QEMU passes the host's on). */
export const SI_KERNEL = 0x80;
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;

/** Signals whose default action is to do nothing (SIGCHLD, SIGURG, SIGWINCH, SIGCONT). */
export const IGNORED_BY_DEFAULT = new Set([17, 18, 23, 28]);

export interface SigAction {
  handler: bigint;
  flags: number;
  mask: bigint;
}

export interface AltStack {
  sp: bigint;
  flags: number;
  size: bigint;
}

export interface SigInfo {
  signo: number;
  code: number;
  /** SIGSEGV/SIGBUS: the faulting address; kill: the sender's pid and uid; SIGCHLD: pid, uid, status. */
  addr?: bigint;
  pid?: number;
  uid?: number;
  status?: number;
}

export const sigBit = (sig: number): bigint => 1n << BigInt(sig - 1);
/** SIGKILL and SIGSTOP can be neither blocked nor caught. */
export const UNBLOCKABLE = sigBit(SIGKILL) | sigBit(SIGSTOP);

// QEMU's target_rt_sigframe: siginfo (128 bytes), then target_ucontext.
const INFO_SIZE = 128;
const UC_STACK = 16;
const UC_SIGMASK = 40;
const UC_MCONTEXT = 176; // after the 128-byte sigmask area, aligned to 16
const MC_FPR = 256;
const MC_FCSR = 512;
const FRAME_SIZE = INFO_SIZE + UC_MCONTEXT + 528;

/** The bytes of a siginfo_t. */
export function encodeSiginfo(info: SigInfo): Uint8Array {
  const b = new Uint8Array(INFO_SIZE);
  const v = new DataView(b.buffer);
  v.setInt32(0, info.signo, true);
  v.setInt32(8, info.code, true);
  if (info.addr !== undefined) v.setBigUint64(16, BigInt.asUintN(64, info.addr), true);
  if (info.pid !== undefined) v.setInt32(16, info.pid, true);
  if (info.uid !== undefined) v.setInt32(20, info.uid, true);
  if (info.status !== undefined) v.setInt32(24, info.status, true);
  return b;
}

function onAltStack(sp: bigint, alt: AltStack): boolean {
  return alt.size !== 0n && sp > alt.sp && sp <= alt.sp + alt.size;
}

/**
 * Enter the handler of `act` for `info` on the thread of `state`, whose mask was `oldMask`.
 * False when the frame cannot be written (the process then dies of SIGSEGV, as Linux's force_sigsegv).
 */
export function setupFrame(space: AddressSpace, state: VcpuStateViews, act: SigAction, info: SigInfo, oldMask: bigint, alt: AltStack, trampoline: number): boolean {
  const x = state.i64;
  const sp = BigInt.asUintN(64, x[SLOT_X + 2]);
  let top = sp;
  if ((act.flags & SA_ONSTACK) !== 0 && alt.size !== 0n && (alt.flags & SS_DISABLE) === 0 && !onAltStack(sp, alt)) top = alt.sp + alt.size;
  const frame = Number((top - BigInt(FRAME_SIZE)) & ~0xfn);
  const b = new Uint8Array(FRAME_SIZE);
  const v = new DataView(b.buffer);
  b.set(encodeSiginfo(info), 0);
  const uc = INFO_SIZE;
  v.setBigUint64(uc + UC_STACK, alt.sp, true);
  v.setInt32(uc + UC_STACK + 8, alt.size === 0n ? SS_DISABLE : onAltStack(sp, alt) ? SS_ONSTACK : 0, true);
  v.setBigUint64(uc + UC_STACK + 16, alt.size, true);
  v.setBigUint64(uc + UC_SIGMASK, oldMask, true);
  const mc = uc + UC_MCONTEXT;
  v.setBigUint64(mc, BigInt(state.f64[SLOT_PC]), true);
  for (let r = 1; r < 32; r++) v.setBigInt64(mc + 8 * r, x[SLOT_X + r], true);
  for (let r = 0; r < 32; r++) v.setBigInt64(mc + MC_FPR + 8 * r, x[SLOT_F + r], true);
  v.setUint32(mc + MC_FCSR, ((state.i32[2 * SLOT_FRM] & 7) << 5) | (state.i32[2 * SLOT_FFLAGS] & 0x1f), true);
  if (!space.write(frame, b)) return false;
  state.f64[SLOT_PC] = Number(act.handler);
  x[SLOT_X + 1] = BigInt(trampoline);
  x[SLOT_X + 2] = BigInt(frame);
  x[SLOT_X + 10] = BigInt(info.signo);
  x[SLOT_X + 11] = BigInt(frame);
  x[SLOT_X + 12] = BigInt(frame + uc);
  return true;
}

/** rt_sigreturn: registers from the frame at sp; the mask to restore, or undefined if the frame is unreadable. */
export function restoreFrame(space: AddressSpace, state: VcpuStateViews): bigint | undefined {
  const x = state.i64;
  const frame = Number(BigInt.asUintN(64, x[SLOT_X + 2]));
  const b = space.read(frame, FRAME_SIZE);
  if (b === undefined) return undefined;
  const v = new DataView(b.buffer);
  const mc = INFO_SIZE + UC_MCONTEXT;
  state.f64[SLOT_PC] = Number(v.getBigUint64(mc, true));
  for (let r = 1; r < 32; r++) x[SLOT_X + r] = v.getBigInt64(mc + 8 * r, true);
  for (let r = 0; r < 32; r++) x[SLOT_F + r] = v.getBigInt64(mc + MC_FPR + 8 * r, true);
  const fcsr = v.getUint32(mc + MC_FCSR, true);
  state.i32[2 * SLOT_FFLAGS] = fcsr & 0x1f;
  state.i32[2 * SLOT_FRM] = (fcsr >> 5) & 7;
  return v.getBigUint64(INFO_SIZE + UC_SIGMASK, true);
}
