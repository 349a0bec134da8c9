/**
 * The recipe both tiers of the QMP comparison with QEMU 7.2 share: the requests (well-formed,
 * malformed, badly typed, before and after negotiation, split and glued together), the QEMU
 * command line (`-qmp stdio`, see transcript.ts), the fake target that stands for it, and what a
 * transcript keeps: the requests and every line QEMU wrote, timestamps and thread ids normalised
 * (tests/transcripts/monitor/qmp/*.json). qmp-compare.unit.spec.ts runs tsemu's QMP session against the
 * transcripts, qmp-compare.oracle.spec.ts runs QEMU and checks them.
 */
import { QEMU_BINARY } from '../support/run-guest.js';
import { FakeTarget, qemuLikeTarget } from './fake-target.js';
import { QEMU_BASE_ARGS, qemuQmp } from './transcript.js';

/** A target like `qemu-system-riscv64 -M virt -S -smp 2`, reporting the version QEMU's greeting shows. */
export function targetLike(greeting: string): FakeTarget {
  const t = qemuLikeTarget();
  const m = /"qemu": \{"micro": (\d+), "minor": (\d+), "major": (\d+)\}, "package": "((?:[^"\\]|\\.)*)"/.exec(greeting);
  if (m === null) throw new Error(`unexpected greeting ${greeting}`);
  t.versionInfo = { qemu: { major: Number(m[3]), minor: Number(m[2]), micro: Number(m[1]) }, package: JSON.parse(`"${m[4]}"`) as string };
  return t;
}

export const BEFORE_NEGOTIATION = [
  '{"execute": "query-version"}',
  '{"execute": "query-version", "id": 5}',
  '{"execute": "foo", "id": "x"}',
  '{"execute": "query-status", "arguments": []}',
  '{"exec-oob": "query-version"}',
  '{}',
  '[1, 2]',
  '{"execute": "qmp_capabilities", "arguments": {"enable": ["foo"]}}',
  '{"execute": "qmp_capabilities", "arguments": {"enable": "oob"}}',
  '{"execute": "qmp_capabilities", "arguments": {"bogus": 1}}',
];

