// Values scripts/build-luci.mjs computes in node at build time and inlines into the views.

declare module 'mpwan-build:datatypes' {
  /** luciDatatypes() of src/config/options.ts: section type -> option -> LuCI datatype. */
  const datatypes: ReturnType<typeof import('../../../src/config/options.js').luciDatatypes>;
  export default datatypes;
}
