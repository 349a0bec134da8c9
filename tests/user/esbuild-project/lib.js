export const greet = (name) => `hello, ${name}!`;
export function sum(a) { return a.reduce((s, x) => s + x, 0); }
export function unused() { return 'tree-shaken'; }
