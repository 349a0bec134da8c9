import { greet, sum } from './lib.js';
const xs = [1, 2, 3, 4, 5].map((x) => x * 2);
console.log(greet('riscv'), sum(xs));
export default class Counter { #n = 0; inc() { return ++this.#n; } }
