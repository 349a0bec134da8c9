/**
 * The trust model of the monitors (README, "Security and trust"): a TCP monitor listens on
 * loopback unless a host is given, and refuses instr-load — a library runs with the emulator's
 * rights — unless the user opted in with TSEMU_TCP_MONITOR_TRUSTED=1. A unix socket monitor (file
 * permissions guard it) loads libraries as before (qmp-session.spec.ts).
 */
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { expect } from 'chai';
import { GuestSession } from '../support/guest-session.js';
import { QmpConnection } from '../support/qmp.js';
import { repoRoot } from '../support/run-guest.js';
import { spinArgs } from './log-runtime-qemu.js';

const LIBRARY = join(repoRoot(), 'tests/instr/libs/announce.ts');

/** A TCP port nobody listens on right now (the kernel picks it; closed again before use). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function instrLoadOverTcp(env: Record<string, string>): Promise<{ reply: string; session: GuestSession }> {
  const port = await freePort();
  // `tcp::PORT`: no host given, so tsemu listens on loopback only
  const session = GuestSession.startTsemu(spinArgs('-qmp', `tcp::${port},server=on,wait=off`), { timeoutMs: 90_000, env });
  const qmp = await QmpConnection.negotiate(`tcp:127.0.0.1:${port}`);
  try {
    const r = await qmp.execute('instr-load', { path: LIBRARY }, 60_000);
    return { reply: JSON.stringify(r.error ?? r.return), session };
  } finally {
    qmp.close();
  }
}

describe('monitor e2e: what a TCP monitor may do', function () {
  this.timeout(120_000);

  it('instr-load over a TCP QMP monitor is refused, with the opt-in named', async function () {
    const { reply, session } = await instrLoadOverTcp({});
    session.kill();
    expect(reply).to.include('GenericError');
    expect(reply).to.include('instr-load is refused on a TCP monitor');
    expect(reply).to.include('TSEMU_TCP_MONITOR_TRUSTED=1');
  });

  it('with TSEMU_TCP_MONITOR_TRUSTED=1 it loads the library', async function () {
    const { reply, session } = await instrLoadOverTcp({ TSEMU_TCP_MONITOR_TRUSTED: '1' });
    session.kill();
    expect(reply).to.equal('{"id":"0"}');
  });
});
