#!/usr/bin/env -S node --max-semi-space-size=32 --max-old-space-size=256
// The cdrbill CLI: runs the compiled JavaScript (npm ci builds it). A larger young generation
// (--max-semi-space-size) makes the ingest ~18% faster: it allocates per CDR. The old generation is
// capped so that memory stays flat (V8 otherwise grows it lazily on a large machine); a file's
// ingest needs well under the cap. Raise it with NODE_OPTIONS=--max-old-space-size=… if ever needed.
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
