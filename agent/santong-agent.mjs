#!/usr/bin/env node
// The `santong-agent` command from a source checkout: runs the TypeScript CLI through tsx.
// Schools install the one-file bundle (dist/santong-agent.mjs) instead, which needs nothing but node.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
