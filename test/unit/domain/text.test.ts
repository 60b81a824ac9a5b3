import { expect } from 'chai';
import fc from 'fast-check';
import { characterCount, ECHO_LIMIT, quoted, truncateCharacters, utf8ByteLength } from '../../../src/domain/text.js';

const isWellFormed = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

describe('text cuts and echoes', () => {
  it('counts characters as code points: an astral character is one, a lone surrogate one', () => {
    expect(characterCount('')).to.equal(0);
    expect(characterCount('abc')).to.equal(3);
    expect(characterCount('😀'.repeat(200))).to.equal(200);
    expect(characterCount('a\ud800b')).to.equal(3);
  });

  it('measures text as UTF-8 bytes as TextEncoder encodes it: pairs 4 bytes, lone surrogates 3', () => {
    expect(utf8ByteLength('')).to.equal(0);
    expect(utf8ByteLength('x'.repeat(200_000))).to.equal(200_000);
    expect(utf8ByteLength('é')).to.equal(2);
    expect(utf8ByteLength('€')).to.equal(3);
    expect(utf8ByteLength('😀')).to.equal(4);
    expect(utf8ByteLength('a\ud800')).to.equal(4);
    expect(utf8ByteLength('\udc00a')).to.equal(4);
    expect(utf8ByteLength('\ud800\ud800\udc00')).to.equal(7);
  });

  it('measures every string as TextEncoder does (property)', () => {
    const utf8 = new TextEncoder();
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), fc.string({ unit: 'binary-ascii', maxLength: 200 })), (text) => {
        expect(utf8ByteLength(text)).to.equal(utf8.encode(text).length);
      }),
      { seed: 20261205, numRuns: 2_000 },
    );
  });

  it('cuts by characters: max characters are kept whole, one more is cut to max with the mark', () => {
    expect(truncateCharacters('😀'.repeat(4), 4)).to.equal('😀'.repeat(4));
    expect(truncateCharacters('😀'.repeat(5), 4)).to.equal('😀😀😀…');
    expect(truncateCharacters('abcde', 4)).to.equal('abc…');
    expect(truncateCharacters('a😀cd', 4)).to.equal('a😀cd');
  });

  it('never leaves more than max characters, and only cuts text longer than that (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (text, max) => {
        const cut = truncateCharacters(text, max);
        expect(characterCount(cut)).to.be.at.most(max);
        expect(cut === text).to.equal(characterCount(text) <= max);
        if (cut !== text) expect(text.startsWith(cut.slice(0, -1)) && cut.endsWith('…')).to.equal(true);
      }),
      { seed: 20261205, numRuns: 1_000 },
    );
  });

  it('never splits a surrogate pair, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (text, max) => {
        if (isWellFormed(text)) expect(isWellFormed(truncateCharacters(text, max))).to.equal(true);
      }),
      { seed: 20261204, numRuns: 2_000 },
    );
  });

  it('quotes at most ECHO_LIMIT characters of a value, escaped', () => {
    expect(quoted('Mars/Base')).to.equal('"Mars/Base"');
    expect(quoted('a\u0000b')).to.equal('"a\\u0000b"');
    expect(quoted(42)).to.equal('"42"');
    const long = quoted('x'.repeat(70_000));
    expect(long).to.equal(`"${'x'.repeat(ECHO_LIMIT)}…"`);
  });
});
