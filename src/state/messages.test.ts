import { describe, expect, it } from 'vitest';
import { plainMessage, plainText } from './messages.ts';

describe('plainMessage', () => {
  it('takes internal error names off the front, however often they are there', () => {
    expect(plainText('ModelNotAvailable: No model is loaded.')).toBe('No model is loaded.');
    expect(plainText('Error: ModelLoadFailed: The WebGPU device was lost.')).toBe('The WebGPU device was lost.');
    expect(plainMessage('TypeError: Failed to fetch')).toBe('Failed to fetch');
    expect(plainMessage(Object.assign(new Error('StorageFull: The disk is full.'), { name: 'StorageFull' }))).toBe('The disk is full.');
  });

  it('leaves ordinary sentences with a colon alone', () => {
    expect(plainText('Row 3: too many fields.')).toBe('Row 3: too many fields.');
    expect(plainText('The file "a.csv" is empty: there is nothing to label.')).toBe('The file "a.csv" is empty: there is nothing to label.');
    expect(plainText('Note: the library is missing.')).toBe('Note: the library is missing.');
  });
});
