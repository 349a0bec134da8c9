/**
 * Committed QEMU transcripts: what QEMU 7.2 printed (or dumped, or answered) for a command line,
 * stored under tests/transcripts/KEY.json so that `npm test` compares tsemu with QEMU on a machine
 * without QEMU.
 *
 * The two tiers share one recipe per transcript:
 *   - a `*.spec` file (npm test) reads the transcript with readTranscript(KEY) and holds tsemu to it;
 *   - the matching `*.oracle.spec` file (npm run test:oracle) runs QEMU with the same recipe and
 *     calls verifyTranscript(KEY, live, command): a transcript that no longer matches what QEMU
 *     prints fails the run; with TSEMU_RECORD_TRANSCRIPTS=1 it is rewritten instead (that is how a
 *     transcript is made the first time: `TSEMU_RECORD_TRANSCRIPTS=1 npm run test:oracle`).
 *
 * Each file records the QEMU version and the command that produced it (paths in the repository
 * relative to its root, temporary paths as $TMP), so a reader can redo it by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from './run-guest.js';

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export interface TranscriptFile<T extends Json = Json> {
  readonly key: string;
  /** First line of `qemu-system-riscv64 --version` (or of the tool that made it). */
  readonly qemu: string;
  /** The command that produced the value, repository paths relative, temporary paths as $TMP. */
  readonly command: readonly string[];
  readonly value: T;
}

export const TRANSCRIPT_DIR = join(repoRoot(), 'tests', 'transcripts');

const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

export function transcriptPath(key: string): string {
  if (!KEY.test(key)) throw new Error(`bad transcript key '${key}' (lower-case words, '/' between folders)`);
  return join(TRANSCRIPT_DIR, `${key}.json`);
}

/** True when TSEMU_RECORD_TRANSCRIPTS=1: oracle runs rewrite transcripts instead of failing on a stale one. */
export function recording(): boolean {
  return process.env.TSEMU_RECORD_TRANSCRIPTS === '1';
}

const RECORD_HINT = 'TSEMU_RECORD_TRANSCRIPTS=1 npm run test:oracle';

function readFile<T extends Json>(key: string): TranscriptFile<T> | undefined {
  const path = transcriptPath(key);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as TranscriptFile<T>;
}

/** The value QEMU gave for `key`; throws if it was never recorded. */
export function readTranscript<T extends Json>(key: string): T {
  const file = readFile<T>(key);
  if (file === undefined) throw new Error(`no QEMU transcript tests/transcripts/${key}.json: record it with ${RECORD_HINT}`);
  return file.value;
}

/** The whole file (version and command included), for messages. */
export function readTranscriptFile<T extends Json>(key: string): TranscriptFile<T> {
  const file = readFile<T>(key);
  if (file === undefined) throw new Error(`no QEMU transcript tests/transcripts/${key}.json: record it with ${RECORD_HINT}`);
  return file;
}

/**
 * Oracle tier: `live` is what QEMU gives now for the recipe of `key`. Passes when the committed
 * transcript holds exactly that; otherwise fails naming the stale file (or rewrites it when
 * recording). `tool` is the binary whose version goes in the file.
 */
export function verifyTranscript<T extends Json>(key: string, live: T, command: readonly string[], tool = 'qemu-system-riscv64'): void {
  const committed = readFile<T>(key);
  const file: TranscriptFile<T> = { key, qemu: toolVersion(tool), command: portableCommand(command), value: live };
  if (recording()) {
    if (committed === undefined || committed.qemu !== file.qemu || JSON.stringify(committed.value) !== JSON.stringify(live)) {
      mkdirSync(dirname(transcriptPath(key)), { recursive: true });
      writeFileSync(transcriptPath(key), `${JSON.stringify(file, null, 2)}\n`);
    }
    return;
  }
  if (committed === undefined) throw new Error(`no QEMU transcript tests/transcripts/${key}.json: record it with ${RECORD_HINT}`);
  expect(live, `stale transcript tests/transcripts/${key}.json (recorded with ${committed.qemu}, ` +
    `now ${file.qemu}): QEMU no longer prints what it holds; check the difference, then ${RECORD_HINT}`).to.deep.equal(committed.value);
}

const versions = new Map<string, string>();

/** First line of `tool --version`. */
export function toolVersion(tool: string): string {
  let v = versions.get(tool);
  if (v === undefined) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    v = r.status === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : `${tool} (version unknown)`;
    versions.set(tool, v);
  }
  return v;
}

/**
 * A command line with the repository root as `.`, the temporary directory as $TMP and the random
 * part of mkdtemp() names as XXXXXX (so the same recipe records the same command).
 */
export function portableCommand(command: readonly string[]): string[] {
  const root = repoRoot();
  const tmp = tmpdir();
  return command.map((a) => a.split(`${root}/`).join('').split(root).join('.').split(tmp).join('$TMP')
    .replace(/(\$TMP\/[^/,=]*-)[A-Za-z0-9]{6}(?=[/,]|$)/g, '$1XXXXXX'));
}