export const COMMANDS = [
  '{"execute": "qmp_capabilities", "id": 1}',
  '{"execute": "qmp_capabilities", "id": "again"}',
  '{"execute": "query-version", "id": {"a": [1, 2, null, true, "s"]}}',
  '{"execute": "query-status"}',
  '{"execute": "query-cpus-fast"}',
  '{"execute": "foo", "id": 1}',
  '{"execute": "stop", "id": "s"}',
  '{"execute": "query-status"}',
  '{"execute": "cont"}',
  '{"execute": "query-status"}',
  '{"execute": "system_reset"}',
  '{"execute": "query-status", "arguments": {"x": 1}}',
  '{"execute": "query-status", "arguments": 5}',
  '{"execute": 5}',
  '{"execute": "query-status", "bogus": 1}',
  '{"exec": "query-status"}',
  '{"execute": "query-status", "id": 1, "control": {}}',
  '{"exec-oob": "query-status", "id": 2}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu*"}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": 0}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "memory_region_ops_read", "vcpu": 0}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "memory_region_ops_*", "vcpu": 0}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "zzz"}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "zzz*"}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": 9}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": -1}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": 99999999999}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": 4294967297}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": "x"}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": 1.5}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": 1e3}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": 18446744073709551615}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "guest_cpu_enter", "vcpu": null}}',
  '{"execute": "trace-event-get-state", "arguments": {}}',
  '{"execute": "trace-event-get-state"}',
  '{"execute": "trace-event-get-state", "arguments": {"name": 5}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "x", "foo": 1}}',
  '{"execute": "trace-event-get-state", "arguments": {"foo": 1, "name": 5}}',
  '{"execute": "trace-event-get-state", "arguments": {"foo": 1, "bar": 2}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter", "enable": "yes"}}',
  '{"execute": "trace-event-set-state", "arguments": {"enable": 1, "name": 2}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter"}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter", "enable": true, "ignore-unavailable": 1}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter", "enable": true}}',
  // QEMU applies per-vCPU state asynchronously, so no get-state follows a per-vCPU set-state here.
  '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_exit", "enable": true, "vcpu": 1}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "qxl_io_write_v*", "vcpu": 1}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "qxl_io_write_v*"}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "memory_region_ops_read", "enable": true, "vcpu": 0}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "memory_region_*", "enable": true, "vcpu": 0}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "nope", "enable": true}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter", "enable": false, "vcpu": 7}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "qxl_io_write_vga", "enable": true}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "qxl_io_write_vga", "enable": true, "ignore-unavailable": true}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "qxl_io_write_vg?", "enable": true}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "qxl_io_write_vg?", "enable": true, "ignore-unavailable": true}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "qxl_io_write_v*", "enable": true}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "qxl_io_write_v*", "enable": true, "ignore-unavailable": true}}',
  '{"execute": "trace-event-set-state", "arguments": {"name": "qxl_io_write_vga", "enable": true, "vcpu": 0}}',
  '{"execute": "trace-event-get-state", "arguments": {"name": "qxl_io_write_vga"}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "trace-event qxl_io_write_vga on"}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "info trace-events qxl_io_write_vga"}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "info status"}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "foo"}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": ""}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "x"}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "help cpu", "cpu-index": -1}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "info registers", "cpu-index": 7}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "info trace-events guest_cpu_exit", "cpu-index": 1}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": "cpu 1"}}',
  '{"execute": "human-monitor-command", "arguments": {}}',
  '{"execute": "human-monitor-command", "arguments": {"command-line": 5}}',
  '{"execute": "device_add", "arguments": {}}',
  '{"execute": "device_del", "arguments": {}}',
  '{"execute": "device_del", "arguments": {"id": 5}}',
];

/** Lexical and syntax errors, several values per chunk, values split over lines, QEMU's extensions. */
export const JSON_INPUT = [
  '{"execute": "qmp_capabilities"}',
  '{"execute": "query-status"',
  '}',
  '{"execute": "query-status", "id": 1}{"execute": "query-status", "id": 2}',
  '{"execute": "query-status", "id": 3}  {"execute": "query-status", "id": 4}}',
  '{"execute": "query-status", "id": 5]',
  '{"execute" "query-status"}',
  "{'execute': 'query-status', \"id\": 'it\\'s'}",
  "{\"execute\": \"query-status\", \"id\": 'a\"b'}",
  "{\"execute\": \"query-status\", \"id\": 'it''s'}",
  '{"execute": "query-status", "id": 7, }',
  '{"execute": "query-status", "id": tru}',
  '{"execute": "query-status", "id": TRUE}',
  '{"execute": "query-status", "id": true}, 5',
  '{"execute": "query-status", "id": 1e5}',
  '{"execute": "query-status", "id": 1E+2}',
  '{"execute": "query-status", "id": 0.1}',
  '{"execute": "query-status", "id": -0.0}',
  '{"execute": "query-status", "id": 1.5e300}',
  '{"execute": "query-status", "id": 1e-5}',
  '{"execute": "query-status", "id": 1e21}',
  '{"execute": "query-status", "id": 1e400}',
  '{"execute": "query-status", "id": 1.0}',
  '{"execute": "query-status", "id": 9223372036854775807}',
  '{"execute": "query-status", "id": 9223372036854775808}',
  '{"execute": "query-status", "id": 18446744073709551615}',
  '{"execute": "query-status", "id": 18446744073709551616}',
  '{"execute": "query-status", "id": -9223372036854775808}',
  '{"execute": "query-status", "id": -9223372036854775809}',
  '{"execute": "query-status", "id": 123456789012345678901234567890}',
  '{"execute": "query-status", "id": 01}',
  '{"execute": "query-status", "id": -01}',
  '{"execute": "query-status", "id": -}',
  '{"execute": "query-status", "id": 1.}',
  '{"execute": "query-status", "id": 1e}',
  '{"execute": "query-status", "id": [1, {"b": null}, false, []]}',
  '{"execute": "query-status", "id": "x", "id": "y"}',
  '{"execute": "query-status", "id": "a\\u0041\\u00e9\\ud83d\\ude00\\u0001\\t\\"\\\\\\/\\b\\f\\n\\r"}',
  '{"execute": "query-status", "id": "\\ud83d"}',
  '{"execute": "query-status", "id": "\\ude00"}',
  '{"execute": "query-status", "id": "\\uZZZZ"}',
  '{"execute": "query-status", "id": "\\uFFFE"}',
  '{"execute": "query-status", "id": "\\uFDD0"}',
  '{"execute": "query-status", "id": "\\ud83d\\u0041"}',
  '{"execute": "query-status", "id": "\\ud83dx"}',
  '{"execute": "query-status", "id": "\\u12"}',
  '{"execute": "query-status", "id": "\\q"}',
  '{"execute": "query-status", "id": "\\u0000"}',
  '{"execute": "query-status", "id": "\u00e9\u{1F600}\u007f/\u0080"}',
  '}',
  ']',
  '{"a": 1]',
  '[1}',
  '{1: 2}',
  '{"a": }',
  '{"a" 1}',
  '{"a": 1 "b": 2}',
  '[1 2]',
  '@',
  '"str"',
  '5',
  'null',
  '{"execute": "query-status", "id": 8}',
];

