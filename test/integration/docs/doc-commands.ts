import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One shell command as the docs print it, with where it is. */
export interface DocCommand {
  file: string;
  line: number;
  text: string;
  /** The commands before it in its block that set shell variables (`A=$(…)`): it may use them. */
  assignments: string[];
}

/** README.md and every page of docs/, as the repository ships them. */
export function documentationFiles(root: string): string[] {
  const pages = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', name));
  return ['README.md', ...pages];
}

/** Every command of every ```sh block (also bash/shell) in the given files. */
export function documentedCommands(root: string, files = documentationFiles(root)): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const fence = /^```(sh|bash|shell)\s*$/.exec(lines[i]!);
      if (!fence) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !lines[end]!.startsWith('```')) end++;
      const assignments: string[] = [];
      for (const command of shellCommands(lines.slice(start, end).join('\n'))) {
        commands.push({ file, line: start + 1 + command.lineOffset, text: command.text, assignments: [...assignments] });
        if (/^[A-Za-z_]\w*=\$\(/.test(command.text)) assignments.push(command.text);
      }
      i = end;
    }
  }
  return commands;
}

/**
 * Splits a shell block into commands the way a shell reads it: a newline ends a command unless it
 * is inside quotes, escaped by a backslash, or follows a pipe or `&&`; `#` outside quotes starts a
 * comment. Enough of sh for documentation, not a shell.
 */
export function shellCommands(block: string): { text: string; lineOffset: number }[] {
  const commands: { text: string; lineOffset: number }[] = [];
  let current = '';
  let quote: "'" | '"' | undefined;
  let line = 0;
  let startLine = 0;
  const finish = () => {
    const text = current.trim();
    if (text) commands.push({ text, lineOffset: startLine });
    current = '';
  };
  for (let i = 0; i < block.length; i++) {
    const char = block[i]!;
    if (char === '\n') line++;
    if (quote) {
      if (char === quote) quote = undefined;
      current += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      current += char;
    } else if (char === '\\' && block[i + 1] === '\n') {
      current += ' ';
      i++;
      line++;
    } else if (char === '#' && (current === '' || /\s$/.test(current))) {
      while (i + 1 < block.length && block[i + 1] !== '\n') i++;
    } else if (char === '\n') {
      if (/(\||&&)\s*$/.test(current)) current += ' ';
      else {
        finish();
        startLine = line;
      }
    } else {
      if (current === '' && /\s/.test(char)) continue;
      if (current === '') startLine = line;
      current += char;
    }
  }
  finish();
  return commands;
}
