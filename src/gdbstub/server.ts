/**
 * `-gdb DEV` / `-s`: a listening socket for one gdb at a time, as QEMU's gdbserver_start with a
 * socket chardev: `tcp:[HOST]:PORT`, `unix:PATH[,server...]`, or a bare port number.
 */
import net from 'node:net';
import fs from 'node:fs';
import type { GdbTarget } from './target.js';
import { GdbSession } from './session.js';

export interface GdbServer {
  close(): Promise<void>;
}

type Listen = { port: number; host: string } | { path: string };

/** The socket a -gdb argument names; an error text (QEMU's wording) when it names none. */
export function parseGdbDevice(dev: string): Listen | string {
  if (/^\d+$/.test(dev)) return { port: Number(dev), host: '127.0.0.1' };
  const tcp = /^tcp:([^:,]*):(\d+)(,.*)?$/.exec(dev);
  if (tcp) return { host: tcp[1] === '' ? '127.0.0.1' : tcp[1], port: Number(tcp[2]) };
  const unix = /^unix:([^,]+)(,.*)?$/.exec(dev);
  if (unix) return { path: unix[1] };
  return `gdbstub: couldn't create chardev`;
}

/** Start listening; resolves once the socket is bound (rejects with QEMU's bind error text). */
export function startGdbServer(dev: string, target: GdbTarget, onError: (message: string) => void): Promise<GdbServer> {
  const where = parseGdbDevice(dev);
  if (typeof where === 'string') return Promise.reject(new Error(where));
  let current: { socket: net.Socket; session: GdbSession } | undefined;
  target.onDebugStop((cpu, kind, addr) => current?.session.debugStop(cpu, kind, addr));
  const server = net.createServer((socket) => {
    if (current) { socket.destroy(); return; } // one debugger at a time
    socket.setNoDelay(true);
    const session = new GdbSession(target, (text) => { socket.write(Buffer.from(text, 'latin1')); });
    current = { socket, session };
    // QEMU stops the machine when gdb connects
    void target.stopAll(false);
    socket.on('data', (d) => session.receive(d.toString('latin1')));
    const end = (): void => {
      if (current?.socket !== socket) return;
      current = undefined;
      session.close();
    };
    socket.on('close', end);
    socket.on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const name = 'path' in where ? where.path : `${where.host}:${where.port}`;
      reject(new Error('path' in where ? `Failed to bind socket to ${name}: ${e.message}` : `Failed to find an available port: ${e.message}`));
    });
    const ready = (): void => {
      server.on('error', (e) => onError(e.message));
      resolve({
        close: () => new Promise((r) => {
          current?.socket.destroy();
          server.close(() => r());
          if ('path' in where) fs.rmSync(where.path, { force: true });
        }),
      });
    };
    if ('path' in where) {
      fs.rmSync(where.path, { force: true });
      server.listen(where.path, ready);
    } else server.listen(where.port, where.host, ready);
  });
}
