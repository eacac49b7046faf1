// Entry of every worker thread of the server: a worker starts without the parent's TypeScript loader, so it
// registers tsx itself (plain JavaScript here, because nothing can load .ts yet), then loads the task module it was
// started for, whose file URL is its first argument (`new Worker(this file, { argv: [task URL] })`).
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
