// Types of tests/interrupted.js, which stays plain JavaScript: .mocharc.json loads it before any TypeScript.
/** Whether a process of that pid is there (and not a zombie waiting for its parent). */
export function alive(pid: number): boolean;
/** Every process below `root`, read from /proc. */
export function descendants(root: number): number[];
