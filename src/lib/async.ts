// QuickJS up to 2025-04 exits ("Possibly unhandled promise rejection") as soon as a promise
// is rejected while nothing awaits it yet, which is exactly what an async function that
// throws before its first `await` returns to its caller. (2025-09, OpenWrt's version, checks
// only after the job queue drains, like Node.) Async functions whose first statements can
// throw start with `await settled()`, so their rejection happens after the caller awaits.
export const settled = (): Promise<void> => Promise.resolve();
