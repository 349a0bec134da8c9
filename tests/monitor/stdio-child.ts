/**
 * Child process for server.spec.ts: a monitor on this process's stdio (as
 * `-monitor stdio` / `-qmp stdio`), on a fake target. argv[2]: readline|control.
 * Exits when the target is asked to quit.
 */
import { startMonitors } from '../../src/monitor/server.js';
import { FakeTarget } from './fake-target.js';

const mode = process.argv[2] === 'control' ? 'control' : 'readline';
const target = new FakeTarget(2);
target.quit = () => {
  target.emit('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' });
  setTimeout(() => process.exit(0), 50);
};
void startMonitors([{ backend: { kind: 'stdio' }, mode, origin: `-${mode === 'control' ? 'qmp' : 'monitor'} stdio` }], target);
