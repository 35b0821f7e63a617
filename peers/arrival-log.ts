// An append-only list of things a local peer received, with a promise that resolves once enough have arrived.

export type ArrivalLog<T> = {
  /** The live array: tests read it directly. */
  items: T[];
  add(item: T): void;
  waitFor(count: number, timeoutMs: number, what: string): Promise<T[]>;
  clear(): void;
};

type Waiter<T> = { count: number; resolve: (items: T[]) => void };

export function createArrivalLog<T>(): ArrivalLog<T> {
  const items: T[] = [];
  let waiters: Waiter<T>[] = [];

  return {
    items,
    add(item) {
      items.push(item);
      waiters = waiters.filter((w) => {
        if (items.length < w.count) return true;
        w.resolve(items.slice());
        return false;
      });
    },
    waitFor(count, timeoutMs, what) {
      if (items.length >= count) return Promise.resolve(items.slice());
      return new Promise((resolve, reject) => {
        const waiter: Waiter<T> = {
          count,
          resolve: (arrived) => {
            clearTimeout(timer);
            resolve(arrived);
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(new Error(`waited ${timeoutMs} ms for ${count} ${what}, got ${items.length}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    clear() {
      items.length = 0;
    },
  };
}
