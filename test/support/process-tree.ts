import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid and state of a process from /proc/<pid>/stat (Linux), or undefined once it is gone. */
function stat(pid: number): { ppid: number; state: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
  const [state = '', ppid = ''] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(ppid), state };
}

function argv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return [];
  }
}

/** Live descendants of `root` (children, their children, …) whose argv `matches`. */
export function descendantsRunning(root: number, matches: (argv: string[]) => boolean): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = stat(Number(name))?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    if (matches(argv(pid))) found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Whether the process still runs (a zombie, dead but not yet reaped, does not). */
export function isRunning(pid: number): boolean {
  const state = stat(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}
