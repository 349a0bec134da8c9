/**
 * `-d ITEM,...` log items (QEMU util/log.c qemu_log_items[]), restricted to the
 * ones tsemu implements; descriptions are QEMU's.
 */

export const LOG_ITEMS = ['out_asm', 'in_asm', 'op', 'int', 'exec', 'cpu', 'unimp', 'guest_errors', 'nochain'] as const;
export type LogItem = (typeof LOG_ITEMS)[number];

const DESCRIPTIONS: Readonly<Record<LogItem, string>> = {
  out_asm: 'show generated host assembly code for each compiled TB',
  in_asm: 'show target assembly code for each compiled TB',
  op: 'show micro ops for each compiled TB',
  int: 'show interrupts/exceptions in short format',
  exec: 'show trace before each executed TB (lots of logs)',
  cpu: 'show CPU registers before entering a TB (lots of logs)',
  unimp: 'log unimplemented functionality',
  guest_errors: 'log when the guest OS does something invalid (eg accessing a\nnon-existent register)',
  nochain: 'do not chain compiled TBs so that "exec" and "cpu" show\ncomplete traces',
};

export interface LogSelection {
  readonly items: readonly LogItem[];
  /** Patterns from `trace:PATTERN` items, in order (same meaning as `-trace PATTERN`). */
  readonly tracePatterns: readonly string[];
}

function isLogItem(name: string): name is LogItem {
  return (LOG_ITEMS as readonly string[]).includes(name);
}

/**
 * QEMU's qemu_str_to_log_mask(): returns undefined when any item is unknown or empty,
 * or for `help` — QEMU then prints the list on stdout and exits with status 1.
 * `all` selects every item tsemu has.
 */
export function parseLogItems(text: string): LogSelection | undefined {
  const items = new Set<LogItem>();
  const tracePatterns: string[] = [];
  for (const name of text.split(',')) {
    if (name.startsWith('trace:')) tracePatterns.push(name.slice('trace:'.length));
    else if (name === 'all') for (const item of LOG_ITEMS) items.add(item);
    else if (isLogItem(name)) items.add(name);
    else return undefined;
  }
  if (items.size === 0 && tracePatterns.length === 0) return undefined;
  return { items: LOG_ITEMS.filter((i) => items.has(i)), tracePatterns };
}

/** QEMU's qemu_print_log_usage() text, limited to tsemu's items. */
export function logUsageText(): string {
  const lines = ['Log items (comma separated):'];
  for (const item of LOG_ITEMS) lines.push(`${item.padEnd(15)} ${DESCRIPTIONS[item]}`);
  lines.push('trace:PATTERN   enable trace events', '', 'Use "-d trace:help" to get a list of trace events.', '');
  return lines.join('\n') + '\n';
}
