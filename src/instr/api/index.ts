/**
 * tsemu/qemu-instr — the whole instrumentation API in one import:
 * event identifiers and predefined callbacks (events), control functions
 * (control) and types.
 */
export * from './types.js';
export * from './control.js';
export * from './events.js';
