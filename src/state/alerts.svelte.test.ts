import { describe, expect, it } from 'vitest';
import { alerts } from './alerts.svelte.ts';

describe('alerts', () => {
  it('keeps one alert per message, and dismisses by id', () => {
    alerts.clear();
    alerts.error('The file is empty.', 'Choose another file.');
    alerts.error('The file is empty.');
    alerts.push('warning', 'No column looks like report text.');
    expect(alerts.items.map((a) => [a.kind, a.message, a.hint])).toEqual([
      ['error', 'The file is empty.', 'Choose another file.'],
      ['warning', 'No column looks like report text.', undefined],
    ]);
    alerts.dismiss(alerts.items[0].id);
    expect(alerts.items.map((a) => a.message)).toEqual(['No column looks like report text.']);
  });
});