export const QEMU_ARGS = ['-smp', '2'];

/**
 * One QEMU session per case. `unordered`: the requests enable OOB, whose replies may overtake
 * in-band ones (on QEMU too, depending on timing); QEMU is then not sent a quit (see qemuQmp),
 * and its lines after the greeting are kept sorted.
 */
export type QmpCase = { readonly key: string; readonly requests: readonly string[]; readonly unordered: boolean };

export const QMP_CASES: Readonly<Record<'negotiation' | 'commands' | 'json' | 'nesting', QmpCase>> = {
  negotiation: {
    key: 'monitor/qmp/negotiation',
    requests: [...BEFORE_NEGOTIATION, '{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}}',
      '{"exec-oob": "query-status", "id": 1}', '{"exec-oob": "nope"}', '{"exec-oob": "query-status", "execute": "query-status"}',
      '{"exec-oob": 1}', '{"execute": "query-status", "id": "last"}'],
    unordered: true,
  },
  commands: { key: 'monitor/qmp/commands', requests: COMMANDS, unordered: false },
  json: { key: 'monitor/qmp/json-input', requests: JSON_INPUT, unordered: false },
  // The token-count and size limits are not compared: QEMU needs minutes for such inputs.
  nesting: {
    key: 'monitor/qmp/nesting-limit',
    requests: [
      '{"execute": "qmp_capabilities"}',
      `${'['.repeat(1024)}${']'.repeat(1024)}`,
      `{"execute": "query-status", "id": ${'['.repeat(1023)}${']'.repeat(1023)}}`,
      `${'['.repeat(1025)}${']'.repeat(3)}`,
      '{"execute": "query-status", "id": 1}',
    ],
    unordered: false,
  },
};

/** What a transcript keeps: the requests, and QEMU's lines (greeting first). */
export type QmpRecord = { requests: string[]; lines: string[] };

/** Oracle tier: QEMU's record of a case, and its command line. */
export async function runQemuCase(c: QmpCase): Promise<{ record: QmpRecord; command: string[] }> {
  const lines = await qemuQmp(QEMU_ARGS, c.requests, !c.unordered);
  const kept = c.unordered ? [...lines.slice(0, 1), ...lines.slice(1).sort()] : lines;
  return {
    record: { requests: [...c.requests], lines: kept },
    command: [QEMU_BINARY, ...QEMU_BASE_ARGS, '-monitor', 'none', '-qmp', 'stdio', ...QEMU_ARGS],
  };
}
