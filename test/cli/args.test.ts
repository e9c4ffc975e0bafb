// The memtls command-line parser: flag forms, repeats, `--`, and the usage errors for everything else.

import { describe, expect, it } from 'vitest';
import { commaList, isoTime, oneOf, parseArgs, positiveInteger, UsageError } from '../../src/cli/args.js';

const SPECS = {
  ca: { type: 'string' },
  san: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
} as const;

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, booleans, short aliases, repeats and positionals in any order', () => {
    const { flags, positionals } = parseArgs(
      ['a.pem', '--ca', 'root.pem', '--san=DNS:a', '-q', 'b.pem', '--san', 'IP:1.2.3.4'],
      SPECS,
    );
    expect(flags).toEqual({ ca: 'root.pem', san: ['DNS:a', 'IP:1.2.3.4'], quiet: true });
    expect(positionals).toEqual(['a.pem', 'b.pem']);
  });

  it('treats everything after -- as positionals, and a lone - as one', () => {
    expect(parseArgs(['-', '--', '--ca', '-q'], SPECS).positionals).toEqual(['-', '--ca', '-q']);
  });

  it('refuses unknown, valueless, doubled and inherited options', () => {
    const cases: [string[], RegExp][] = [
      [['--nope'], /unknown option '--nope'/],
      [['-x'], /unknown option '-x'/],
      [['--ca'], /'--ca' needs a value/],
      [['--ca', '--quiet'], /'--ca' needs a value/],
      [['--ca', 'a', '--ca', 'b'], /given twice/],
      [['--quiet=yes'], /takes no value/],
      [['--toString'], /unknown option/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseArgs(argv, SPECS), argv.join(' ')).toThrow(UsageError);
      expect(() => parseArgs(argv, SPECS), argv.join(' ')).toThrow(message);
    }
  });
});

describe('value helpers', () => {
  it('check enumerations, counts, lists and times', () => {
    expect(oneOf('client', ['server', 'client'] as const, 'usage')).toBe('client');
    expect(oneOf(undefined, ['server'] as const, 'usage')).toBeUndefined();
    expect(() => oneOf('both', ['server', 'client'] as const, 'usage')).toThrow(
      /--usage must be one of server, client/,
    );
    expect(positiveInteger('30', 'days')).toBe(30);
    for (const bad of ['0', '-1', '1.5', 'ten', ''])
      expect(() => positiveInteger(bad, 'days')).toThrow(UsageError);
    expect(commaList(['DNS:a, IP:1.2.3.4', 'DNS:b', ' , '])).toEqual(['DNS:a', 'IP:1.2.3.4', 'DNS:b']);
    expect(isoTime('2030-01-02T03:04:05Z', 'at')).toBe(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(() => isoTime('yesterday', 'at')).toThrow(/ISO-8601/);
    expect(() => isoTime('12345', 'at')).toThrow(/ISO-8601/);
  });
});
