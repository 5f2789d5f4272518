#!/usr/bin/env -S node --max-old-space-size=256
// The cdrbill CLI: runs the compiled JavaScript (npm ci builds it). The old generation is capped so
// that memory stays flat (V8 otherwise grows it lazily on a large machine); an ingest needs well
// under the cap, in this thread and in the rating worker alike. Raise it with
// NODE_OPTIONS=--max-old-space-size=… if ever needed.
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
