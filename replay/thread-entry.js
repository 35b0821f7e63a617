// The replay thread's entry, in JavaScript so a bare worker can load it: registers tsx, then loads the replay.
import { register } from 'tsx/esm/api';

register();
const { runConsoleReplay } = await import('./console.ts');
export default runConsoleReplay;
