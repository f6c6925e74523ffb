/** Messages for the person using the page, shown in the alert region (never `window.alert`). */

export type AlertKind = 'error' | 'warning' | 'info';

export interface AppAlert {
  id: number;
  kind: AlertKind;
  message: string;
  hint?: string;
}

class Alerts {
  #items = $state<AppAlert[]>([]);

  get items(): AppAlert[] {
    return this.#items;
  }
  #next = 1;

  push(kind: AlertKind, message: string, hint?: string): void {
    // The same message twice in a row is one alert, not a growing pile.
    if (this.#items.some((a) => a.message === message)) return;
    this.#items = [...this.#items, { id: this.#next++, kind, message, hint }];
  }

  error(message: string, hint?: string): void {
    this.push('error', message, hint);
  }

  dismiss(id: number): void {
    this.#items = this.#items.filter((a) => a.id !== id);
  }

  clear(): void {
    this.#items = [];
  }
}

export const alerts = new Alerts();
