/**
 * One QMP connection, as QEMU 7.2's monitor/qmp.c + qapi/qmp-dispatch.c:
 * greeting, capabilities negotiation, request checking, one command at a time
 * in arrival order, replies with the request's id, asynchronous events with
 * timestamps once negotiation is done. Every line ends in "\r\n" like QEMU's.
 */
import { wallClockMicros } from '../util/wall-clock.js';
import { JsonLimits, JsonMessageParser, QEMU_JSON_LIMITS } from './json-stream.js';
import { isJsonObject, JsonObject, jsonObject, JsonValue, qdictOrder, toJson } from './json-value.js';
import { checkArguments, QmpArgError, QmpArgs } from './qmp-args.js';
import { commandNames, greeting, QMP_CAPABILITIES_ARGS, QMP_COMMANDS, QmpError } from './qmp-commands.js';
import type { MonitorTarget } from './target.js';

/** Requests waiting beyond this many make the session stop reading (QEMU's QMP_REQ_QUEUE_LEN_MAX). */
const QUEUE_LIMIT = 8;
/**
 * Input is parsed this many bytes at a time, and no further while the queue is over its limit:
 * one socket read can hold tens of thousands of tiny messages (`1,1,1,...`), and QEMU, which reads
 * its monitor a byte at a time, never queues more than its limit. Unparsed bytes wait in `pending`.
 */
const FEED_SLICE = 256;
/** The queue yields to the event loop every this many replies (a client's close, other monitors). */
const REPLIES_PER_TURN = 32;

export interface QmpSessionOptions {
  /** Stop/restart reading input while too many requests wait (socket backpressure). */
  readonly pauseInput?: () => void;
  readonly resumeInput?: () => void;
  /** JSON limits; tests may lower them. */
  readonly limits?: JsonLimits;
}

type Request = { readonly value: JsonValue | undefined; readonly error: string | undefined };

/** QEMU's event timestamp: wall-clock seconds and microseconds. */
export function eventTimestamp(): JsonObject {
  const us = wallClockMicros();
  return jsonObject([['seconds', BigInt(Math.floor(us / 1e6))], ['microseconds', BigInt(us % 1e6)]]);
}

function errorReply(errorClass: string, desc: string, id: JsonValue | undefined): JsonObject {
  return jsonObject([['id', id], ['error', jsonObject([['class', errorClass], ['desc', desc]])]]);
}

/**
 * qmp_dispatch_check_obj(): the command name and whether it came as exec-oob.
 * Members are examined in QDict order, like QEMU, which decides which error wins.
 */
function checkRequest(req: JsonObject, allowOob: boolean): { command: string; oob: boolean } {
  let command: string | undefined;
  let execKey = '';
  for (const [key, value] of qdictOrder([...req.entries()])) {
    if (key === 'execute' || (key === 'exec-oob' && allowOob)) {
      if (typeof value !== 'string') throw new QmpError('GenericError', `QMP input member '${key}' must be a string`);
      if (command !== undefined) throw new QmpError('GenericError', `QMP input member '${key}' clashes with '${execKey}'`);
      command = value;
      execKey = key;
    } else if (key === 'arguments') {
      if (!isJsonObject(value)) throw new QmpError('GenericError', "QMP input member 'arguments' must be an object");
    } else if (key !== 'id') {
      throw new QmpError('GenericError', `QMP input member '${key}' is unexpected`);
    }
  }
  if (command === undefined) throw new QmpError('GenericError', "QMP input lacks member 'execute'");
  return { command, oob: execKey === 'exec-oob' };
}

/** qmp_is_oob(). */
function isOobRequest(value: JsonValue | undefined): boolean {
  return value !== undefined && isJsonObject(value) && value.has('exec-oob') && !value.has('execute');
}

export class QmpSession {
  private negotiated = false;
  private oobEnabled = false;
  private readonly parser: JsonMessageParser;
  private readonly queue: Request[] = [];
  private busy = false;
  private closed = false;
  private paused = false;
  /** Bytes received but not parsed yet (the queue was full). */
  private pending: Uint8Array[] = [];

  constructor(private readonly target: MonitorTarget, private readonly sink: (bytes: Uint8Array) => void, private readonly opts: QmpSessionOptions = {}) {
    this.parser = new JsonMessageParser((value, error) => this.enqueue({ value, error }), opts.limits ?? QEMU_JSON_LIMITS);
  }

  /** Send the greeting. */
  start(): void {
    this.send(greeting(this.target));
  }

  input(bytes: Uint8Array): void {
    if (this.closed) return;
    this.pending.push(bytes);
    this.parsePending();
  }

