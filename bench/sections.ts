/**
 * The benchmarks `npm run bench` runs, in order. To add one (SMP scaling,
 * tracing or instrumentation overhead, ...), write a module exporting a
 * `BenchSection` (see section.ts; guest-mips.ts is a worked example, with
 * process-run.ts for timed spawns and peak RSS) and append it here.
 */
import { guestMipsSection } from './guest-mips.js';
import { hotplugLatencySection } from './hotplug-latency.js';
import { instrOverheadSection } from './instr-overhead.js';
import { linuxBootSection, linuxIdleSection } from './linux-boot.js';
import type { BenchSection } from './section.js';
import { smpScalingSection } from './smp-scaling.js';
import { traceOverheadSection } from './trace-overhead.js';
import { ubootPromptSection } from './uboot-prompt.js';
import { userModeSection } from './user-mode.js';

export const SECTIONS: readonly BenchSection[] = [
  guestMipsSection,
  ubootPromptSection,
  linuxBootSection,
  linuxIdleSection,
  smpScalingSection,
  traceOverheadSection,
  instrOverheadSection,
  hotplugLatencySection,
  userModeSection,
];
