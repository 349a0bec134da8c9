/**
 * Entry point of the translator service worker: one per machine, shared by
 * every vCPU. It sleeps on the channel's doorbell, translates requested
 * blocks, and between requests drains control messages (log settings,
 * flushes, shutdown) synchronously.
 */
import { workerInput } from '../util/worker-input.js';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { writeAll } from '../util/write-all.js';
import { GuestMemory, GuestMemoryBuffers } from '../memory/guest-memory.js';
import { Translator, TranslatorLog } from '../vcpu/translator.js';
import { MAX_VCPUS, TranslatorChannelBuffers, TranslatorServer } from '../vcpu/translator-channel.js';
import { disassembleForLog } from '../vcpu/translator-log.js';
import type { TranslatorCommand, TranslatorWorkerData } from '../vcpu/translator-protocol.js';
import { applyTraceOutputChange, attachTracing, bindThreadTracing, OutputChange, TracingConfig } from '../trace/thread-tracing.js';
import { InstrCommand, InstrThread } from '../instr/thread-env.js';
import { bindTranslationEvents, translationHooks } from '../instr/translation-hooks.js';
import { guestMemoryForInstr, hartPresent } from '../instr/memory-access.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';
import { stateViews, WORD_EXIT_REQUEST } from '../abi/state-layout.js';
import { EventId, trace_translate_block } from '../trace/generated/events.js';
import { traceRuntime } from '../trace/runtime.js';
import { tcgTraceRuntime } from '../trace/tcg-runtime.js';

/** Translation-level events (QI_EVENT ids of the *_trans events): while one is wanted, the vCPUs must not translate by themselves. */
const TRANS_EVENTS = [EventId.guest_mem_before_trans, EventId.guest_mem_after_trans, EventId.guest_bbl_before_trans, EventId.guest_inst_before_trans];


const port = parentPort;
if (!port) throw new Error('translator worker must run in a worker thread');
/** Set first thing in main() (workerData, or the start message of an early worker). */
let data: TranslatorWorkerData;

function makeLog(settings: TranslatorWorkerData['log']): TranslatorLog | undefined {
  const { inAsm, op, outAsm, fd } = settings;
  if (!inAsm && !op && !outAsm) return undefined;
  return {
    inAsm, op, outAsm,
    write: (text) => { writeAll(fd, text); },
    disassemble: disassembleForLog,
    symbolAt: (pc) => symbolAt(pc),
  };
}

function symbolAt(pc: number): string {
  for (const s of data.symbols) if (pc >= s.addr && pc < s.addr + Math.max(s.size, 1)) return s.name;
  return '';
}

/** The longest an idle service sleeps without looking at its port (a lost ring costs this much, never a hang). */
const CONTROL_SAFETY_MS = 2000;