  /** Parse pending input a slice at a time while the queue has room; stop reading while any is left. */
  private parsePending(): void {
    while (!this.closed && this.queue.length <= QUEUE_LIMIT && this.pending.length > 0) {
      const head = this.pending[0] as Uint8Array;
      const n = Math.min(head.length, FEED_SLICE);
      this.parser.feed(head.subarray(0, n));
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
    if (this.pending.length > 0) this.pauseReading();
  }

  private pauseReading(): void {
    if (this.paused) return;
    this.paused = true;
    this.opts.pauseInput?.();
  }

  /** The client went away: a running command finishes, its reply is dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.pending = [];
  }

  /** Deliver an asynchronous event (only after capabilities negotiation, as QEMU). */
  event(name: string, data: Readonly<Record<string, unknown>> | undefined, timestamp: JsonObject): void {
    if (!this.negotiated || this.closed) return;
    const line = `{"timestamp": ${toJson(timestamp)}, "event": ${toJson(name)}${data === undefined ? '' : `, "data": ${toJson(data)}`}}`;
    this.write(line);
  }

  private enqueue(req: Request): void {
    if (this.closed) return;
    if (this.oobEnabled && isOobRequest(req.value)) {
      // Out-of-band requests are answered at once, ahead of queued in-band ones (QEMU's handle_qmp_command).
      void this.handle(req).then((reply) => { if (!this.closed) this.send(reply); });
      return;
    }
    this.queue.push(req);
    if (this.queue.length > QUEUE_LIMIT) this.pauseReading();
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let replies = 0;
      for (let req = this.queue.shift(); req !== undefined; req = this.queue.shift()) {
        const reply = await this.handle(req);
        if (!this.closed) this.send(reply);
        if (++replies % REPLIES_PER_TURN === 0) await new Promise<void>((r) => setImmediate(r));
        if (this.queue.length <= QUEUE_LIMIT / 2) this.parsePending();
        if (this.paused && this.pending.length === 0 && this.queue.length <= QUEUE_LIMIT / 2) {
          this.paused = false;
          this.opts.resumeInput?.();
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async handle(req: Request): Promise<JsonObject> {
    if (req.error !== undefined || req.value === undefined) return errorReply('GenericError', req.error ?? 'JSON parse error', undefined);
    const value = req.value;
    if (!isJsonObject(value)) return errorReply('GenericError', 'QMP input must be a JSON object', undefined);
    const id = value.get('id');
    try {
      const result = await this.dispatch(value);
      return jsonObject([['return', result], ['id', id]]);
    } catch (e) {
      if (e instanceof QmpError) return errorReply(e.errorClass, this.negotiationHint(e), id);
      if (e instanceof QmpArgError) return errorReply('GenericError', e.message, id);
      return errorReply('GenericError', e instanceof Error ? e.message : String(e), id);
    }
  }

  /** Before negotiation every CommandNotFound becomes QEMU's hint. */
  private negotiationHint(e: QmpError): string {
    if (!this.negotiated && e.errorClass === 'CommandNotFound') return "Expecting capabilities negotiation with 'qmp_capabilities'";
    return e.desc;
  }

  private async dispatch(req: JsonObject): Promise<JsonValue> {
    const { command, oob } = checkRequest(req, this.oobEnabled);
    const known = command === 'qmp_capabilities' || (this.negotiated && (command === 'query-commands' || QMP_COMMANDS.some((c) => c.name === command)));
    if (!known) throw new QmpError('CommandNotFound', `The command ${command} has not been found`);
    if (oob) throw new QmpError('GenericError', `The command ${command} does not support OOB`);
    const raw = req.get('arguments');
    const args: JsonObject = raw !== undefined && isJsonObject(raw) ? raw : new Map();
    if (command === 'qmp_capabilities') return this.capabilities(checkArguments(args, QMP_CAPABILITIES_ARGS));
    if (command === 'query-commands') {
      checkArguments(args, []);
      return commandNames().map((name) => jsonObject([['name', name]]));
    }
    const cmd = QMP_COMMANDS.find((c) => c.name === command);
    if (cmd === undefined) throw new QmpError('CommandNotFound', `The command ${command} has not been found`);
    const checked = cmd.args === 'any' ? new QmpArgs(new Map()) : checkArguments(args, cmd.args);
    return cmd.run(this.target, checked, args);
  }

  /** qmp_qmp_capabilities() with qmp_caps_accept(). */
  private capabilities(args: QmpArgs): JsonValue {
    if (this.negotiated) throw new QmpError('CommandNotFound', 'Capabilities negotiation is already complete, command ignored');
    this.oobEnabled = (args.list('enable') ?? []).includes('oob');
    this.negotiated = true;
    return new Map();
  }

  private send(obj: JsonObject): void {
    this.write(toJson(obj));
  }

  private write(line: string): void {
    if (!this.closed) this.sink(Buffer.from(`${line}\r\n`, 'utf8'));
  }
}
