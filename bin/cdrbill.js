#!/usr/bin/env -S node --max-semi-space-size=32
// The cdrbill CLI: runs the compiled JavaScript (npm ci builds it). A larger young generation
// (--max-semi-space-size) makes the ingest ~18% faster: it allocates per CDR.
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
