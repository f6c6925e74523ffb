/** Which screen is shown; mirrored in the URL hash so a reload or a link lands on the same one. */

export const TABS = ['single', 'batch', 'results', 'evaluate', 'model', 'privacy'] as const;
export type Tab = (typeof TABS)[number];

function fromHash(): Tab {
  const h = location.hash.replace(/^#/, '');
  return (TABS as readonly string[]).includes(h) ? (h as Tab) : 'single';
}

class Nav {
  #tab = $state<Tab>(fromHash());

  get tab(): Tab {
    return this.#tab;
  }

  go(tab: Tab): void {
    this.#tab = tab;
    if (location.hash !== `#${tab}`) history.replaceState(null, '', `#${tab}`);
  }

  /** Follows back/forward and edited hashes. */
  listen(): () => void {
    const onHash = () => (this.#tab = fromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }
}

export const nav = new Nav();
