import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '../../support/service-process.js';

/**
 * The service's V8 flags are not something it can set for itself (the young generation is sized
 * when the process starts), so every way the docs and package.json start it must pass them;
 * the image's CMD is checked in container-files.test.ts, npm start's process in npm-start.test.ts.
 */
describe('every start command passes the service its V8 flags', () => {
  const expected = ['node', ...SERVICE_NODE_FLAGS, 'dist/src/main.js'].join(' ');
  // `node`, then anything but another command, then the entry point: the flags in between.
  const START = /(?:^|[\s/=`"])node((?: [^\s`"]+)*?) dist\/src\/main\.js/g;

  function startsIn(text: string): string[] {
    return [...text.matchAll(START)].map((match) => `node${match[1]} dist/src/main.js`);
  }

  function codeBlocks(markdown: string): string {
    return markdown.split('```').filter((_, i) => i % 2 === 1).join('\n');
  }

  it('package.json start', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(startsIn(scripts.start ?? '')).to.deep.equal([expected]);
  });

  it('the commands of README.md and docs/ (the production run, the systemd unit)', () => {
    const files = ['README.md', ...readdirSync('docs').filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];
    const found = files.flatMap((file) => startsIn(codeBlocks(readFileSync(file, 'utf8'))).map((command) => `${file}: ${command}`));
    expect(found.length, 'start commands found').to.be.at.least(3);
    for (const line of found) expect(line.slice(line.indexOf(': ') + 2), line).to.equal(expected);
  });
});