async function main(): Promise<void> {
  data = await workerInput<TranslatorWorkerData>();
  const mem = new GuestMemory(data.memory);
  const harts = data.allStates.map((b) => stateViews(b));
  const tracing = attachTracing(data.tracing, data.traceSpill);
  const instr = new InstrThread({
    role: 'translator',
    tracing,
    memory: guestMemoryForInstr(mem, () => harts, (c) => hartPresent(harts[c])),
    maxVcpus: MAX_VCPUS, // scoreboards have a row for every possible vCPU
    report: (msg) => port?.postMessage(msg),
    stateChanged: () => {
      mem.bumpEpoch();
      for (const h of harts) Atomics.store(h.i32, WORD_EXIT_REQUEST, 1);
    },
    activity: data.instrActivity,
  });
  bindThreadTracing(tracing, (id, cpu, args) => instr.rt.deliver(id, cpu, args));
  bindTranslationEvents(instr.rt);
  for (const lib of data.libraries) await instr.load(lib, []);
  const hooks = new Map<number, ReturnType<typeof translationHooks>>();
  // with the WebAssembly tier forced, blocks translated here are WebAssembly too (what `-d out_asm` shows)
  const wasmPages = process.env.TSEMU_TIER === 'wasm' && mem.buffers.wasm !== undefined ? mem.buffers.ram.byteLength / 65536 : 0;
  const translator = new Translator(mem, makeLog(data.log), (cpu) => {
    let h = hooks.get(cpu);
    if (!h) hooks.set(cpu, (h = translationHooks(cpu, { mem, symbolAt })));
    return h;
  }, wasmPages, true);
  const server = new TranslatorServer(data.channel);
  const translationObserved = (): boolean =>
    translator.logging || (traceRuntime.dstate[EventId.translate_block] & 1) !== 0 ||
    TRANS_EVENTS.some((id) => harts.some((_, cpu) => tcgTraceRuntime.wanted(id, cpu)));
  /** vCPUs translate by themselves while nothing observes translation (src/vcpu/block-cache.ts). */
  const publishTranslateHere = (): void => {
    const checkedAt = mem.epoch; // read first: a change during the check moves the epoch past it
    server.publishTranslateHere(translationObserved() ? -1 : checkedAt);
  };
  let running = true;
  let epoch = mem.epoch;
  /** A trace or instrumentation change made every translation stale (GuestMemory.epoch). */
  const syncEpoch = (): void => {
    if (mem.epoch === epoch) return;
    epoch = mem.epoch;
    translator.flush();
  };
  let busyMs = 0;
  const stats = process.env.TSEMU_STATS !== undefined;
  const pending: { cmd: InstrCommand; ack: number }[] = [];
  const drain = (): void => {
    for (let m = receiveMessageOnPort(port as never); m; m = receiveMessageOnPort(port as never)) {
      const cmd = m.message as TranslatorCommand;
      if (cmd.type === 'flush') translator.flush();
      else if (cmd.type === 'exit') running = false;
      else if (cmd.type === 'output') {
        if (cmd.change.kind === 'log') translator.setLog(makeLog(cmd.change.log));
        applyTraceOutputChange(tracing, cmd.change);
        port?.postMessage({ type: 'ack', id: cmd.ack });
      } else pending.push({ cmd: cmd.cmd, ack: cmd.ack });
    }
  };
  publishTranslateHere();
  port?.postMessage({ type: 'ready' });
  while (running) {
    const seen = server.doorbellValue;
    drain();
    publishTranslateHere();
    for (let p = pending.shift(); p; p = pending.shift()) {
      let error: string | undefined;
      try {
        await instr.handle(p.cmd, []);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      port?.postMessage({ type: 'ack', id: p.ack, error });
    }
    server.serve((req) => {
      drain(); // a control change that arrived first must apply to this translation
      syncEpoch();
      publishTranslateHere();
      if (req.refetch) {
        const known = translator.cachedTranslation(req.pc, req.pa, req.pa2);
        if (known === undefined) throw new Error('translation gone');
        return known;
      }
      const t0 = performance.now();
      const code = translator.translate(req.pc, req.pa, req.pa2, req.vcpuIndex, req.priv);
      busyMs += performance.now() - t0;
      if (stats && translator.translated % 1000 === 0) process.stderr.write(`[stats] translator: ${translator.translated} blocks in ${busyMs.toFixed(0)} ms\n`);
      trace_translate_block(BigInt.asUintN(64, BigInt(req.pc)), BigInt(req.pa), code.insnCount);
      return code;
    });
    syncEpoch();
    // control messages ring the doorbell too (ringTranslator), so the timeout is only a safety net
    if (running && pending.length === 0) server.waitForRequests(CONTROL_SAFETY_MS, seen);
  }
  tracing.backend.flush();
  if (process.env.TSEMU_STATS) process.stderr.write(`[stats] translator: ${translator.translated} blocks translated in ${busyMs.toFixed(0)} ms\n`);
  port?.postMessage({ type: 'exited' });
}

main().catch((e: unknown) => {
  port.postMessage({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
});

