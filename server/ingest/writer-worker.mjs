// Worker entry: a worker thread starts without the parent's TypeScript loader, so it registers tsx
// itself before loading the task (plain JavaScript here, because nothing can load .ts yet).
import { register } from 'tsx/esm/api';

register();
await import('./writer-task.ts');
