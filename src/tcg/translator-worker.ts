/**
 * Entry point of the translator service worker: one per machine, shared by
 * every vCPU. It sleeps on the channel's doorbell, translates requested
 * blocks, and between requests drains control messages (log settings,
 * flushes, shutdown) synchronously.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { GuestMemory, GuestMemoryBuffers } from '../memory/guest-memory.js';
import { Translator, TranslatorLog } from './translator.js';
import { TranslatorChannelBuffers, TranslatorServer } from './translator-channel.js';
import { disassembleForLog } from './translator-log.js';

export interface TranslatorWorkerData {
  memory: GuestMemoryBuffers;
  channel: TranslatorChannelBuffers;
  log: { inAsm: boolean; op: boolean; outAsm: boolean; fd: number };
  symbols: { addr: number; size: number; name: string }[];
}

export type TranslatorCommand = { type: 'flush' } | { type: 'exit' };

const port = parentPort;
if (!port) throw new Error('translator worker must run in a worker thread');
const data = workerData as TranslatorWorkerData;

function makeLog(): TranslatorLog | undefined {
  const { inAsm, op, outAsm, fd } = data.log;
  if (!inAsm && !op && !outAsm) return undefined;
  return {
    inAsm, op, outAsm,
    write: (text) => { writeSync(fd, text); },
    disassemble: disassembleForLog,
    symbolAt: (pc) => symbolAt(pc),
  };
}

function symbolAt(pc: number): string {
  for (const s of data.symbols) if (pc >= s.addr && pc < s.addr + Math.max(s.size, 1)) return s.name;
  return '';
}

function main(): void {
  const mem = new GuestMemory(data.memory);
  const translator = new Translator(mem, makeLog());
  const server = new TranslatorServer(data.channel);
  let running = true;
  port?.postMessage({ type: 'ready' });
  while (running) {
    const seen = server.doorbellValue;
    const served = server.serve((req) => translator.translate(req.pc, req.pa, req.pa2, req.vcpuIndex));
    for (let m = receiveMessageOnPort(port as never); m; m = receiveMessageOnPort(port as never)) {
      const cmd = m.message as TranslatorCommand;
      if (cmd.type === 'flush') translator.flush();
      if (cmd.type === 'exit') running = false;
    }
    if (served === 0 && running) server.waitForRequests(50, seen);
  }
  port?.postMessage({ type: 'exited' });
}

try {
  main();
} catch (e) {
  port.postMessage({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
