/**
 * Scoreboards created after qi_init, in any instance, at any time (a translation callback that
 * meets a new region, say). Each library gets, at load, one growable SharedArrayBuffer (the
 * arena, up to 1 GiB, pages committed as written) and a small shared registry; every instance of
 * the library has both from the load message, so creating a scoreboard needs no message and no
 * wait for another thread:
 *
 * - the n-th scoreboard an instance creates is the n-th of every instance (creation order, as in
 *   qi_init): the first instance to create it claims registry entry n (compare-and-exchange),
 *   takes its rows from the arena (atomic bump, then grows the arena) and publishes the offset;
 *   an instance that comes second reads it (spinning the few instructions a claim takes);
 * - translated code reaches it through one scoreboard id per library, the arena's: its view
 *   tracks the arena's length, so code made after a growth in any thread sees the new counters.
 */
export interface LateBoards {
  /** The arena: growable, `maxByteLength` ARENA_BYTES. */
  buffer: SharedArrayBuffer;
  /** Int32: [0] words used; then per creation index n: [1 + 2n] 0 free, -1 claimed, offset + 1; [2 + 2n] counters. */
  registry: SharedArrayBuffer;
  /** The arena's scoreboard id (`sb[id]` in translated code). */
  boardId: number;
}

export const ARENA_BYTES = 1 << 30;
/** Scoreboards per library, counting those of qi_init. */
export const MAX_BOARDS = 1024;
const GROW_STEP = 1 << 20;

export function newLateBoards(boardId: number): LateBoards {
  return {
    buffer: new SharedArrayBuffer(0, { maxByteLength: ARENA_BYTES }),
    registry: new SharedArrayBuffer(4 * (1 + 2 * MAX_BOARDS)),
    boardId,
  };
}

/** Grow the arena to at least `bytes` (another thread may grow it meanwhile: never shrink). */
function ensureLength(buffer: SharedArrayBuffer, bytes: number): void {
  while (buffer.byteLength < bytes) {
    const want = Math.min(ARENA_BYTES, Math.ceil(bytes / GROW_STEP) * GROW_STEP);
    try {
      buffer.grow(want);
    } catch (e) {
      if (buffer.byteLength < bytes && want <= buffer.byteLength) continue; // a larger grow won the race
      if (buffer.byteLength < bytes) throw e;
    }
  }
}

/**
 * Scoreboard number `index` of the library, `counters` per row and `rows` rows, made now or
 * found; gives its first word in the arena. Throws an Error naming qi_scoreboard_new.
 */
export function lateBoard(late: LateBoards, index: number, counters: number, rows: number): number {
  if (index >= MAX_BOARDS) throw new Error(`qi_scoreboard_new: at most ${MAX_BOARDS} scoreboards per library`);
  const reg = new Int32Array(late.registry);
  const slot = 1 + 2 * index;
  if (Atomics.compareExchange(reg, slot, 0, -1) === 0) {
    const words = counters * rows;
    const offset = Atomics.add(reg, 0, words);
    if ((offset + words) * 8 > ARENA_BYTES) {
      Atomics.sub(reg, 0, words);
      Atomics.store(reg, slot, 0);
      throw new Error('qi_scoreboard_new: the scoreboards created after qi_init would exceed 1 GiB');
    }
    ensureLength(late.buffer, (offset + words) * 8);
    Atomics.store(reg, slot + 1, counters);
    Atomics.store(reg, slot, offset + 1);
    return offset;
  }
  let published = Atomics.load(reg, slot);
  while (published === -1) published = Atomics.load(reg, slot); // the claimer is a few instructions from done
  if (published === 0) throw new Error('qi_scoreboard_new: the scoreboard another instance was creating failed');
  const made = Atomics.load(reg, slot + 1);
  if (made !== counters) {
    throw new Error(`qi_scoreboard_new: scoreboard #${index} has ${made} counters in another instance, ${counters} here (create scoreboards in the same order everywhere)`);
  }
  return published - 1;
}
