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

// jsdom computes a style by matching every rule of every style sheet against the element, and Ant
// Design's CSS-in-JS inserts thousands of rules: the accessible-name computation behind each role
// query asks for the style of every node (and of its ::before and ::after), which made a single
// query take seconds. No test here depends on style sheets (visibility checks are off, above), so
// an element's computed style is its inline style.
const blank = document.createElement('div').style;
window.getComputedStyle = (elt: Element) => (elt as HTMLElement).style ?? blank;

afterEach(() => {
  cleanup();
  localStorage.clear();
});
