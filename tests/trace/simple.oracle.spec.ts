/**
 * The simple backend's file read by an independent reader: a transcription of QEMU's
 * scripts/simpletrace.py in python3 (so this lives in the oracle tier). It must see every record
 * simple.spec.ts's emits wrote, with the vCPU and each argument as simpletrace.py decodes them.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { normalizeArg, type EventInfo, type TraceArg } from '../../src/trace/event-info.js';
import { unbindTraceRuntime } from '../../src/trace/runtime.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { loadGeneratedModule, type GeneratedModule } from './helpers.js';
import { CATALOG, EMITS, record } from './simple-recording.js';

const PYTHON = 'python3';

// simpletrace.py's loop: '=QQQ' header, '=Q' record type, mapping '=Q' id '=L' length,
// event '=QQII' then per argument '=L'+bytes for strings or '=Q'. The vCPU is a leading u64.
const SCRIPT = `
import json, struct, sys
layout = json.loads(sys.argv[1])
f = open(sys.argv[2], 'rb')
assert struct.unpack('=QQQ', f.read(24)) == (0xffffffffffffffff, 0xf2b177cb0aa429b4, 4)
names = {}
while True:
    t = f.read(8)
    if len(t) == 0:
        break
    (rectype,) = struct.unpack('=Q', t)
    if rectype == 0:
        (eid,) = struct.unpack('=Q', f.read(8))
        (l,) = struct.unpack('=L', f.read(4))
        names[eid] = f.read(l).decode()
        continue
    eid, ts, length, pid = struct.unpack('=QQII', f.read(24))
    name = names[eid]
    fields = [name]
    for is_str in layout[name]:
        if is_str:
            (l,) = struct.unpack('=L', f.read(4))
            fields.append(f.read(l).decode())
        else:
            (v,) = struct.unpack('=Q', f.read(8))
            fields.append('0x%x' % v)
    print(' '.join(fields))
`;

describe('trace/simple backend: read by a transcription of simpletrace.py (python3, oracle)', function () {
  let dir = '';
  let mod: GeneratedModule;
  before(async function () {
    requireTool(PYTHON);
    dir = makeTempDir('trace-simple-py');
    mod = await loadGeneratedModule(dir, CATALOG);
  });
  after(() => {
    unbindTraceRuntime();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the same records as a transcription of scripts/simpletrace.py', function () {
    const { trace } = record(dir, mod);
    const layout = Object.fromEntries(mod.events.map((e) => [e.name, [...(e.vcpu ? [false] : []), ...e.args.map((a) => a.type === 'const char *')]]));
    const env = { ...process.env, PYTHONIOENCODING: 'utf-8' };
    const r = spawnSync(PYTHON, ['-c', SCRIPT, JSON.stringify(layout), trace], { encoding: 'utf8', env });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.split('\n').filter((l) => l !== '')).to.deep.equal(EMITS.map(([name, values]) => expectedPythonLine(mod.events, name, values)));
  });
});

/** The Python reader's line: name, the vCPU and each argument as u64 hex (strings as they are). */
function expectedPythonLine(events: readonly EventInfo[], name: string, values: readonly (number | bigint | string | boolean)[]): string {
  const info = events.find((e) => e.name === name);
  if (info === undefined) throw new Error(`no event ${name}`);
  const rest = info.vcpu ? values.slice(1) : values;
  const fields: string[] = [name];
  if (info.vcpu) fields.push(`0x${Number(values[0]).toString(16)}`);
  info.args.forEach((a, i) => {
    const raw = rest[i];
    const arg: TraceArg = typeof raw === 'boolean' ? (raw ? 1 : 0) : raw;
    const v = normalizeArg(a.type, arg);
    fields.push(typeof v === 'string' ? v : `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`);
  });
  return fields.join(' ');
}
