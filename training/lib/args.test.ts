import { describe, expect, it } from 'vitest';
import { HelpRequested, list, oneOf, parseCommandArgs, positiveInt, required } from './args.ts';

const OPTIONS = { input: { type: 'string', short: 'i' }, quiet: { type: 'boolean' }, col: { type: 'string', multiple: true } } as const;

describe('parseCommandArgs', () => {
  it('parses typed values', () => {
    const { values } = parseCommandArgs(['-i', 'a.csv', '--quiet', '--col', 'a,b', '--col', 'c'], OPTIONS);
    expect(values).toEqual({ input: 'a.csv', quiet: true, col: ['a,b', 'c'] });
    expect(list(values.col)).toEqual(['a', 'b', 'c']);
  });

  it('turns --help into HelpRequested, even beside bad options', () => {
    expect(() => parseCommandArgs(['--help'], OPTIONS)).toThrow(HelpRequested);
    expect(() => parseCommandArgs(['--wrong', '-h'], OPTIONS)).toThrow(HelpRequested);
  });

  it('reports unknown options, missing values and stray words as usage errors', () => {
    expect(() => parseCommandArgs(['--wrong'], OPTIONS)).toThrow(expect.objectContaining({ name: 'BadUsage', message: expect.stringContaining("'--wrong'") }));
    expect(() => parseCommandArgs(['--input'], OPTIONS)).toThrow(expect.objectContaining({ name: 'BadUsage' }));
    expect(() => parseCommandArgs(['stray'], OPTIONS)).toThrow(/Unexpected argument "stray"/);
    expect(parseCommandArgs(['stray'], OPTIONS, { positionals: true }).positionals).toEqual(['stray']);
  });
});

describe('option helpers', () => {
  it('validates required values and choices', () => {
    expect(required('x', 'input')).toBe('x');
    expect(() => required(undefined, 'input')).toThrow('Missing required option --input.');
    expect(() => required('  ', 'input')).toThrow('Missing required option --input.');
    expect(oneOf(undefined, 'task', ['a', 'b'], 'a')).toBe('a');
    expect(oneOf('b', 'task', ['a', 'b'], 'a')).toBe('b');
    expect(() => oneOf('c', 'task', ['a', 'b'], 'a')).toThrow('--task must be one of a, b (got "c").');
  });

  it('reads positive integers with k/m suffixes and exponents', () => {
    expect(positiveInt('200k', 'rows', 1)).toBe(200_000);
    expect(positiveInt('1e5', 'rows', 1)).toBe(100_000);
    expect(positiveInt('2M', 'rows', 1)).toBe(2_000_000);
    expect(positiveInt(undefined, 'rows', 7)).toBe(7);
    for (const bad of ['0', '-1', '2.5', 'ten', '']) expect(() => positiveInt(bad, 'rows', 1)).toThrow(/--rows must be a positive whole number/);
  });
});
