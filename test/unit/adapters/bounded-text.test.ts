import { expect } from 'chai';
import { boundedText } from '../../../src/adapters/grpc/auth/bounded-text.js';

describe('bounded text (values from callers echoed in logs and errors)', () => {
  it('keeps text of up to 100 characters as it is', () => {
    expect(boundedText('')).to.equal('');
    expect(boundedText('a'.repeat(100))).to.equal('a'.repeat(100));
  });

  it('cuts longer text to its first 100 characters and "…"', () => {
    expect(boundedText('a'.repeat(101))).to.equal(`${'a'.repeat(100)}…`);
    expect(boundedText('a'.repeat(5_000_000))).to.equal(`${'a'.repeat(100)}…`);
    expect(boundedText('abcdef', 3)).to.equal('abc…');
  });

  it('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    const face = '\u{1F600}';
    // 100 characters in 101 UTF-16 units: not cut.
    expect(boundedText(`${'a'.repeat(99)}${face}`)).to.equal(`${'a'.repeat(99)}${face}`);
    // The pair straddles unit 100: kept whole.
    expect(boundedText(`${'a'.repeat(99)}${face}${face}`)).to.equal(`${'a'.repeat(99)}${face}…`);
    const cut = boundedText(face.repeat(1_000));
    expect(cut).to.equal(`${face.repeat(100)}…`);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).to.equal(cut);
  });
});
