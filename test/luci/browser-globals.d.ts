// What code passed to page.evaluate() sees in the browser: the DOM and LuCI's globals.
/// <reference lib="dom" />
declare const E: (tag: string, attrs?: unknown, children?: unknown) => HTMLElement;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const L: any;
