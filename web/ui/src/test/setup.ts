import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Pages load lazily, and the first import of an Ant Design module under jsdom is slow. Role
// queries skip the per-element visibility check (getComputedStyle on every node, which Ant
// Design's many style rules make very slow in jsdom); closed popups are not rendered anyway.
configure({ asyncUtilTimeout: 20000, defaultHidden: true });

// jsdom has no matchMedia, which Ant Design and the shell's phone layout use.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    }),
  });
}

// Ant Design measures scrollbars through getComputedStyle with a pseudo-element, which jsdom lacks.
const { getComputedStyle } = window;
window.getComputedStyle = (elt: Element) => getComputedStyle(elt);

afterEach(() => {
  cleanup();
  localStorage.clear();
});
