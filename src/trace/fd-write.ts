/** The trace backends' blocking write: the project's one implementation (src/util/write-all.ts). */
export { writeAll as writeAllSync } from '../util/write-all.js';
