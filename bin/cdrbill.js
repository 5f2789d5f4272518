#!/usr/bin/env node
// The cdrbill CLI: runs the compiled JavaScript (npm ci builds it).
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
