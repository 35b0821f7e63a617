// The replay thread's entry, in JavaScript so a bare worker can load it: registers tsx, then loads both replays.
import { register } from 'tsx/esm/api';

register();
const { runConsoleReplay } = await import('./console.ts');
const history = await import('../policy/history-replay.ts');
export default runConsoleReplay;
/** The replay on logged history: pure, run here only to keep its seconds of CPU off the API's event loop. */
export const historyReplay = history.historyReplay;
