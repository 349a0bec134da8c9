/**
 * The overhead and scaling sections compare runs that differ by a few per
 * cent, or count on idle host cores: say so in the warnings when the host was
 * busy with other work as the section started (the figures are then noisy).
 */
import { cpus, loadavg } from 'node:os';

export function busyHostWarning(section: string): string | null {
  const load = loadavg()[0] ?? 0;
  const cores = cpus().length;
  if (load <= cores) return null;
  return `${section}: host load average ${load.toFixed(1)} on ${cores} CPUs as the section started -- ` +
    'other work competes for the cores, so these figures are noisy (compare runs on a quiet host)';
}
